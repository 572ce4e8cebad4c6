"""The simulation: every ticket lives its life in time order while the SLA sweeper runs.

Each ticket is a generator of steps: it does one thing through a service function and yields
how long until its next step. `simulate` keeps the lives in a heap by time, sets the simulated
clock to each step's time and stops at `now`, so recent tickets are left where a real team
would be with them: new, open, waiting on the customer or resolved and not yet closed.
"""

from __future__ import annotations

import heapq
import logging
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tierdesk.demo.flows import FLOWS, Life
from tierdesk.demo.sim import Sim
from tierdesk.demo.texts import CLOSING, FOLLOW_UPS, NAMES, TOPICS, Topic
from tierdesk.domain.templates import render
from tierdesk.services import conversation, lifecycle
from tierdesk.services.customers import Contact
from tierdesk.services.errors import ServiceError
from tierdesk.services.outbox import deliver
from tierdesk.services.records import OutboxRecord, TicketRecord
from tierdesk.services.sweep import sweep
from tierdesk.services.tickets import open_ticket

log = logging.getLogger("tierdesk.demo")

DAYS = 30
SWEEP_EVERY = timedelta(minutes=20)
FRESH = 3  # the newest tickets, opened in the last half hour and not yet touched
TAIPEI = ZoneInfo("Asia/Taipei")
CHANNELS = (("email", 40), ("web", 20), ("line", 25), ("phone", 15))


def simulate(sim: Sim, now: datetime, count: int) -> int:
    """Open `count` tickets over the `DAYS` before `now` and run their lives and the sweeper
    in time order up to `now`. Returns how many steps a service refused (each logged; the
    life of that ticket ends there)."""
    start = now - timedelta(days=DAYS)
    queue: list[tuple[datetime, int, Life]] = [
        (at, i, _life(sim, fresh=i >= count - FRESH))
        for i, at in enumerate(_arrivals(sim.rng, start, now, count))
    ]
    queue.append((start, count, _sweeper(sim)))
    heapq.heapify(queue)
    refused = 0
    while queue:
        at, key, life = heapq.heappop(queue)
        if at > now:
            continue
        sim.clock.set(at)
        try:
            heapq.heappush(queue, (at + next(life), key, life))
        except StopIteration:
            continue
        except ServiceError as exc:
            refused += 1
            log.warning("demo step refused (%s): %s", exc.code, exc.message)
    return refused


def _arrivals(rng: random.Random, start: datetime, now: datetime, count: int) -> list[datetime]:
    """Creation times, oldest first: mostly in Taipei's waking hours, the last `FRESH` within
    the last half hour."""
    weights = [6 if 9 <= h < 18 else 3 if 7 <= h < 23 else 1 for h in range(24)]
    times = []
    for _ in range(max(count - FRESH, 0)):
        day = (start + timedelta(days=rng.randrange(DAYS))).astimezone(TAIPEI)
        hour = rng.choices(range(24), weights=weights)[0]
        local = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        at = local.astimezone(start.tzinfo)
        at += timedelta(days=1) if at < start else timedelta(0)  # the first local day began earlier
        times.append(min(at, now - timedelta(hours=1)))
    fresh = [now - timedelta(minutes=28 - 10 * i) for i in range(min(FRESH, count))]
    return sorted(times) + fresh


def _sweeper(sim: Sim) -> Life:
    """The background work of the period: the SLA sweeper, and the outbox delivered as it
    would have been (to nobody: the demo's customers are made up), so only the messages of
    the last minutes before `now` are still waiting for the real sender."""
    while True:
        sweep(sim.env)
        while deliver(sim.env, _nowhere, limit=500).claimed == 500:
            pass
        yield SWEEP_EVERY


def _nowhere(message: OutboxRecord) -> None:
    """A sender for the simulated past."""


