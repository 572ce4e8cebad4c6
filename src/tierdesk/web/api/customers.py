"""Customers: search, read one with its identities, add an identity, merge two customers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from tierdesk.services import customers
from tierdesk.services.customers import CustomerList, CustomerView
from tierdesk.services.paging import CURSOR_PATTERN
from tierdesk.services.records import CustomerRecord, IdentityRecord
from tierdesk.web.api.common import State
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import CustomerMergeIn, IdentityIn

router = APIRouter(prefix="/customers", tags=["customers"])
CustomerId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("", response_model=CustomerList)
def search_customers(
    user: CurrentUser,
    state: State,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, pattern=CURSOR_PATTERN)] = None,
) -> CustomerList:
    """Customers whose name, email, phone or LINE id contains `q` (any case; a phone number
    however it is written), newest first, with their identities. Merged customers are left
    out. Pass `next_cursor` back as `cursor` for the next page."""
    return customers.search_customers(
        state.env, actor_id=user.user_id, text=q, limit=limit, cursor=cursor
    )


@router.get("/{customer_id}", response_model=CustomerView)
def get_customer(customer_id: CustomerId, user: CurrentUser, state: State) -> CustomerView:
    """A customer with every identity (email, phone, LINE)."""
    return customers.get_customer(state.env, customer_id, actor_id=user.user_id)


@router.post("/{customer_id}/identities", status_code=201, response_model=IdentityRecord)
def add_identity(
    customer_id: CustomerId, body: IdentityIn, user: CurrentUser, state: State
) -> IdentityRecord:
    """Give the customer another identity; 409 `identity_taken` names its owner (merge)."""
    return customers.add_identity(
        state.env, customer_id=customer_id, kind=body.kind, value=body.value, actor_id=user.user_id
    )


@router.post("/{customer_id}/merge", response_model=CustomerRecord)
def merge_customers(
    customer_id: CustomerId, body: CustomerMergeIn, user: CurrentUser, state: State
) -> CustomerRecord:
    """Merge customer `source_id` into this one; both histories count as this customer's."""
    return customers.merge_customers(
        state.env, source_id=body.source_id, target_id=customer_id, actor_id=user.user_id
    )
