"""Short ticket references: what customers read and what agents type to find the ticket."""

from __future__ import annotations

import pytest

from tierdesk.services.notify import reference_prefix, short_reference

TID = "t_3f9c1a2b7e0d4c5b8a9f0e1d2c3b4a59"


def test_a_reference_leads_back_to_its_ticket_ids_prefix() -> None:
    assert short_reference(TID) == "T-3f9c1a2b7e"
    assert TID.startswith(reference_prefix(short_reference(TID)) or "?")


@pytest.mark.parametrize(
    "typed", ["T-3f9c1a2b7e", "#T-3F9C1A2B7E", " t-3f9c1a2b7e ", "# T-3f9c1a2b7e"]
)
def test_a_typed_reference_is_read_in_any_case_with_or_without_hash(typed: str) -> None:
    assert reference_prefix(typed) == "t_3f9c1a2b7e"


@pytest.mark.parametrize(
    "typed", ["", "T-3f9c", "T-3f9c1a2b7eff", "order 3f9c1a2b7e", "T-3f9c1a2b7g"]
)
def test_anything_else_is_not_a_reference(typed: str) -> None:
    assert reference_prefix(typed) is None
