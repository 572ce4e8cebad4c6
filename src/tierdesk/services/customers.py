"""Customers and their identities: one customer may write by email, phone and LINE.

Identities are normalized before they are stored or looked up (lower-case email, phone digits
with an optional leading +, LINE user id as given), so the same person is found however they
write. Two customers found to be the same person are merged: the source keeps its row (for
history) with `merged_into` set, its identities move to the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import cast, get_args

from tierdesk.services.env import Env
from tierdesk.services.errors import IdentityTaken, InvalidInput, NotFound
from tierdesk.services.ports import UnitOfWork
from tierdesk.services.records import CustomerRecord, IdentityKind, IdentityRecord, new_id
from tierdesk.services.users import NOTE_ROLES, TICKET_ROLES, actor

IDENTITY_KINDS: tuple[IdentityKind, ...] = get_args(IdentityKind)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


@dataclass(frozen=True)
class Contact:
    """How a customer reached us: an identity and, when known, a name and language."""

    kind: str  # email, phone, line
    value: str
    name: str = ""
    language: str | None = None


def identity_kind(kind: str) -> IdentityKind:
    """`kind` as an identity kind; InvalidInput naming it otherwise."""
    for known in get_args(IdentityKind):
        if kind == known:
            return cast(IdentityKind, known)
    raise InvalidInput("kind", f"must be one of {', '.join(IDENTITY_KINDS)}", value=kind)


def normalize_identity(kind: str, value: str) -> str:
    """The stored form of an identity. InvalidInput naming `kind` when it is not one."""
    raw = value.strip()
    if kind == "email":
        email = raw.lower()
        if not _EMAIL.match(email):
            raise InvalidInput("email", "not an email address", value=value)
        return email
    if kind == "phone":
        digits = re.sub(r"[\s().-]", "", raw)
        if not re.fullmatch(r"\+?\d{6,15}", digits):
            raise InvalidInput("phone", "6-15 digits, optionally with a leading +", value=value)
        return digits
    if kind == "line":
        if not _LINE.match(raw):
            raise InvalidInput("line", "a LINE user id (letters, digits, _ or -)", value=value)
        return raw
    raise InvalidInput("kind", f"must be one of {', '.join(IDENTITY_KINDS)}", value=kind)


def resolve(uow: UnitOfWork, customer: CustomerRecord) -> CustomerRecord:
    """Follow `merged_into` to the customer that stands for this one now."""
    seen = {customer.id}
    while customer.merged_into is not None:
        target = uow.customers.get(customer.merged_into)
        if target is None or target.id in seen:
            break
        seen.add(target.id)
        customer = target
    return customer


def find_or_create_new(
    uow: UnitOfWork, contact: Contact, at: datetime
) -> tuple[CustomerRecord, IdentityRecord | None]:
    """The customer owning the contact's identity, or a new one (inside the open unit of
    work), with the identity it created (None when the customer existed): a
    new customer has that one identity, no merged customers and no tickets yet, which lets
    intake skip reading them back. A concurrent create of the same identity surfaces as
    DuplicateKey on commit."""
    value = normalize_identity(contact.kind, contact.value)
    found = uow.customers.find_by_identity(contact.kind, value)
    if found is not None:
        return resolve(uow, found), None
    customer = CustomerRecord(
        id=new_id("c"),
        name=contact.name.strip(),
        language=contact.language or "en",
        created_at=at,
    )
    uow.customers.add(customer)
    identity = IdentityRecord(identity_kind(contact.kind), value, customer.id, at)
    uow.customers.add_identity(identity)
    return customer, identity


def history_ids(uow: UnitOfWork, customer_id: str) -> list[str]:
    """The customer and every customer merged into it (transitively): whose tickets count as
    this customer's history."""
    out, todo = [customer_id], [customer_id]
    while todo:
        for merged in uow.customers.merged_ids(todo.pop()):
            if merged not in out:
                out.append(merged)
                todo.append(merged)
    return out


def add_identity(
    env: Env, *, customer_id: str, kind: str, value: str, actor_id: str
) -> IdentityRecord:
    """Give a customer another identity. IdentityTaken (with the owner's id) when another
    customer has it: merge the two instead."""
    norm = normalize_identity(kind, value)
    with env.uow() as uow:
        actor(uow, actor_id, TICKET_ROLES, "change customers")
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFound("customer", customer_id)
        owner = uow.customers.find_by_identity(kind, norm)
        if owner is not None:
            if owner.id == customer_id:
                return next(i for i in uow.customers.identities(customer_id) if i.value == norm)
            raise IdentityTaken(
                f"{kind} {norm} belongs to customer {owner.id}", customer_id=owner.id, kind=kind
            )
        identity = IdentityRecord(identity_kind(kind), norm, customer_id, env.now())
        uow.customers.add_identity(identity)
        uow.commit()
        return identity


def merge_customers(env: Env, *, source_id: str, target_id: str, actor_id: str) -> CustomerRecord:
    """Merge customer `source_id` into `target_id`: identities move, the source is kept with
    `merged_into`, both ticket histories count as the target's (R-ESC-5). Returns the target."""
    if source_id == target_id:
        raise InvalidInput("source_id", "cannot merge a customer into itself")
    with env.uow() as uow:
        actor(uow, actor_id, TICKET_ROLES, "merge customers")
        source, target = uow.customers.get(source_id), uow.customers.get(target_id)
        if source is None:
            raise NotFound("customer", source_id)
        if target is None:
            raise NotFound("customer", target_id)
        if target.merged_into is not None:
            raise InvalidInput("target_id", f"customer {target_id} was merged into another")
        uow.customers.merge(source_id, target_id)
        uow.commit()
        return target


@dataclass(frozen=True)
class CustomerView:
    customer: CustomerRecord
    identities: tuple[IdentityRecord, ...]


@dataclass(frozen=True)
class CustomerList:
    """One page of customers with their identities, newest first; pass `next_cursor` back
    for the next page (None on the last)."""

    items: tuple[CustomerView, ...]
    next_cursor: str | None


_PHONE_LIKE = re.compile(r"\+?[\d\s().-]{6,}")


def search_customers(
    env: Env,
    *,
    actor_id: str,
    text: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> CustomerList:
    """Customers (merged ones left out) whose name or any identity contains `text`, ignoring
    case; every customer when `text` is empty. A phone number matches however it is written
    ("0912-345-678" finds 0912345678), as identities are stored normalized."""
    if not 1 <= limit <= 200:
        raise InvalidInput("limit", "must be 1-200", value=limit)
    wanted = (text or "").strip()
    if _PHONE_LIKE.fullmatch(wanted):
        wanted = re.sub(r"[\s().-]", "", wanted)
    with env.reader() as uow:
        actor(uow, actor_id, NOTE_ROLES, "search customers")
        try:
            page = uow.customers.search(wanted or None, limit=limit, cursor=cursor)
        except ValueError as exc:
            raise InvalidInput("cursor", str(exc)) from exc
        identities = uow.customers.identities_for([c.id for c in page.items])
    owned: dict[str, list[IdentityRecord]] = {c.id: [] for c in page.items}
    for identity in identities:
        owned[identity.customer_id].append(identity)
    views = tuple(CustomerView(c, tuple(owned[c.id])) for c in page.items)
    return CustomerList(views, page.next_cursor)


def get_customer(env: Env, customer_id: str, *, actor_id: str) -> CustomerView:
    with env.reader() as uow:
        actor(uow, actor_id, NOTE_ROLES, "read customers")
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFound("customer", customer_id)
        return CustomerView(customer, tuple(uow.customers.identities(customer_id)))
