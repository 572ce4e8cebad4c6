"""The metric definitions as set-based SQL (SQLAlchemy Core; SQLite, PostgreSQL and DuckDB).

docs/metrics.md states each definition in words; this module is the one place they are written
as queries. Everything is computed by the database: the statements here take a `Scope` and
return a handful of aggregate rows, never one row per ticket.

The building blocks (each a CTE):
- `tk`, the cohort: tickets created in the scope's range that were not merged into another,
  with their priority's calendar and targets (from the policy) and epoch times;
- `stops`, every interval in which a ticket's SLA clocks did not run: waiting on the customer
  (clock_paused .. clock_resumed) and resolved or closed until reopened. Business time between
  two instants of a ticket is the calendar's open time between them less the open time of the
  ticket's stops in between (`business()`), as `tierdesk.domain.sla` counts it;
- `cycles`, the next-reply cycles: from the first customer message after an agent reply to the
  next agent reply (open while there is none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tierdesk.analytics.business import clock_join
from tierdesk.analytics.scope import Scope, Tables
from tierdesk.analytics.sqlfn import count_if, epoch, floor_div, greatest, least
from tierdesk.domain.rulebook import Rulebook

Query = sa.Select[*tuple[Any, ...]]
STOPPING = ("clock_paused", "resolved", "closed", "merged")
RUNNING = ("clock_resumed", "reopened")
DONE = ("resolved", "closed")  # statuses of a ticket whose work is finished
_FAR = 1e12  # epoch seconds beyond any data (year 33658)


@dataclass(frozen=True)
class Ctx:
    """One report period's shared pieces: the tables, the calendar table, the cohort CTE."""

    t: Tables
    bdays: sa.CTE
    tk: sa.CTE
    stops: sa.CTE
    now: float  # epoch seconds of the report's "now"
    dur: sa.CTE | None = None  # `durations(self)` computed once (DuckDB), else None
    cycles: sa.CTE | None = None  # `reply_cycles(self)` computed once (DuckDB), else None


def _cases(rules: Rulebook, column: sa.ColumnElement[Any], values: dict[str, Any]) -> Any:
    whens = [(column == key, sa.literal(v)) for key, v in values.items() if v is not None]
    return sa.case(*whens, else_=sa.null()) if whens else sa.null()


def filters(t: Tables, scope: Scope) -> list[sa.ColumnElement[bool]]:
    """The scope's filters on the tickets table (channel, tier, team = queue, agent =
    assignee, category)."""
    c = t.tickets.c
    pairs = (
        (c.channel, scope.channel),
        (c.tier, scope.tier),
        (c.queue, scope.team),
        (c.assignee_id, scope.agent),
        (c.category, scope.category),
    )
    return [column.in_(wanted) for column, wanted in pairs if wanted]


