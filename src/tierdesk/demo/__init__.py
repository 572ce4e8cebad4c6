"""Demo data: users for every role, an approved policy and a month of realistic tickets.

`seed(env, now=...)` fills an empty helpdesk so every screen and report has something to show
(`tierdesk serve --demo`). Everything goes through the service functions, as a team would do
it: a simulated clock walks through the 30 days before `now`, each ticket lives its life (open
on email, web, LINE or phone, assign, replies, some from templates, internal notes, pending and
resume, escalations, approvals approved and denied, recovery actions, resolve, reopen, close,
CSAT/NPS survey answers) and the SLA sweeper runs every 20 simulated minutes, so warnings,
breaches and R-ESC-1 escalations happen when they would. Texts are in English and Traditional
Chinese (`tierdesk.demo.texts`).

Demo sign-ins: every demo user's password is `DEMO_PASSWORD` ("tierdesk-demo"), returned in the
summary so `serve --demo` can print it. The same `seed` gives the same tickets, texts, statuses
and scores (record ids and survey tokens are random). A store with tickets is refused.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from tierdesk.demo.life import DAYS, simulate
from tierdesk.demo.sim import Sim
from tierdesk.domain.errors import TierdeskError
from tierdesk.policy.loader import preset_path
from tierdesk.services import kb, kb_files, policies, users
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.kb_records import ArticleFilter
from tierdesk.services.records import TicketFilter, UserRecord

__all__ = ["DEMO_PASSWORD", "USERS", "DemoRefused", "DemoSummary", "DemoUser", "seed"]

DEMO_PASSWORD = "tierdesk-demo"  # noqa: S105 - the documented demo sign-in, printed on start

# (username, display name, role, language): every role, several agents at L1 and L2.
USERS: tuple[tuple[str, str, str, str], ...] = (
    ("l1.amy", "Amy Lin", "agent_l1", "en"),
    ("l1.ben", "Ben Wu", "agent_l1", "en"),
    ("l1.mei", "林美玲", "agent_l1", "zh-TW"),
    ("l2.chen", "陳志明", "agent_l2", "zh-TW"),
    ("l2.dana", "Dana Hsu", "agent_l2", "en"),
    ("l3.eric", "Eric Tsai", "agent_l3", "en"),
    ("lead.fang", "方怡君", "team_lead", "zh-TW"),
    ("sup.grace", "Grace Lee", "supervisor", "en"),
    ("mgr.henry", "Henry Chang", "manager", "en"),
    ("qa.ivy", "Ivy Huang", "qa", "en"),
    ("admin.jack", "Jack Lai", "admin", "en"),
)


class DemoRefused(TierdeskError, ValueError):  # noqa: N818 - reads as what happened
    """The store is not empty: demo data only ever goes into a fresh helpdesk."""

    code = "demo_refused"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    """What `seed` made: the sign-ins, the number of tickets and tickets per status, the
    policy version in force, and how many planned steps a service refused (0 normally)."""

    users: tuple[DemoUser, ...]
    password: str
    tickets: int
    statuses: dict[str, int]
    policy_version_id: str
    refused_steps: int = 0


def seed(
    env: Env,
    *,
    now: datetime,
    tickets: int = 300,
    seed: int = 7,
    hash_password: Callable[[str], str] | None = None,
) -> DemoSummary:
    """Fill an empty helpdesk: the `USERS`, an effective cs-sop policy version every agent and
    lead acknowledged (R-DOC-3), and `tickets` tickets (plus a few duplicates, merged) over
    the 30 days before `now`. `hash_password` hashes the demo password (default: argon2id
    from `tierdesk.bootstrap`). Raises DemoRefused when the store has tickets, ValueError for
    a naive `now` or fewer than one ticket."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"demo seed: `now` must be an aware time, got naive {now}")
    if tickets < 1:
        raise ValueError(f"demo seed: tickets must be at least 1, got {tickets}")
    with env.uow() as uow:
        if uow.tickets.search(TicketFilter(), limit=1).items:
            raise DemoRefused("the helpdesk already has tickets; demo data needs an empty one")
    clock = FakeClock(now - timedelta(days=DAYS, hours=3))
    demo_env = replace(env, clock=clock)
    made = _users(demo_env, (hash_password or _default_hasher())(DEMO_PASSWORD))
    version_id = _policy(demo_env, clock, made)
    _articles(demo_env, clock, made)
    by_role: dict[str, list[str]] = {}
    for user in made.values():
        by_role.setdefault(user.role, []).append(user.id)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    refused = simulate(Sim(demo_env, clock, rng, by_role), now, tickets)
    with env.uow() as uow:
        page = uow.tickets.search(TicketFilter(), limit=1_000_000)
    statuses = dict(sorted(Counter(str(t.status) for t in page.items).items()))
    signins = tuple(DemoUser(u, name, role, DEMO_PASSWORD) for u, name, role, _ in USERS)
    return DemoSummary(signins, DEMO_PASSWORD, len(page.items), statuses, version_id, refused)


def _default_hasher() -> Callable[[str], str]:
    from tierdesk import bootstrap  # the composition root, only when no hasher was given

    return bootstrap.hash_password


def _users(env: Env, password_hash: str) -> dict[str, UserRecord]:
    return {
        name: users.add_user(
            env,
            username=name,
            display_name=display,
            role=role,
            actor_id=None,
            email=f"{name}@tierdesk.example",
            language=lang,
            password_hash=password_hash,
        )
        for name, display, role, lang in USERS
    }


ARTICLES = Path(__file__).with_name("kb")  # <slug>.<language>.md, as `tierdesk kb import` reads


def _articles(env: Env, clock: FakeClock, made: dict[str, UserRecord]) -> None:
    """The knowledge base's first articles (en and zh-TW), written by an L1 agent and published
    by the team lead: what the ticket page suggests, the contact page offers and the Top 10
    Contact Reasons count as "article available"."""
    author, lead = made["l1.mei"].id, made["lead.fang"].id
    kb_files.import_dir(env, ARTICLES, actor_id=author)
    articles = kb.list_articles(env, ArticleFilter(), actor_id=author, limit=200)
    for article in sorted(articles, key=lambda a: a.article.slug):
        for t in sorted(article.translations, key=lambda t: t.language):
            clock.advance(timedelta(minutes=2))
            kb.submit(env, article_id=article.article.id, language=t.language, actor_id=author)
            kb.publish(env, article_id=article.article.id, language=t.language, actor_id=lead)


def _policy(env: Env, clock: FakeClock, made: dict[str, UserRecord]) -> str:
    """The cs-sop preset, proposed by the supervisor, approved by the manager (a named
    approver) and acknowledged by every agent and lead (R-DOC-3). Returns its id."""
    draft = policies.propose_version(
        env,
        source=preset_path("cs-sop").read_text(encoding="utf-8"),
        title="Customer Service SOP (cs-sop)",
        actor_id=made["sup.grace"].id,
        change_note="First version, from the cs-sop framework.",
    )
    clock.advance(timedelta(minutes=40))
    policies.approve_version(
        env, version_id=draft.id, actor_id=made["mgr.henry"].id, note="Approved for rollout."
    )
    for user in made.values():
        if user.role not in ("qa", "admin"):
            clock.advance(timedelta(minutes=3))
            policies.acknowledge(env, version_id=draft.id, actor_id=user.id)
    return draft.id
