"""Knowledge-base search latency on SQLite at 10,000 articles (goal: < 50 ms a search), beside
a LIKE scan of the same published text as the peer.

    .venv/bin/python bench/kb.py [--n 10000] [--repeat 20]

A fresh SQLite file (migrated, WAL) gets `--n` live translations, half English and half
Traditional Chinese, generated from word lists (deterministic), through the repository in one
transaction. Then, for each query (English words, a prefix, Chinese words of 1-4 characters,
a rare word), the median and worst of `--repeat` runs of:

1. the search: `uow.kb.search` (FTS5 MATCH on the kb_text tokens, bm25 ranked, the 10 best
   joined to their articles) in a read-only unit of work, as the API runs it;
2. the peer: `published_title LIKE '%q%' OR published_body LIKE '%q%'` over the same rows,
   every match (what a store without a full-text index must read before it can rank; the
   LIKE does no ranking at all, so it is a floor for that approach).

Prints milliseconds and the LIKE/FTS ratio; asserts nothing about time. Loading 10,000
articles takes ~10-20 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from tierdesk import bootstrap
from tierdesk.domain.kb_text import query_terms
from tierdesk.services.kb_records import ArticleRecord, KbSearch, TranslationRecord

_EN = (
    "refund order parcel delivery password account login payment invoice card return exchange "
    "warranty broken screen battery shipping address change cancel subscription plan upgrade "
    "discount coupon store pickup tracking number delay customs fee tax"
)
EN = tuple(_EN.split(" "))
ZH = (
    "退款訂單包裹配送密碼帳戶登入付款發票信用卡退貨換貨保固損壞螢幕電池運送地址變更取消訂閱"
    "方案升級折扣優惠門市取貨追蹤號碼延誤關稅費用"
)
QUERIES = ("refund", "password login", "refu", "退款", "申請退款", "退", "保固損壞", "zyxwvut")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _english(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(EN) for _ in range(words)).capitalize() + "."


def _chinese(rng: random.Random, chars: int) -> str:
    text = "".join(rng.choice(ZH) for _ in range(chars))
    return text + ("，我想申請退款流程。" if rng.random() < 0.05 else "。")


def load(url: str, n: int) -> None:
    rng = random.Random(16)
    db = bootstrap.open_database(url)
    with db.uow() as uow:
        for i in range(n):
            aid, lang = f"kb_{i:06d}", "en" if i % 2 == 0 else "zh-TW"
            if lang == "en":
                title, body = _english(rng, 5), " ".join(_english(rng, 14) for _ in range(8))
            else:
                title, body = _chinese(rng, 8), "".join(_chinese(rng, 30) for _ in range(8))
            uow.kb.add_article(
                ArticleRecord(aid, f"a-{i}", "returns_refunds", (), "public", "u", T0, T0)
            )
            uow.kb.add_translation(
                TranslationRecord(
                    aid,
                    lang,
                    title,
                    body,
                    "published",
                    1,
                    "u",
                    T0,
                    published_title=title,
                    published_body=body,
                    published_revision=1,
                    published_at=T0,
                )
            )
        uow.commit()
    db.dispose()


def _time(run: object, repeat: int) -> tuple[float, float, int]:
    times, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = run()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    n, repeat = max(10, min(args.n, 50_000)), max(1, min(args.repeat, 200))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'kb.db'}"
        bootstrap.upgrade_database(url)
        start = time.perf_counter()
        load(url, n)
        print(f"loaded {n:,} articles in {time.perf_counter() - start:.1f} s (SQLite, FTS5)")
        db = bootstrap.open_database(url)
        like = sa.text(
            "SELECT article_id FROM kb_translations WHERE published_title LIKE :q "
            "OR published_body LIKE :q"
        )
        print(
            f"{'query':<16}{'FTS5 ms (median/max)':>22}{'hits':>6}{'LIKE ms (median/max)':>22}"
            f"{'LIKE/FTS':>10}"
        )
        worst = 0.0
        for q in QUERIES:
            search = KbSearch(query_terms(q), ("public",), limit=10)

            def fts(search: KbSearch = search) -> int:
                with db.reader() as uow:
                    return len(uow.kb.search(search))

            def scan(q: str = q) -> int:
                with db.engine.connect() as conn:
                    return len(conn.execute(like, {"q": f"%{q}%"}).all())

            f_med, f_max, hits = _time(fts, repeat)
            l_med, l_max, _ = _time(scan, repeat)
            worst = max(worst, f_med)
            print(
                f"{q:<16}{f_med:>12.2f} / {f_max:<8.2f}{hits:>6}{l_med:>12.2f} / {l_max:<8.2f}"
                f"{l_med / f_med:>9.1f}x"
            )
        db.dispose()
    print(f"slowest median search: {worst:.2f} ms (goal < 50 ms at 10,000 articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