def cohort(t: Tables, rules: Rulebook, scope: Scope) -> sa.CTE:
    """The `tk` CTE (see the module doc)."""
    tickets = t.tickets.c
    prio = tickets.priority

    def secs(attr: str) -> dict[str, Any]:
        out = {}
        for p in rules.priorities:
            value = getattr(p, attr)
            out[p.id] = None if value is None else value.total_seconds()
        return out

    def channel_targets(attr: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c in rules.channel_targets:
            value = getattr(c, attr)
            out[c.channel] = value if isinstance(value, str) else value.total_seconds()
        return out

    cond = [
        tickets.created_at >= scope.since,
        tickets.created_at < scope.until,
        tickets.status != "merged",
    ]
    cond += filters(t, scope)
    return (
        sa.select(
            tickets.id,
            tickets.channel,
            tickets.tier,
            tickets.priority,
            tickets.category,
            tickets.status,
            tickets.reopen_count,
            tickets.escalation_count,
            tickets.related_to,
            tickets.reply_count,
            tickets.csat,
            tickets.nps,
            _cases(rules, prio, {p.id: p.clock for p in rules.priorities}).label("cal"),
            _cases(rules, prio, secs("first_response")).label("t_fr"),
            _cases(rules, prio, secs("next_reply")).label("t_nr"),
            _cases(rules, prio, secs("resolution")).label("t_res"),
            sa.cast(_cases(rules, tickets.channel, channel_targets("clock")), sa.String).label(
                "ch_cal"
            ),
            sa.cast(
                _cases(rules, tickets.channel, channel_targets("first_response")), sa.Float
            ).label("t_ch"),
            epoch(tickets.created_at).label("xc"),
            epoch(tickets.first_response_at).label("xf"),
            epoch(sa.func.coalesce(tickets.resolved_at, tickets.closed_at)).label("xr"),
        )
        .where(*cond)
        .cte("tk")
        .prefix_with("MATERIALIZED")
    )


def stop_intervals(t: Tables, tk: sa.CTE) -> sa.CTE:
    """The `stops` CTE: (ticket_id, xa, xb) with xb NULL while the clocks are still stopped."""
    e = t.ticket_events.c
    x = epoch(e.at)
    ev = (
        sa.select(
            e.ticket_id,
            e.kind,
            x.label("xa"),
            sa.func.lead(x).over(partition_by=e.ticket_id, order_by=e.seq).label("xb"),
        )
        .where(e.kind.in_(STOPPING + RUNNING), e.ticket_id.in_(sa.select(tk.c.id)))
        .subquery("ev")
    )
    return (
        sa.select(ev.c.ticket_id, ev.c.xa, ev.c.xb)
        .where(ev.c.kind.in_(STOPPING))
        .cte("stops")
        .prefix_with("MATERIALIZED")
    )


def business(ctx: Ctx, spans: sa.CTE, keys: tuple[str, ...], name: str) -> sa.CTE:
    """Business seconds of each row of `spans` (columns `keys`, `ticket_id`, `cal`, `a`, `b`):
    from epoch `a` to `b` on the calendar `cal`, the ticket's stops left out. A CTE of the
    `keys` and `secs`, by joins: each instant to its calendar segment (`clock_join`), each
    span to the ticket's stops that overlap it, one aggregate per span for the stops."""
    v = spans.c
    ga, on_a, fa = clock_join(ctx.bdays, v.cal, v.a, f"{name}_ga")
    gb, on_b, fb = clock_join(ctx.bdays, v.cal, v.b, f"{name}_gb")
    whole = (
        sa.select(*(v[k] for k in keys), (fb - fa).label("whole"))
        .select_from(spans.outerjoin(ga, on_a).outerjoin(gb, on_b))
        .subquery(f"{name}_whole")
    )
    s = ctx.stops.alias(f"{name}_s")
    end = least(sa.func.coalesce(s.c.xb, v.b), v.b)
    start = greatest(s.c.xa, v.a)
    ge, on_e, fe = clock_join(ctx.bdays, v.cal, end, f"{name}_ge")
    gs, on_s, fs = clock_join(ctx.bdays, v.cal, start, f"{name}_gs")
    overlap = sa.and_(
        s.c.ticket_id == v.ticket_id, s.c.xa < v.b, sa.func.coalesce(s.c.xb, _FAR) > v.a
    )
    stopped = (
        sa.select(*(v[k] for k in keys), sa.func.sum(fe - fs).label("stopped"))
        .select_from(spans.join(s, overlap).outerjoin(ge, on_e).outerjoin(gs, on_s))
        .group_by(*(v[k] for k in keys))
        .subquery(f"{name}_stopped")
    )
    w, st = whole.c, stopped.c
    return (
        sa.select(
            *(w[k] for k in keys),
            (w.whole - sa.func.coalesce(st.stopped, 0.0)).label("secs"),
        )
        .select_from(whole.outerjoin(stopped, sa.and_(*(st[k] == w[k] for k in keys))))
        .cte(name)
        .prefix_with("MATERIALIZED")
    )


def durations(ctx: Ctx) -> sa.CTE:
    """`dur`: each cohort ticket with its business first-response and resolution seconds
    (NULL until they happen) and, while still owed, the business seconds used up to now; with
    a channel first-response target (`t_ch`), the same first response on the channel's
    calendar (`fr_ch`, `fr_ch_open`)."""
    if ctx.dur is not None:
        return ctx.dur
    return durations_query(ctx).cte("dur").prefix_with("MATERIALIZED")


def durations_query(ctx: Ctx) -> Query:
    """The select of `durations`."""
    tk = ctx.tk.c
    now = sa.literal(ctx.now)
    active = ~tk.status.in_(DONE)
    has_ch = tk.t_ch.is_not(None)

    def span(tag: str, cal: Any, b: Any, when: Any) -> Any:
        return sa.select(
            tk.id.label("ticket_id"),
            sa.literal(tag).label("tag"),
            cal.label("cal"),
            tk.xc.label("a"),
            b.label("b"),
        ).where(when)

    owed = sa.and_(active, sa.or_(tk.xf.is_(None), tk.xr.is_(None)))
    spans = (
        sa.union_all(
            span("fr", tk.cal, tk.xf, tk.xf.is_not(None)),
            span("res", tk.cal, tk.xr, tk.xr.is_not(None)),
            span("now", tk.cal, now, owed),
            span("ch", tk.ch_cal, tk.xf, sa.and_(has_ch, tk.xf.is_not(None))),
            span("ch_now", tk.ch_cal, now, sa.and_(has_ch, tk.xf.is_(None), active)),
        )
        .cte("dur_spans")
        .prefix_with("MATERIALIZED")
    )
    secs = business(ctx, spans, ("ticket_id", "tag"), "dur_b")
    b = secs.c

    def pick(tag: str) -> Any:
        return sa.func.max(sa.case((b.tag == tag, b.secs), else_=sa.null()))

    per = (
        sa.select(
            b.ticket_id,
            pick("fr").label("fr"),
            pick("res").label("res"),
            pick("now").label("open"),
            pick("ch").label("fr_ch"),
            pick("ch_now").label("fr_ch_open"),
        )
        .group_by(b.ticket_id)
        .subquery("dur_per")
    )
    p = per.c
    return sa.select(
        *tk,
        p.fr,
        p.res,
        sa.case((sa.and_(tk.xf.is_(None), active), p.open), else_=sa.null()).label("fr_open"),
        sa.case((sa.and_(tk.xr.is_(None), active), p.open), else_=sa.null()).label("res_open"),
        p.fr_ch,
        p.fr_ch_open,
    ).select_from(ctx.tk.outerjoin(per, p.ticket_id == tk.id))


def reply_cycles(ctx: Ctx) -> sa.CTE:
    """`cycles`: (ticket, priority, target, business seconds or NULL, used so far or NULL)."""
    if ctx.cycles is not None:
        return ctx.cycles
    return reply_cycles_query(ctx).cte("cycles").prefix_with("MATERIALIZED")


def reply_cycles_query(ctx: Ctx) -> Query:
    """The select of `reply_cycles`."""
    m = ctx.t.messages.c
    tk = ctx.tk.c
    n = sa.func.sum(sa.case((m.kind == "reply", 1), else_=0)).over(
        partition_by=m.ticket_id, order_by=(m.created_at, m.row_id)
    )
    numbered = (
        sa.select(m.ticket_id, m.kind, epoch(m.created_at).label("x"), n.label("n"))
        .where(m.kind.in_(("customer", "reply")), m.ticket_id.in_(sa.select(tk.id)))
        .cte("numbered")
        .prefix_with("MATERIALIZED")
    )
    starts = (
        sa.select(numbered.c.ticket_id, numbered.c.n, sa.func.min(numbered.c.x).label("xs"))
        .where(numbered.c.kind == "customer", numbered.c.n >= 1)
        .group_by(numbered.c.ticket_id, numbered.c.n)
        .subquery("starts")
    )
    replies = (
        sa.select(numbered.c.ticket_id, numbered.c.n, numbered.c.x.label("xe"))
        .where(numbered.c.kind == "reply")
        .subquery("replies")
    )
    joined = (
        sa.select(
            starts.c.ticket_id,
            starts.c.n,
            starts.c.xs,
            replies.c.xe,
            tk.cal,
            tk.t_nr,
            tk.priority,
            tk.status,
        )
        .select_from(
            starts.join(ctx.tk, ctx.tk.c.id == starts.c.ticket_id).outerjoin(
                replies,
                sa.and_(replies.c.ticket_id == starts.c.ticket_id, replies.c.n == starts.c.n + 1),
            )
        )
        .subquery("joined")
    )
    j = joined.c
    active = ~j.status.in_(DONE)
    spans = (
        sa.select(
            j.ticket_id,
            j.n,
            j.cal,
            j.xs.label("a"),
            sa.func.coalesce(j.xe, sa.literal(ctx.now)).label("b"),
        )
        .where(sa.or_(j.xe.is_not(None), active))
        .cte("cycle_spans")
        .prefix_with("MATERIALIZED")
    )
    secs = business(ctx, spans, ("ticket_id", "n"), "cyc_b")
    b = secs.c
    return sa.select(
        j.ticket_id,
        j.priority,
        j.t_nr,
        sa.case((j.xe.is_not(None), b.secs), else_=sa.null()).label("nr"),
        sa.case((sa.and_(j.xe.is_(None), active), b.secs), else_=sa.null()).label("nr_open"),
    ).select_from(joined.outerjoin(secs, sa.and_(b.ticket_id == j.ticket_id, b.n == j.n)))


def linked_later(t: Tables) -> sa.Subquery:
    """Tickets that a later contact was linked to as a repeat of the same issue."""
    c = t.tickets.c
    return (
        sa.select(c.related_to.label("first_id"), sa.func.count().label("repeats"))
        .where(c.related_to.is_not(None))
        .group_by(c.related_to)
        .subquery("linked")
    )


def ticket_totals(ctx: Ctx, slices: tuple[float, float] | None = None) -> Query:
    """The cohort's counts, rates and means (see docs/metrics.md): one row, or with
    `slices` = (start epoch, length in seconds) one row per slice of creation time (`slice`
    0, 1, ...), with the first-response SLA counts (the report's trend lines)."""
    dur = durations(ctx)
    d = dur.c
    linked = linked_later(ctx.t)
    done = d.xr.is_not(None)
    first_contact = sa.and_(
        done,
        d.reopen_count == 0,
        d.escalation_count == 0,
        d.reply_count <= 1,
        linked.c.first_id.is_(None),
    )
    columns = [
        sa.func.count().label("tickets"),
        count_if(done).label("resolved"),
        count_if(first_contact).label("first_contact"),
        count_if(d.escalation_count > 0).label("escalated"),
        count_if(sa.and_(done, d.reopen_count > 0)).label("reopened"),
        count_if(d.related_to.is_not(None)).label("repeats"),
        sa.func.avg(d.csat).label("csat_mean"),
        sa.func.count(d.csat).label("csat_answers"),
        count_if(d.csat >= 4).label("csat_satisfied"),
        sa.func.count(d.nps).label("nps_answers"),
        count_if(d.nps >= 9).label("promoters"),
        count_if(d.nps <= 6).label("detractors"),
        sa.func.avg(d.fr).label("first_response_mean"),
        sa.func.avg(d.res).label("resolution_mean"),
    ]
    stmt = sa.select(*columns).select_from(dur.outerjoin(linked, linked.c.first_id == d.id))
    if slices is None:
        return stmt
    part = floor_div(d.xc - sa.literal(slices[0]), sa.literal(slices[1])).label("slice")
    return (
        stmt.add_columns(
            part,
            count_if(d.fr <= d.t_fr).label("fr_met"),
            count_if(sa.or_(d.fr > d.t_fr, d.fr_open > d.t_fr)).label("fr_breached"),
        )
        .group_by(part)
        .order_by(part)
    )


def sla_rows(ctx: Ctx) -> Query:
    """(priority, clock, met, breached) for each priority and SLA clock. A clock that has
    stopped is met when its business time is within the target; one still owed counts as
    breached once its time used passes the target, and not at all before."""
    dur = durations(ctx)
    d = dur.c
    cyc = reply_cycles(ctx)
    y = cyc.c

    def per(name: str, src: Any, target: Any, done: Any, owed: Any, prio: Any) -> Any:
        return (
            sa.select(
                prio.label("priority"),
                sa.literal(name).label("clock"),
                count_if(done <= target).label("met"),
                count_if(sa.or_(done > target, owed > target)).label("breached"),
            )
            .select_from(src)
            .where(target.is_not(None))
            .group_by(prio)
        )

    both = sa.union_all(
        per("first_response", dur, d.t_fr, d.fr, d.fr_open, d.priority),
        per("next_reply", cyc, y.t_nr, y.nr, y.nr_open, y.priority),
        per("resolution", dur, d.t_res, d.res, d.res_open, d.priority),
    ).subquery("sla")
    return sa.select(both)


def by_channel(ctx: Ctx) -> Query:
    """(channel, tickets, mean business first response, met, breached, channel target) (R-SLA-4).

    A channel with its own first-response target (`t_ch` on the calendar `ch_cal`) is held to
    both, as the clocks do: met when the first response is within the priority's target and
    the channel's, breached once either is passed; its mean is on the channel's calendar."""
    dur = durations(ctx)
    d = dur.c
    per = sa.select(
        d.channel,
        d.fr,
        d.fr_open,
        d.t_fr,
        d.t_ch,
        d.fr_ch,
        d.fr_ch_open,
    ).subquery("per")
    p = per.c
    return (
        sa.select(
            p.channel,
            sa.func.count().label("tickets"),
            sa.func.avg(sa.case((p.t_ch.is_(None), p.fr), else_=p.fr_ch)).label(
                "first_response_mean"
            ),
            count_if(sa.and_(p.fr <= p.t_fr, sa.or_(p.t_ch.is_(None), p.fr_ch <= p.t_ch))).label(
                "met"
            ),
            count_if(
                sa.or_(p.fr > p.t_fr, p.fr_open > p.t_fr, p.fr_ch > p.t_ch, p.fr_ch_open > p.t_ch)
            ).label("breached"),
            sa.func.max(p.t_ch).label("channel_target"),
        )
        .group_by(p.channel)
        .order_by(p.channel)
    )


def next_reply_mean(ctx: Ctx) -> Query:
    cyc = reply_cycles(ctx)
    return sa.select(sa.func.avg(cyc.c.nr).label("next_reply_mean"), sa.func.count(cyc.c.nr))


def tier_mix(ctx: Ctx) -> Query:
    """(tier, tickets): the cohort by the tier each ticket is (or was resolved) in."""
    tk = ctx.tk.c
    return sa.select(tk.tier, sa.func.count().label("tickets")).group_by(tk.tier)


def calls(ctx: Ctx, answer_within: float = 60.0) -> Query:
    """(calls, handle seconds, mean handle seconds, inbound calls with a time to answer,
    those answered within `answer_within` seconds) of the cohort's logged calls (R-SLA-3)."""
    c = ctx.t.calls.c
    timed = sa.and_(c.direction == "inbound", c.answer_seconds.is_not(None))
    return sa.select(
        sa.func.count().label("calls"),
        sa.func.coalesce(sa.func.sum(c.duration_seconds), 0).label("seconds"),
        sa.func.avg(c.duration_seconds).label("aht"),
        count_if(timed).label("answered"),
        count_if(sa.and_(timed, c.answer_seconds <= answer_within)).label("answered_in_time"),
    ).where(c.ticket_id.in_(sa.select(ctx.tk.c.id)))


def handoffs(ctx: Ctx) -> Query:
    """(handoffs, repeated): escalations of cohort tickets, and those after which the customer
    wrote again before the receiving tier's first reply (they had to tell the story again)."""
    x = ctx.t.escalations.c
    m = ctx.t.messages.alias("m")
    r = ctx.t.messages.alias("r")
    first_reply = (
        sa.select(sa.func.min(r.c.created_at))
        .where(r.c.ticket_id == x.ticket_id, r.c.kind == "reply", r.c.created_at > x.at)
        .scalar_subquery()
    )
    chased = (
        sa.select(m.c.id)
        .where(
            m.c.ticket_id == x.ticket_id,
            m.c.kind == "customer",
            m.c.created_at > x.at,
            sa.or_(first_reply.is_(None), m.c.created_at < first_reply),
        )
        .exists()
    )
    return sa.select(sa.func.count().label("handoffs"), count_if(chased).label("repeated")).where(
        x.ticket_id.in_(sa.select(ctx.tk.c.id))
    )


def backlog(t: Tables, scope: Scope, at: datetime) -> Query:
    """(open, mean age s, oldest age s) at `at`: tickets matching the filters, created before
    `at`, whose last resolve/close/merge/reopen event up to `at` (if any) was a reopen."""
    tickets, e = t.tickets.c, t.ticket_events.c
    kinds = ("resolved", "closed", "merged", "reopened")
    last = (
        sa.select(e.ticket_id, sa.func.max(e.seq).label("seq"))
        .where(e.kind.in_(kinds), e.at <= at)
        .group_by(e.ticket_id)
        .subquery("last")
    )
    ev = t.ticket_events.alias("ev")
    cond = [tickets.created_at < at]
    cond += filters(t, scope)
    age = sa.literal(epoch_of(at)) - epoch(tickets.created_at)
    return (
        sa.select(
            sa.func.count().label("open"),
            sa.func.avg(age).label("mean_age"),
            sa.func.max(age).label("max_age"),
        )
        .select_from(
            t.tickets.outerjoin(last, last.c.ticket_id == tickets.id).outerjoin(
                ev, sa.and_(ev.c.ticket_id == last.c.ticket_id, ev.c.seq == last.c.seq)
            )
        )
        .where(*cond, sa.or_(ev.c.kind.is_(None), ev.c.kind == "reopened"))
    )


def top_reasons(ctx: Ctx) -> Query:
    """(category, tier, tickets, resolved) per category and tier of the cohort."""
    tk = ctx.tk.c
    return sa.select(
        tk.category,
        tk.tier,
        sa.func.count().label("tickets"),
        count_if(tk.xr.is_not(None)).label("resolved"),
    ).group_by(tk.category, tk.tier)


def epoch_of(at: datetime) -> float:
    """Epoch seconds of an aware datetime."""
    return at.timestamp()
