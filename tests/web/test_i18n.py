"""The console's message catalogs: every string of the templates and code is translated to
zh-TW, and the committed .mo files are what the .po files compile to."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tierdesk.web import i18n

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "tierdesk" / "web"


def _extracted() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB, method_map, options_map
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(WEB / "locale" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_every_console_string_has_a_zh_tw_translation() -> None:
    strings = _extracted()
    assert len(strings) > 20
    catalog = _catalog("zh_TW")
    missing = sorted(s for s in strings if not (m := catalog.get(s)) or not m.string or m.fuzzy)
    assert not missing, f"zh-TW translations missing (make i18n-update, then translate): {missing}"


def test_committed_mo_files_match_their_po_files() -> None:
    for lang in ("en", "zh_TW"):
        catalog = _catalog(lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        compiled = {m.id: m.string for m in read_mo(buffer) if m.id}
        with open(WEB / "locale" / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
            committed = {m.id: m.string for m in read_mo(f) if m.id}
        assert committed == compiled, f"{lang}: run make i18n-compile"


def test_languages_normalize_and_format() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    assert i18n.language("zh_tw") == "zh-TW"
    assert i18n.language("fr") == "en"
    assert i18n.from_accept_language("zh-TW,zh;q=0.9,en;q=0.8") == "zh-TW"
    assert i18n.money(Decimal("1500"), "TWD", "zh-TW") == "NT$1,500"
    assert i18n.money(Decimal("99.5"), "TWD", "en") == "NT$99.50"
    at = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Taipei
    # one way of writing a moment on every page: medium date, short time, to the minute
    assert i18n.when(at, "en", "Asia/Taipei") == "Mar 4, 2025, 10:00\u202fAM"
    assert i18n.when(at, "zh-TW", "Asia/Taipei") == "2025年3月4日 上午10:00"
    assert i18n.when(at, "en", "Asia/Taipei", "date") == "Mar 4, 2025"
    assert i18n.translations("zh-TW").gettext("Sign in") == "登入"
