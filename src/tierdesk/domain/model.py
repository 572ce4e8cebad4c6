"""Core vocabulary of the domain: languages, signals, money, localized text.

Pure standard library. Everything here is immutable and carries no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal, get_args

Lang = Literal["en", "zh-TW"]
LANGS: tuple[Lang, ...] = ("en", "zh-TW")

# Staff roles, from the front line up; what each may do is tierdesk.services.users (commands)
# and the policy's authority ladder (money).
Role = Literal[
    "agent_l1", "agent_l2", "agent_l3", "team_lead", "supervisor", "manager", "qa", "admin"
]
ROLES: tuple[Role, ...] = get_args(Role)

# Where a ticket came in (and where replies go back).
Channel = Literal["email", "line", "web", "chat", "phone", "api"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)


class Signal(StrEnum):
    """Escalation signals (PRODUCT.md vocabulary). The JSON interface uses these values."""

    SUPERVISOR_REQUEST = "supervisor_request"
    LEGAL_THREAT = "legal_threat"
    MEDIA_MENTION = "media_mention"
    REFUND_REQUEST = "refund_request"
    SECURITY_INCIDENT = "security_incident"
    SAFETY_ISSUE = "safety_issue"
    SERVICE_OUTAGE = "service_outage"
    REPEAT_CONTACT = "repeat_contact"


# Symbols for the currencies a helpdesk is likely to quote (NT$ for TWD, so a Taiwanese dollar
# never reads as a US one); others print as `EUR 100`. The console's Babel formatting agrees.
CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "TWD": "NT$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "HKD": "HK$",
    "SGD": "S$",
    "AUD": "A$",
    "CAD": "CA$",
    "CNY": "CN¥",
}


def money_text(amount: Decimal, currency: str | None) -> str:
    """An amount as every text of tierdesk writes it (reasons, briefs, the SOP): the currency's
    symbol, thousands separators, and cents only when there are some ("NT$1,200", "$99.50")."""
    number = f"{int(amount):,}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency or "")
    if symbol:
        return f"{symbol}{number}"
    return f"{currency} {number}" if currency else number


@dataclass(frozen=True)
class Money:
    """An amount in an ISO 4217 currency. Amounts are Decimal: never floats for money."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return money_text(self.amount, self.currency)


@dataclass(frozen=True)
class LocalText:
    """Text in several languages; falls back to English, then to any language given."""

    texts: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, en: str, zh_tw: str | None = None) -> LocalText:
        pairs = [("en", en)]
        if zh_tw is not None:
            pairs.append(("zh-TW", zh_tw))
        return cls(tuple(pairs))

    def get(self, lang: str = "en") -> str:
        d = dict(self.texts)
        if lang in d:
            return d[lang]
        if "en" in d:
            return d["en"]
        return next(iter(d.values()), "")

    def has(self, lang: str) -> bool:
        return lang in dict(self.texts)

    def __str__(self) -> str:
        return self.get("en")
