"""The SOP version page (/sop/versions/{id}) beside the comparison it shows.

    .venv/bin/python bench/sop_version_page.py [--views 5]

On the in-memory store (tests/web/web_desk.py) with the cs-sop preset in force, a supervisor
proposes it again with one SLA target changed; a manager then opens the draft's page --views
times. Each view is timed beside one uncached `services.policies.changes` of the same pair
(loading both versions and comparing them by meaning, which the page shows). The first view
compares; later views take the comparison from the page's cache (keyed by both versions' ids
and digests: stored versions never change). Prints each view's ratio page / uncached compare.
Asserts nothing about time. Bounded: --views (at most 50).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "web"))

from console_client import signed_in  # noqa: E402
from web_desk import web_desk  # noqa: E402

from tierdesk.policy import rulebook  # noqa: E402
from tierdesk.policy.loader import preset_path  # noqa: E402
from tierdesk.services import policies  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=5)
    views = min(max(parser.parse_args().views, 1), 50)
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    faster = source.replace("first_response: 1h", "first_response: 30m", 1)
    with web_desk(rulebook(preset="cs-sop")) as desk:
        first = policies.propose_version(
            desk.env, title="v1", source=source, actor_id=desk.user["supervisor"]
        )
        policies.approve_version(desk.env, version_id=first.id, actor_id=desk.user["manager"])
        draft = policies.propose_version(
            desk.env, title="v2", source=faster, actor_id=desk.user["supervisor"]
        )
        manager = signed_in(desk, "manager")
        for i in range(views):
            t = time.perf_counter()
            r = manager.get(f"/sop/versions/{draft.id}")
            page = time.perf_counter() - t
            assert r.status_code == 200 and "priorities.P2.first_response" in r.text
            t = time.perf_counter()
            policies.changes(desk.env, draft.id, first.id)
            compare = time.perf_counter() - t
            print(f"view {i + 1}: page / uncached compare = {page / compare:.2f}")


if __name__ == "__main__":
    main()
