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
# Chinese numerals as Taiwanese customers write them: 兩千, 一萬兩千, 三百五十, 1萬2 (12,000),
# 兩千五 (2,500). Formal digits (壹貳參) appear on cheques, not in messages: not read.
_CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_CN_MYRIAD = "萬"
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + _CN_MYRIAD
# Currencies whose amounts have no cents in practice: "2.000 TWD" is two thousand.
_WHOLE_CURRENCIES = frozenset({"TWD", "JPY", "KRW"})


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
# A number is Arabic digits (thousands grouped by "," or "."), optionally followed by Chinese
# magnitudes ("1.2萬", "1萬2", "2千5"), or Chinese numerals alone ("一萬兩千").
_CN = "".join(_CN_CHARS)
_CN_TOKEN = re.compile(r"\d+|.")
_NUMBER = re.compile(
    r"(?<![\d.])(?<!\d,)"
    r"(?P<num>(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?(?![\d.])"
    r"|\d+(?:\.\d+)?)"
    rf"(?:\s?(?:[萬千][\d{_CN}]*|k(?![a-z])))?"
    rf"|[{_CN}]*[{_CN}](?<![零〇]))"
    r"(?!\d)"
)
_BEFORE = re.compile(rf"(?P<pre>{_PRE})\s{{0,2}}$")
_AFTER = re.compile(rf"多?(?:\s{{0,2}}(?P<suf>{_SUF}))?")
_PRE_REACH = max(map(len, [*_PREFIXES, *_AMBIGUOUS_PREFIXES])) + 2
# A refund verb right before a number names New Taiwan dollars without a currency: 退我兩千.
_REFUND_LEAD = re.compile(r"(?:退款|退費|退錢|退還|退回|退給我|退我|還我|賠我)\s?$")
_LEAD_REACH = 5
# A currency named anywhere, with or without a number next to it ("... paid in USD").
_HINTS: dict[str, str] = {**_SUFFIXES, **_PREFIXES}
_HINT = re.compile(_alternation(list(_HINTS), ascii_word=True))


def parse_number(written: str, currency: str = "") -> Decimal | None:
    """The value of a number as customers write it, or None when it is not one.

    Arabic digits with "," or "." thousands ("2,000", "2.000" when `currency` has no cents or
    there are several groups; "1.234,56"), Chinese numerals ("一萬兩千", "三百五十"), and the
    two mixed ("1萬2" is 12,000, "兩千五" 2,500, "1.2萬" 12,000, "3k" 3,000).
    """
    text = written.replace(" ", "")
    if not text:
        return None
    head = re.match(r"\d[\d,.]*", text)
    if head is None:
        return _cn_value(text, Decimal(0), lead=None)
    digits = head.group(0)
    lead = _arabic(digits, currency)
    rest = text[head.end() :]
    if not rest:
        return lead
    if rest == "k":
        return _whole(lead * 1000)
    return _cn_value(rest, Decimal(0), lead=lead)


def _arabic(digits: str, currency: str) -> Decimal:
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif "." in digits:
        groups = digits.split(".")
        grouped = all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3
        decimal_mark = (
            "," if grouped and (len(groups) > 2 or currency in _WHOLE_CURRENCIES) else "."
        )
    else:
        decimal_mark = "."
    thousands = "," if decimal_mark == "." else "."
    return Decimal(digits.replace(thousands, "").replace(",", "."))


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _cn_value(text: str, total: Decimal, lead: Decimal | None) -> Decimal | None:
    """Chinese numerals after an optional Arabic `lead`: sections split by 萬, units 十百千,
    and a trailing single digit that abbreviates the next unit down (兩千五, 1萬2)."""
    section = Decimal(0)
    digit: Decimal | None = lead
    single = False  # the pending digit is one digit (it may abbreviate: 兩千五)
    last_unit = 0
    after_zero = False
    for tok in _CN_TOKEN.findall(text):
        if tok.isascii():
            digit, single = Decimal(tok), len(tok) == 1
        elif tok in _CN_DIGITS:
            after_zero = after_zero or tok in "零〇"
            digit, single = Decimal(_CN_DIGITS[tok]), True
        elif tok in _CN_UNITS:
            section += (Decimal(1) if digit is None else digit) * _CN_UNITS[tok]
            digit, last_unit, after_zero = None, _CN_UNITS[tok], False
        elif tok == _CN_MYRIAD:
            total += (section + (digit or Decimal(0))) * 10000
            section, digit, last_unit, after_zero = Decimal(0), None, 10000, False
        else:
            return None
    if digit is not None:
        # "兩千五" is 2,500 and "1萬2" 12,000; "一百零五" is 105.
        abbreviated = last_unit >= 100 and single and not after_zero
        section += digit * (last_unit // 10) if abbreviated else digit
    return _whole(total + section)


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
    `default_currency`; a bare 元/塊 takes that hint, else TWD. A number right after a refund
    verb (退我兩千, 退款1500) is New Taiwan dollars too. Chinese numerals with 塊 count from
    ten up (一塊蛋糕 is a piece of cake).
    """
    hints: set[str] | None = None
    out: list[AmountMention] = []
    for num in _NUMBER.finditer(text):
        before = _BEFORE.search(text, max(0, num.start() - _PRE_REACH), num.start())
        after = _AFTER.match(text, num.end())
        pre = before.group("pre") if before else None
        suf = after.group("suf") if after else None
        verb = None
        if pre is None and suf is None:
            verb = _REFUND_LEAD.search(text, max(0, num.start() - _LEAD_REACH), num.start())
            if verb is None:
                continue
        currency = _PREFIXES.get(pre or "") or _SUFFIXES.get(suf or "")
        if currency is None and verb is not None:
            currency = YUAN_CURRENCY
        if currency is None:
            if hints is None:  # read the hints lazily: most texts carry no bare "$"
                hints = _hinted_currencies(text)
            bare = _AMBIGUOUS_PREFIXES.get(pre or "") or _AMBIGUOUS_SUFFIXES.get(suf or "", "")
            fits = hints & _HINTABLE.get(bare, frozenset())
            fallback = default_currency if bare == _BARE_DOLLAR else YUAN_CURRENCY
            currency = fits.pop() if len(fits) == 1 else fallback
        amount = parse_number(num.group("num"), currency)
        if not amount or (num.group("digits") is None and suf == "塊" and amount < 10):
            continue  # no value, or 塊 counting pieces (一塊蛋糕)
        start = before.start() if before else num.start()
        end = after.end() if after and suf else num.end()
        out.append(AmountMention(Money(amount, currency), start, end, text[start:end].strip()))
    return out
