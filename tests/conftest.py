"""Settings for the whole suite."""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The CLI keeps compiled policies in a cache directory (cli/policy_cache.py): the tests'
    # entries go to a directory of this run, never to the user's ~/.cache/tierdesk.
    os.environ.setdefault("TIERDESK_CACHE_DIR", tempfile.mkdtemp(prefix="tierdesk-test-cache-"))