def _contact(sim: Sim, topic: Topic, lang: str, channel: str) -> tuple[Contact, bool]:
    """(the customer, whether they wrote about this before): now and then a returning
    customer (a repeat contact, R-ESC-5), else a new one reachable on `channel`."""
    seen = sim.recent.setdefault(topic.key, [])
    same_lang = [c for c in seen[-6:] if c.language == lang]
    if same_lang and sim.rng.random() < 0.12:
        return sim.rng.choice(same_lang), True
    sim.serial += 1
    given, family = (sim.rng.choice(names) for names in NAMES[lang])
    name = f"{family}{given}" if lang == "zh-TW" else f"{given} {family}"
    if channel == "line":
        kind, value = "line", f"U{sim.rng.getrandbits(128):032x}"
    elif channel == "phone":
        kind, value = "phone", f"+8869{sim.rng.randrange(10**8):08d}"
    else:
        kind, value = "email", f"customer{sim.serial}@example.{'tw' if lang == 'zh-TW' else 'com'}"
    contact = Contact(kind, value, name=name, language=lang)
    seen.append(contact)
    return contact, False


def _life(sim: Sim, *, fresh: bool) -> Life:
    """One ticket from first contact to survey answer (or as far as `now` lets it get)."""
    rng = sim.rng
    topic = rng.choices(TOPICS, weights=[t.weight for t in TOPICS])[0]
    lang = "zh-TW" if rng.random() < (0.6 if topic.zh_first else 0.4) else "en"
    channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
    contact, returning = _contact(sim, topic, lang, channel)
    text = topic.text(rng, lang, follow_up=returning)
    logger = sim.agent("agent_l1") if channel == "phone" else None
    opened = open_ticket(sim.env, channel=channel, text=text, contact=contact, actor_id=logger)
    ticket = opened.ticket
    if logger is not None:
        seconds = rng.randrange(180, 900)
        lifecycle.log_call(
            sim.env,
            ticket_id=ticket.id,
            actor_id=sim.holder(ticket.id, logger),
            started_at=sim.clock.now() - timedelta(seconds=seconds),
            duration_seconds=seconds,
            note=topic.say(rng, lang, "note"),
        )
    if fresh:
        return
    if rng.random() < 0.04:
        yield from _duplicate(sim, ticket, contact, text)
    yield _first_touch(sim, sim.ticket(ticket.id))
    yield from _work(sim, topic, lang, ticket.id)


def _first_touch(sim: Sim, ticket: TicketRecord) -> timedelta:
    if ticket.tier == "L1":
        return sim.minutes(1, 6)
    return sim.minutes(10, 150) if ticket.tier == "L2" else sim.minutes(5, 60)


def _duplicate(sim: Sim, ticket: TicketRecord, contact: Contact, text: str) -> Life:
    """The customer sends the same request again minutes later; a team lead merges it."""
    yield sim.minutes(1, 4)
    dup = open_ticket(sim.env, channel=ticket.channel, text=text, contact=contact).ticket
    yield sim.minutes(1, 5)
    lead = sim.agent("team_lead")
    reason = "same request sent twice"
    lifecycle.merge(sim.env, source_id=dup.id, target_id=ticket.id, actor_id=lead, reason=reason)


def _work(sim: Sim, topic: Topic, lang: str, ticket_id: str) -> Life:
    rng = sim.rng
    agent = sim.take(ticket_id)
    reply(sim, topic, lang, ticket_id, agent)
    if rng.random() < 0.35:
        yield sim.minutes(0.5, 3)
        note = topic.say(rng, lang, "note")
        conversation.add_note(
            sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent), body=note
        )
    yield from FLOWS[topic.flow](sim, topic, lang, ticket_id, agent)
    yield sim.minutes(0.5, 3)
    agent = sim.take(ticket_id)  # the tier may have changed (escalations)
    yield from _wait_on_customer(sim, topic, lang, ticket_id, agent)
    yield from _finish(sim, topic, lang, ticket_id, agent)


