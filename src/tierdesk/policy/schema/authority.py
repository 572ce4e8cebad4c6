"""Authority (`authority`): the role ladder and what each role may grant alone, per action
(refunds, discounts, flags).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from tierdesk.policy.schema.base import Currency, Strict

ActionName = Literal[
    "refund",
    "discount",
    "full_refund",
    "complimentary",
    "exception",
    "apology",
    "expedited_shipping",
]


class ActionDef(Strict):
    unit: Literal["money", "percent", "flag"]
    currency: Currency | None = Field(None, description="For money; default authority.currency.")
    limits: dict[str, Decimal | Literal["unlimited"]] = Field(
        {}, description="Largest amount (or percent) each role may grant alone."
    )
    roles: list[str] = Field([], description="For flag actions: the roles allowed.")


class AuthorityDef(Strict):
    currency: Currency
    ladder: list[str] = Field(min_length=1, description="Roles from least to most authority.")
    actions: dict[ActionName, ActionDef] = {}
