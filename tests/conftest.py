"""Settings for the whole suite, serial or under pytest-xdist (`pytest -n 2`).

Each process that runs tests (the one process of a serial run, or each xdist worker gw0, gw1,
...) gets state of its own, so workers never share anything a test writes:

- the CLI's compiled-policy cache (TIERDESK_CACHE_DIR): a temporary directory of the process,
  removed at its end, never the user's ~/.cache/tierdesk;
- tierdesk's var_dir (TIERDESK_VAR_DIR, default ./var: the secret key, the SQLite file, mail
  blobs): a temporary directory of the process too, never `var/` in the checkout, which every
  worker would share (a test that wants its own passes var_dir or sets the variable);
- PostgreSQL (TIERDESK_TEST_POSTGRES_URL): an xdist worker rewrites the URL to a database of
  its own, `<database>_<worker>` (tierdesk_test_gw0, ...), created on demand by connecting to
  the server's `postgres` database as the URL's role (which may CREATEDB: .ci/postgres.sh).
  The database is kept for the next run; the tests make and drop their own schemas in it.
- ports: the helpers bind port 0 (uvicorn, tests/web/browser.py) or take a free port from the
  worker's own slice of 8600-8699 (mail servers, tests/integration/mailservers.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time

import pytest

# The directories this run made (variable: marker of ours): a worker inherits them from the xdist
# controller and makes its own instead; a directory the user set is kept.
_OWN = {
    "TIERDESK_CACHE_DIR": "TIERDESK_TEST_OWN_CACHE_DIR",
    "TIERDESK_VAR_DIR": "TIERDESK_TEST_OWN_VAR_DIR",
}
_made = pytest.StashKey[list[str]]()


def worker() -> str | None:
    """This process's xdist worker id (gw0, gw1, ...); None in a serial run."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def worker_database_url(url: str, name: str) -> str:
    """`url` naming the database of worker `name` on the same server (created if missing)."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    database = f"{parsed.database or 'tierdesk_test'}_{name}"
    admin = sa.create_engine(
        parsed.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    try:
        for attempt in range(5):
            with admin.connect() as conn:
                found = conn.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
                ).first()
                if found:
                    break
                try:
                    conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
                    break
                except sa.exc.DBAPIError:
                    # Another run made it at the same moment, or template1 was busy
                    # (CREATE DATABASE copies it): look again.
                    if attempt == 4:
                        raise
                    time.sleep(0.2 * (attempt + 1))
    finally:
        admin.dispose()
    return parsed.set(database=database).render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    me = worker()
    config.stash[_made] = []
    for name, own in _OWN.items():
        given = os.environ.get(name)
        if given is None or given == os.environ.get(own):
            kind = name.removeprefix("TIERDESK_").removesuffix("_DIR").lower()
            made = tempfile.mkdtemp(prefix=f"tierdesk-test-{kind}-{me or 'main'}-")
            os.environ[name] = os.environ[own] = made
            config.stash[_made].append(made)

    url = os.environ.get("TIERDESK_TEST_POSTGRES_URL", "").strip()
    if me is not None and url:
        try:
            os.environ["TIERDESK_TEST_POSTGRES_URL"] = worker_database_url(url, me)
        except Exception as exc:
            if os.environ.get("TIERDESK_REQUIRE_POSTGRES") == "1":
                raise pytest.UsageError(
                    f"TIERDESK_REQUIRE_POSTGRES=1 but worker {me} could not create its "
                    f"database on {url}: {exc}"
                ) from exc
            # Not required: the worker shares the given database (every test module makes
            # a schema of its own there, so that is still safe); the PG tests report errors.
            config.issue_config_time_warning(
                pytest.PytestWarning(f"worker {me}: no database of its own ({exc})"), stacklevel=2
            )


def pytest_unconfigure(config: pytest.Config) -> None:
    for made in config.stash.get(_made, []):
        shutil.rmtree(made, ignore_errors=True)
