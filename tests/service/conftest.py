"""Service tests run on the in-memory fakes with a fake clock: no database, no sleeping."""

from __future__ import annotations

import pytest
from service_desk import Desk, make_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook


@pytest.fixture(scope="session")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture
def desk(rules: Rulebook) -> Desk:
    return make_desk(rules)