def reply(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> None:
    """A reply: from the topic's template (one in five sent unedited, which R-TPL-1 flags)
    or in the agent's own words, signed with the agent's and the company's name (mostly)."""
    rng = sim.rng
    template = sim.env.rules.template(topic.template)
    edited = True
    if template is None or rng.random() < 0.4:
        body, template_id = topic.say(rng, lang, "reply"), None
    else:
        ticket = sim.ticket(ticket_id)
        values = {
            "name": sim.customer_name(ticket),
            "ticket_id": ticket.id,
            "business": sim.env.rules.business,
            "issue": ticket.subject,
        }
        timeline, next_steps, action = "", "", ""
        edited = rng.random() >= 0.2  # else sent with nothing added: flagged unedited
        if edited:
            timeline, next_steps = CLOSING[lang]
            action = topic.say(rng, lang, "action")
        values |= {"action": action, "timeline": timeline, "next_steps": next_steps}
        body, template_id = render(template.body.get(lang), values, lang), template.id
    author = sim.holder(ticket_id, agent)
    if edited and rng.random() < 0.85:  # most sign; the rest miss QA's greeting item
        body = f"{body}\n{sim.signature(author, lang)}"
    conversation.reply(
        sim.env, ticket_id=ticket_id, actor_id=author, body=body, template_id=template_id
    )


def _wait_on_customer(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    """Three times in ten: ask the customer for something; they answer hours or days later
    (or the agent follows up), then the agent replies."""
    rng = sim.rng
    if rng.random() >= 0.3:
        return
    reason = topic.say(rng, lang, "ask")
    conversation.set_pending(
        sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent), reason=reason
    )
    if rng.random() < 0.75:
        yield sim.minutes(30, 60 * 24)
        answer = rng.choice(FOLLOW_UPS[lang][:-1])
        conversation.customer_message(sim.env, ticket_id=ticket_id, body=answer)
    else:  # the customer goes quiet; the agent follows up days later
        yield sim.minutes(60 * 24 * 3, 60 * 24 * 5)
        conversation.resume(
            sim.env,
            ticket_id=ticket_id,
            actor_id=sim.holder(ticket_id, agent),
            reason="following up",
        )
    l1 = sim.ticket(ticket_id).tier == "L1"
    yield sim.minutes(1, 4) if l1 else sim.minutes(10, 120)
    reply(sim, topic, lang, ticket_id, agent)


def _finish(sim: Sim, topic: Topic, lang: str, ticket_id: str, agent: str) -> Life:
    """Resolve; now and then the customer says it is not fixed (reopened); close a day or
    more later (the survey goes out) unless the customer never confirmed; some answer it."""
    rng = sim.rng
    # L1 resolves in the same interaction (R-TIER-1); higher tiers investigate first.
    l1 = sim.ticket(ticket_id).tier == "L1"
    yield sim.minutes(1, 4) if l1 else sim.minutes(30, 60 * 48)
    summary = topic.say(rng, lang, "summary")
    lifecycle.resolve(
        sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent), summary=summary
    )
    if rng.random() < 0.06:
        yield sim.minutes(60, 600)
        conversation.customer_message(sim.env, ticket_id=ticket_id, body=FOLLOW_UPS[lang][-1])
        yield sim.minutes(20, 120)
        reply(sim, topic, lang, ticket_id, agent)
        lifecycle.resolve(
            sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent), summary=summary
        )
    if rng.random() < 0.08:
        return
    yield sim.minutes(60 * 20, 60 * 72)
    lifecycle.close(sim.env, ticket_id=ticket_id, actor_id=sim.holder(ticket_id, agent))
    if rng.random() < 0.35:
        return
    yield sim.minutes(30, 60 * 24)
    _answer_survey(sim, ticket_id)


def _answer_survey(sim: Sim, ticket_id: str) -> None:
    """CSAT 1-5 leaning satisfied, NPS 0-10 in line with it."""
    rng = sim.rng
    with sim.env.uow() as uow:
        surveys = uow.surveys.for_ticket(ticket_id)
    csat = rng.choices([1, 2, 3, 4, 5], weights=[4, 5, 11, 32, 48])[0]
    nps = max(0, min(10, csat * 2 + rng.choice([-2, -1, 0, 0, 1])))
    for survey in surveys[-1:]:
        lifecycle.answer_survey(sim.env, token=survey.token, csat=csat, nps=nps)
