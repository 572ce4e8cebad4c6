"""Search tokens of the knowledge base: one definition every store indexes and queries with.

Chinese (and Japanese, Korean) text has no spaces between words, so a word tokenizer sees a whole
sentence as one token and "退款" would not be found in "我想申請退款流程". Every run of CJK
characters is therefore indexed as its single characters and its overlapping pairs (bigrams):
"退款流程" -> 退 款 流 程 退款 款流 流程. A query of one character matches the unigram; a longer
query is its bigrams, all required ("申請退款" -> 申請 請退 退款). Other text is split into words
of letters and digits. Everything is NFKC-normalized, case-folded and stripped of diacritics
("Café" and "CAFE" are "cafe"), so full-width letters and digits match their ASCII forms.

The stores keep the tokens as space-separated text: SQLite's FTS5 `unicode61` tokenizer and
PostgreSQL's `to_tsvector('simple', ...)` (no stemmer, no stop words; its parser takes every
letter, CJK included, as a word character) then see exactly these tokens, and the in-memory
store compares the same strings, so all three find the same articles. (FTS5's
`trigram` tokenizer was the other candidate: it cannot match a query shorter than three
characters, which in Chinese is most words, and PostgreSQL's pg_trgm ranks differently.)

Tokens hold only letters and digits (Unicode categories L and N), never quotes or operators, so
a query built from them needs no escaping beyond quoting each token.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

MAX_TOKEN = 64  # longer words are cut (a URL or a hash is not a search word)
MAX_QUERY_TOKENS = 64  # a ticket's text as a query: its first 64 distinct tokens

# Words too common to rank by when any token may match (suggestions from a ticket's text). A
# typed search requires every token, so it keeps them.
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "for", "from", "has",
    "have", "how", "i", "if", "in", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or",
    "our", "please", "so", "that", "the", "their", "them", "there", "this", "to", "us", "was",
    "we", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your",
})  # fmt: skip

Mode = Literal["all", "any"]


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0x20000 <= code <= 0x3134F  # extensions B-G
    )


def _plain(text: str) -> str:
    """NFKC, case-folded, without combining marks."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", folded) if unicodedata.category(ch) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped)


def _runs(text: str) -> Iterator[tuple[bool, str]]:
    """(is CJK, run) for every maximal run of word characters in `text`."""
    run: list[str] = []
    cjk = False
    for ch in _plain(text):
        is_cjk = _is_cjk(ch)
        is_word = is_cjk or unicodedata.category(ch)[0] in "LN"
        if run and (not is_word or is_cjk != cjk):
            yield cjk, "".join(run)
            run = []
        if is_word:
            run.append(ch)
            cjk = is_cjk
    if run:
        yield cjk, "".join(run)


def _cjk_tokens(run: str, *, unigrams: bool) -> list[str]:
    if len(run) == 1:
        return [run]
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return [*run, *pairs] if unigrams else pairs


def index_tokens(text: str) -> list[str]:
    """The tokens a document is indexed by, in order (repeats kept: they count for ranking)."""
    out: list[str] = []
    for cjk, run in _runs(text):
        out.extend(_cjk_tokens(run, unigrams=True) if cjk else [run[:MAX_TOKEN]])
    return out


def index_text(text: str) -> str:
    """`index_tokens` joined by spaces: what the stores keep in their search columns."""
    return " ".join(index_tokens(text))


@dataclass(frozen=True)
class SearchTerms:
    """A query as tokens. `prefix` (a typed query whose last word may be unfinished, as in
    "refun"): the last token also matches longer words it starts. `mode` "all" requires every
    token, "any" one of them (ranked by how well they match)."""

    tokens: tuple[str, ...]
    mode: Mode = "all"
    prefix: bool = False

    @property
    def empty(self) -> bool:
        return not self.tokens


def query_terms(text: str, mode: Mode = "all") -> SearchTerms:
    """The search terms of a query typed by a person (`mode` "all") or of a ticket's text
    (`mode` "any": common English words dropped). A last Latin word not followed by a space
    is a prefix (search as you type); Chinese needs none (a single character is a token)."""
    tokens: list[str] = []
    last_cjk = False
    for cjk, run in _runs(text):
        tokens.extend(_cjk_tokens(run, unigrams=False) if cjk else [run[:MAX_TOKEN]])
        last_cjk = cjk
    if mode == "any":
        tokens = [t for t in tokens if t not in STOPWORDS]
    distinct = tuple(dict.fromkeys(tokens))[:MAX_QUERY_TOKENS]
    typed_on = bool(text) and not text[-1].isspace()
    prefix = mode == "all" and bool(distinct) and not last_cjk and typed_on
    if prefix and distinct[-1] != (tokens[-1] if tokens else None):
        prefix = False  # the last word was a repeat of an earlier one
    return SearchTerms(distinct, mode, prefix)


def matches(terms: SearchTerms, document: set[str]) -> bool:
    """Whether a document indexed by the token set `document` matches `terms` (the in-memory
    store's match; the databases match the same way in SQL)."""
    if terms.empty:
        return False
    found = [_has(document, t, terms.prefix and i == len(terms.tokens) - 1) for i, t in
             enumerate(terms.tokens)]  # fmt: skip
    return all(found) if terms.mode == "all" else any(found)


def _has(document: set[str], token: str, prefix: bool) -> bool:
    return token in document or (prefix and any(d.startswith(token) for d in document))
