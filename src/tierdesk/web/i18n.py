"""Languages of the web pages: Babel message catalogs (en, zh-TW) and Babel formatting of dates
and money in the policy's time zone and currency.

Catalogs live in `tierdesk/web/locale/<locale>/LC_MESSAGES/messages.po`; the compiled `.mo`
files are committed beside them (`make i18n-compile`), so a fresh checkout runs without a build
step. `make i18n-extract` / `make i18n-update` refresh them from the templates and code
(babel.cfg); `tests/web/test_i18n.py` fails when a zh-TW string is missing or a `.mo` is stale.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_time, get_timezone
from babel.numbers import format_decimal, get_currency_symbol
from babel.support import NullTranslations, Translations

from tierdesk.domain.durations import spoken, to_minute
from tierdesk.domain.model import CURRENCY_SYMBOLS

LOCALE_DIR = Path(__file__).parent / "locale"
# Language codes as stored with users and tickets -> Babel locale identifiers.
LANGUAGES: dict[str, str] = {"en": "en", "zh-TW": "zh_Hant_TW"}
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh-TW": "繁體中文"}
CATALOG_DIRS: dict[str, str] = {"en": "en", "zh-TW": "zh_TW"}
DEFAULT_LANGUAGE = "en"


def language(code: str | None) -> str:
    """A supported language code for `code` ("zh-tw", "zh_TW", "zh-Hant-TW" -> "zh-TW");
    English for anything else."""
    if not code:
        return DEFAULT_LANGUAGE
    norm = code.strip().replace("_", "-").lower()
    if norm.startswith("zh") and ("tw" in norm or "hant" in norm):
        return "zh-TW"
    return DEFAULT_LANGUAGE


def from_accept_language(header: str | None) -> str:
    """The first supported language of an Accept-Language header (English otherwise)."""
    for part in (header or "").split(","):
        tag = part.split(";")[0].strip()
        if tag.lower().startswith("zh") and language(tag) == "zh-TW":
            return "zh-TW"
        if tag.lower().startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of `lang` (English: the msgids themselves)."""
    found = Translations.load(LOCALE_DIR, [CATALOG_DIRS[language(lang)]], domain="messages")
    return found


def locale(lang: str) -> Locale:
    return Locale.parse(LANGUAGES[language(lang)])


def when(
    value: datetime | None, lang: str, zone: str, fmt: Literal["datetime", "date"] = "datetime"
) -> str:
    """`value` (aware) in the time zone `zone`, formatted for `lang`; "" for None.

    Every page writes a moment the same way, to the minute: the medium date and the short time
    ("Mar 4, 2025, 10:00 AM", "2025年3月4日 上午10:00"); `fmt="date"` gives the date alone.
    """
    if value is None:
        return ""
    loc = locale(lang)
    local = value.astimezone(get_timezone(zone))
    day = format_date(local, "medium", locale=loc)
    if fmt == "date":
        return day
    time = format_time(local, "short", locale=loc)
    return str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)


def money(amount: Decimal | int | float | None, currency: str, lang: str) -> str:
    """`amount` with the currency's symbol as every text of tierdesk writes it (the domain's
    `CURRENCY_SYMBOLS`: NT$ for TWD in every language, so a Taiwanese dollar never reads as a
    US one), in the reader's number format; whole amounts without decimals."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    pattern = "#,##0" if value == value.to_integral_value() else "#,##0.00"
    number = format_decimal(value, format=pattern, locale=locale(lang))
    symbol = CURRENCY_SYMBOLS.get(currency) or get_currency_symbol(currency, "en")
    return f"{symbol}{number}"


def duration(value: timedelta | None, lang: str) -> str:
    """A span of time as people say it in `lang`, to the minute ("1 hour 20 minutes" /
    "1 小時 20 分鐘"; under a minute in seconds): `tierdesk.domain.durations.spoken`, the
    words of the API, the reasons and the notices."""
    if value is None:
        return ""
    size = abs(value)
    return spoken(size if size < timedelta(minutes=1) else to_minute(size), lang)
