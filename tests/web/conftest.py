"""Web tests: the FastAPI app on the in-memory fakes with a fake clock (no database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook


@pytest.fixture(scope="session")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture
def desk(rules: Rulebook) -> Iterator[WebDesk]:
    with web_desk(rules) as d:
        yield d
