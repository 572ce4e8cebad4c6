"""Money amounts written in customer messages (English and Traditional Chinese). Pure.

`find_amounts` reads every amount that carries a currency: a symbol or code before the number
(`$250`, `NT$1,200`, `US$30`, `€20`, `新台幣1,500元`) or a word or code after it (`3500 TWD`,
`49.99 USD`, `2300元`, `1,200塊`, `30 dollars`, `1.2萬元`). A number with no currency (an order
number, a date) is never an amount.

Some markers name no single currency. A bare `$` (or "dollars", "bucks") takes the currency the
text names elsewhere ("USD" somewhere in the message) and otherwise the policy's default currency.
A bare 元 or 塊 does the same, except that with no hint it means New Taiwan dollars: that is what
it means in Traditional Chinese text, whatever the policy's currency.

The text given must already be normalized (`normalize` in tierdesk.domain.signals: NFKC and lower
case), so full-width digits and `＄` have become ASCII.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from tierdesk.domain.model import Money

YUAN_CURRENCY = "TWD"  # what a bare 元 / 塊 means when the text names no other currency

# Markers that name one currency. Longest first inside each alternation (regex order matters).
_PREFIXES: dict[str, str] = {
    "nt$": "TWD",
    "ntd": "TWD",
    "twd": "TWD",
    "nt": "TWD",
    "新台幣": "TWD",
    "新臺幣": "TWD",
    "台幣": "TWD",
    "臺幣": "TWD",
    "us$": "USD",
    "usd": "USD",
    "美金": "USD",
    "美元": "USD",
    "hk$": "HKD",
    "hkd": "HKD",
    "港幣": "HKD",
    "s$": "SGD",
    "sgd": "SGD",
    "a$": "AUD",
    "aud": "AUD",
    "c$": "CAD",
    "cad": "CAD",
    "€": "EUR",
    "eur": "EUR",
    "歐元": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "jpy": "JPY",
    "日幣": "JPY",
    "日圓": "JPY",
    "rmb": "CNY",
    "cny": "CNY",
    "人民幣": "CNY",
}
_SUFFIXES: dict[str, str] = {
    "twd": "TWD",
    "ntd": "TWD",
    "nt": "TWD",
    "台幣": "TWD",
    "臺幣": "TWD",
    "usd": "USD",
    "美金": "USD",
    "美元": "USD",
    "hkd": "HKD",
    "港幣": "HKD",
    "eur": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "歐元": "EUR",
    "gbp": "GBP",
    "jpy": "JPY",
    "日幣": "JPY",
    "日圓": "JPY",
    "日元": "JPY",
    "cny": "CNY",
    "rmb": "CNY",
    "人民幣": "CNY",
    "sgd": "SGD",
    "aud": "AUD",
    "cad": "CAD",
}
# Markers that need a hint: "$" means whatever dollar the text or the policy means.
_BARE_DOLLAR = "$"
_BARE_YUAN = "元"
_AMBIGUOUS_PREFIXES: dict[str, str] = {"$": _BARE_DOLLAR}
_AMBIGUOUS_SUFFIXES: dict[str, str] = {
    "dollars": _BARE_DOLLAR,
    "dollar": _BARE_DOLLAR,
    "bucks": _BARE_DOLLAR,
    "塊錢": _BARE_YUAN,
    "塊": _BARE_YUAN,
    "元": _BARE_YUAN,
}
# The currencies a bare marker may take from a hint: "$30 and €20" does not make the $ euros.
_HINTABLE: dict[str, frozenset[str]] = {
    _BARE_DOLLAR: frozenset({"USD", "TWD", "HKD", "SGD", "AUD", "CAD"}),
    _BARE_YUAN: frozenset({"TWD", "USD", "HKD", "CNY", "JPY"}),  # 美元, 日元 ... end in 元
}
_MULTIPLIERS: dict[str, Decimal] = {"萬": Decimal(10000), "千": Decimal(1000), "k": Decimal(1000)}


def _alternation(tokens: list[str], ascii_word: bool) -> str:
    parts = []
    for tok in sorted(tokens, key=len, reverse=True):
        esc = re.escape(tok)
        # A code made of letters must stand alone: "nt" in "want", "eur" in "euro" are not codes.
        if ascii_word and tok[0].isascii() and tok[0].isalpha():
            esc = rf"(?<![a-z]){esc}"
        if tok[-1].isascii() and tok[-1].isalpha():
            esc = rf"{esc}(?![a-z])"
        parts.append(esc)
    return "|".join(parts)


_PRE = _alternation([*_PREFIXES, *_AMBIGUOUS_PREFIXES], ascii_word=True)
_SUF = _alternation([*_SUFFIXES, *_AMBIGUOUS_SUFFIXES], ascii_word=False)
# Numbers are found first (a fast scan); the currency is then read just before and after each.
_NUMBER = re.compile(r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d)")
_BEFORE = re.compile(rf"(?P<pre>{_PRE})\s?$")
_AFTER = re.compile(rf"(?:\s?(?P<mult>萬|千|k(?![a-z])))?(?:\s?(?P<suf>{_SUF}))?")
_PRE_REACH = max(map(len, [*_PREFIXES, *_AMBIGUOUS_PREFIXES])) + 1
# A currency named anywhere, with or without a number next to it ("... paid in USD").
_HINTS: dict[str, str] = {**_SUFFIXES, **_PREFIXES}
_HINT = re.compile(_alternation(list(_HINTS), ascii_word=True))


@dataclass(frozen=True)
class AmountMention:
    """One amount in the text: the money, where it is, and the words as written."""

    money: Money
    start: int
    end: int
    written: str


def _hinted_currencies(text: str) -> set[str]:
    """The currencies the text names outright."""
    return {_HINTS[m.group(0)] for m in _HINT.finditer(text)}


def find_amounts(text: str, default_currency: str) -> list[AmountMention]:
    """Every amount with a currency in normalized `text`, in order of appearance.

    A bare `$`/dollars takes the single currency named elsewhere in the text, else
    `default_currency`; a bare 元/塊 takes that hint, else TWD.
    """
    hints: set[str] | None = None
    out: list[AmountMention] = []
    for num in _NUMBER.finditer(text):
        before = _BEFORE.search(text, max(0, num.start() - _PRE_REACH), num.start())
        after = _AFTER.match(text, num.end())
        pre = before.group("pre") if before else None
        suf = after.group("suf") if after else None
        if pre is None and suf is None:
            continue
        currency = _PREFIXES.get(pre or "") or _SUFFIXES.get(suf or "")
        if currency is None:
            if hints is None:  # read the hints lazily: most texts carry no bare "$"
                hints = _hinted_currencies(text)
            bare = _AMBIGUOUS_PREFIXES.get(pre or "") or _AMBIGUOUS_SUFFIXES.get(suf or "", "")
            fits = hints & _HINTABLE.get(bare, frozenset())
            fallback = default_currency if bare == _BARE_DOLLAR else YUAN_CURRENCY
            currency = fits.pop() if len(fits) == 1 else fallback
        amount = Decimal(num.group(1).replace(",", ""))
        mult = after.group("mult") if after else None
        if mult:
            amount *= _MULTIPLIERS[mult]
            if amount == amount.to_integral_value():  # 1.2萬 is 12000, not 12000.0
                amount = amount.quantize(Decimal(1))
        start = before.start() if before else num.start()
        end = after.end() if after else num.end()
        out.append(AmountMention(Money(amount, currency), start, end, text[start:end].strip()))
    return out
