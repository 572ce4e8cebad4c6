"""Test support, not part of the product: the in-memory store (`tierdesk.testing.memory`), an
implementation of the ports in `tierdesk.services.ports` that service, web and integration tests
and the benchmarks run on. No product package imports it (an import-linter contract,
pyproject.toml); a running helpdesk stores on SQLite or PostgreSQL (`tierdesk.adapters.db`).
The settable clock the tests use is product code: `tierdesk.services.fake_clock.FakeClock`.
"""
