"""Ticket lifecycle commands: assign, resolve (asks the customer to confirm), reopen, close
(sends the CSAT/NPS survey), merge duplicates, link a repeat contact (R-ESC-5), log a phone
call, verify the customer's identity (R-PROC-2), record a survey answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tierdesk.domain.events import EventKind
from tierdesk.domain.model import LocalText
from tierdesk.domain.state import ACTIVE_STATUSES, TicketStatus
from tierdesk.services import escalations, notify
from tierdesk.services.env import Env
from tierdesk.services.errors import (
    InvalidInput,
    NotFound,
    StaleVersion,
    SurveyAnswered,
    SurveyExpired,
    TierMismatch,
)
from tierdesk.services.policies import require_acknowledged
from tierdesk.services.records import CallRecord, SurveyRecord, TicketRecord, new_id
from tierdesk.services.tickets import next_contact
from tierdesk.services.unit import act_on, finish, load, require_status, require_tier
from tierdesk.services.users import ROLE_TIER, TICKET_ROLES, actor

_RESOLVABLE = ACTIVE_STATUSES
_REOPENABLE = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
VERIFY_METHODS = ("security_questions", "otp", "account_login", "document")


def assign(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    assignee_id: str | None,
    expected_version: int | None = None,
) -> TicketRecord:
    """Assign the ticket to an agent (None: back to the queue). Refused with
    `policy_not_acknowledged` when the agent has not acknowledged the effective policy
    version (R-DOC-3), and with `tier_mismatch` when the ticket is above the agent's tier."""
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "assign tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "assign")
        require_status(change, ACTIVE_STATUSES, "assign")
        if assignee_id is not None:
            assignee = actor(uow, assignee_id, TICKET_ROLES, "be assigned tickets")
            _require_tier(env, assignee.role, change.state.tier, assignee.username)
            require_acknowledged(uow, assignee)
        change.emit(EventKind.ASSIGNED, "assigned", changes={"assignee_id": assignee_id})
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def _require_tier(env: Env, role: str, tier: str, username: str) -> None:
    """An agent works tickets of their tier or below (leads work any): route by complexity."""
    own = ROLE_TIER.get(role)
    if own is not None and env.rules.tier_rank(own) < env.rules.tier_rank(tier):
        raise TierMismatch(
            f"{username} ({role}) works {own} tickets; this one is {tier}",
            role=role,
            tier=tier,
        )


def resolve(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    summary: str,
    expected_version: int | None = None,
) -> TicketRecord:
    """Resolve: status resolved, clocks stop, and the customer is asked to confirm
    (R-PROC-1: confirm resolution with the customer)."""
    if not summary.strip():
        raise InvalidInput("summary", "say how the issue was resolved")
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "resolve tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "resolve")
        require_status(change, _RESOLVABLE, "resolve")
        if change.state.paused_at is not None:
            change.emit(EventKind.CLOCK_RESUMED, "resolved while waiting on the customer")
        event = change.emit(EventKind.RESOLVED, summary.strip(), changes={"status": "resolved"})
        notify.queue(uow, env.rules, change.state, event, "resolution_confirm", use="resolution")
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def reopen(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    reason: str,
    expected_version: int | None = None,
) -> TicketRecord:
    """Reopen a resolved or closed ticket; the clocks run again."""
    if not reason.strip():
        raise InvalidInput("reason", "say why the ticket is reopened")
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "reopen tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "reopen")
        require_status(change, _REOPENABLE, "reopen")
        change.emit(EventKind.REOPENED, reason.strip(), changes={"status": "open"})
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def close(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    expected_version: int | None = None,
) -> TicketRecord:
    """Close a resolved ticket and send the CSAT (1-5) / NPS (0-10) survey (R-PROC-1)."""
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "close tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "close")
        require_status(change, frozenset({TicketStatus.RESOLVED}), "close")
        change.emit(EventKind.CLOSED, "closed as resolved", changes={"status": "closed"})
        survey = SurveyRecord(
            id=new_id("s"),
            ticket_id=ticket_id,
            customer_id=change.state.customer_id,
            token=secrets.token_urlsafe(24),
            sent_at=change.at,
        )
        event = change.emit(EventKind.SURVEY_SENT, "CSAT/NPS survey", survey_id=survey.id)
        uow.surveys.add(survey)
        link = env.survey_url.format(token=survey.token)
        notify.queue(
            uow,
            env.rules,
            change.state,
            event,
            "survey",
            values={"survey_link": link},
            extra={"survey_id": survey.id, "survey_link": link},
        )
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def merge(
    env: Env,
    *,
    source_id: str,
    target_id: str,
    actor_id: str,
    reason: str = "duplicate",
    expected_version: int | None = None,
) -> TicketRecord:
    """Merge duplicate ticket `source_id` into `target_id` (same customer): the source is
    marked merged, the target records it and counts its contacts. `expected_version` is the
    source's. Returns the target."""
    if source_id == target_id:
        raise InvalidInput("target_id", "cannot merge a ticket into itself")
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "merge tickets")
        now = env.now()
        # Lock in id order, so two merges of the same pair cannot deadlock on PostgreSQL.
        first, second = sorted((source_id, target_id))
        changes = {t: load(uow, t, user.id, now) for t in (first, second)}
        for change in changes.values():
            require_tier(user, change, "merge", env.rules)
        source, target = changes[source_id], changes[target_id]
        if expected_version is not None and source.state.version != expected_version:
            raise StaleVersion(source_id, expected_version, source.state.version)
        require_status(source, ACTIVE_STATUSES, "merge")
        require_status(target, ACTIVE_STATUSES, "merge into")
        if source.state.customer_id != target.state.customer_id:
            raise InvalidInput("target_id", "tickets of different customers are not duplicates")
        source.emit(
            EventKind.MERGED,
            reason,
            changes={"status": "merged", "merged_into": target_id},
            into=target_id,
        )
        target.emit(
            EventKind.MERGED,
            reason,
            changes={"contact_count": target.state.contact_count + source.state.contact_count},
            merged_from=source_id,
        )
        finish(uow, env, source)
        saved = finish(uow, env, target)
        uow.commit()
        return saved


def link_contact(
    env: Env,
    *,
    ticket_id: str,
    related_to: str,
    actor_id: str,
    expected_version: int | None = None,
) -> TicketRecord:
    """Link a ticket to an earlier one on the same issue (an explicit repeat contact,
    R-ESC-5): it counts as the next contact of that issue."""
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "link tickets")
        change = act_on(uow, user, ticket_id, env, expected_version, "link a contact to")
        earlier = uow.tickets.get(related_to)
        if earlier is None or related_to == ticket_id:
            raise InvalidInput("related_to", f"ticket {related_to} cannot be linked")
        root, count = next_contact(uow, earlier, exclude=ticket_id)
        change.emit(
            EventKind.CONTACT_LINKED,
            f"contact {count} on the same issue as ticket {root}",
            changes={"related_to": root, "contact_count": count},
        )
        escalations.repeat_contact(uow, env, change)
        saved = finish(uow, env, change)
        uow.commit()
        return saved


MAX_ANSWER_SECONDS = 3600  # a call rung for longer than an hour was not answered
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of ours a client's clock may run


def log_call(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    started_at: datetime,
    duration_seconds: int,
    direction: str = "inbound",
    note: str = "",
    expected_version: int | None = None,
    answer_seconds: int | None = None,
) -> TicketRecord:
    """Record a phone call; its duration feeds AHT, and an inbound call's `answer_seconds`
    (from the first ring to the answer, None when not known) the phone service level
    (R-SLA-3). A call cannot start in the future (beyond CLOCK_SKEW of the agent's clock
    running ahead)."""
    if started_at.tzinfo is None:
        raise InvalidInput("started_at", "naive time; give a time zone (UTC inside)")
    if started_at > env.now() + CLOCK_SKEW:
        raise InvalidInput(
            "started_at",
            f"is in the future (more than {CLOCK_SKEW.seconds // 60} minutes ahead of the "
            "server's clock); log a call once it has taken place",
        )
    if not 0 < duration_seconds <= 24 * 3600:
        raise InvalidInput("duration_seconds", "must be 1 s to 24 h", value=duration_seconds)
    if direction not in ("inbound", "outbound"):
        raise InvalidInput("direction", "must be inbound or outbound", value=direction)
    if answer_seconds is not None and not 0 <= answer_seconds <= MAX_ANSWER_SECONDS:
        raise InvalidInput(
            "answer_seconds", f"must be 0-{MAX_ANSWER_SECONDS} s", value=answer_seconds
        )
    if answer_seconds is not None and direction != "inbound":
        raise InvalidInput(
            "answer_seconds", "is the time we took to answer: only for inbound calls"
        )
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "log calls")
        change = act_on(uow, user, ticket_id, env, expected_version, "log a call on")
        call = CallRecord(
            id=new_id("call"),
            ticket_id=ticket_id,
            agent_id=user.id,
            started_at=started_at,
            duration_seconds=duration_seconds,
            direction="inbound" if direction == "inbound" else "outbound",
            note=note,
            answer_seconds=answer_seconds,
        )
        uow.calls.add(call)
        facts: dict[str, Any] = {"call_id": call.id, "duration_seconds": duration_seconds}
        if answer_seconds is not None:
            facts["answer_seconds"] = answer_seconds
        change.emit(
            EventKind.CALL_LOGGED, note or f"{direction} call", direction=direction, **facts
        )
        saved = finish(uow, env, change)
        uow.commit()
        return saved


def verify_identity(
    env: Env,
    *,
    ticket_id: str,
    actor_id: str,
    method: str = "security_questions",
    expected_version: int | None = None,
) -> TicketRecord:
    """Record that the agent verified the customer's identity (R-PROC-2: approved security
    questions before account actions). Answers are never stored, only the method."""
    if method not in VERIFY_METHODS:
        raise InvalidInput("method", f"must be one of {', '.join(VERIFY_METHODS)}", value=method)
    with env.uow() as uow:
        user = actor(uow, actor_id, TICKET_ROLES, "verify identities")
        change = act_on(uow, user, ticket_id, env, expected_version, "verify identity on")
        require_status(change, ACTIVE_STATUSES, "verify the identity on")
        change.emit(EventKind.IDENTITY_VERIFIED, f"verified by {method}", method=method)
        saved = finish(uow, env, change)
        uow.commit()
        return saved


@dataclass(frozen=True)
class SurveyPage:
    """What the customer's survey page shows: the questions (asked in the ticket's language
    unless the customer picks another), and
    whether the survey can still be answered (not answered yet, not expired)."""

    survey: SurveyRecord
    ticket_id: str
    subject: str
    language: str
    csat_question: LocalText
    nps_question: LocalText
    expires_at: datetime
    expired: bool

    @property
    def open(self) -> bool:
        return self.survey.answered_at is None and not self.expired


def survey_page(env: Env, *, token: str) -> SurveyPage:
    """The survey behind `token` as its page shows it (NotFound for an unknown token)."""
    with env.reader() as uow:
        survey = uow.surveys.get_by_token(token)
        if survey is None:
            raise NotFound("survey", "(token)")
        ticket = uow.tickets.get(survey.ticket_id)
    if ticket is None:
        raise NotFound("ticket", survey.ticket_id)
    spec = env.rules.survey
    lang = ticket.language
    expires_at = survey.sent_at + spec.expires_after
    return SurveyPage(
        survey=survey,
        ticket_id=ticket.id,
        subject=ticket.subject,
        language=lang,
        csat_question=spec.csat_question,
        nps_question=spec.nps_question,
        expires_at=expires_at,
        expired=env.now() >= expires_at,
    )


def answer_survey(
    env: Env, *, token: str, csat: int | None = None, nps: int | None = None, comment: str = ""
) -> SurveyRecord:
    """Record the customer's survey answer: CSAT 1-5 and/or NPS 0-10, once per survey
    (`SurveyAnswered` after that) and within the policy's `surveys.expires_after` of its
    sending (`SurveyExpired` after that)."""
    if csat is None and nps is None:
        raise InvalidInput("csat", "give a CSAT (1-5) or NPS (0-10) score")
    if csat is not None and not 1 <= csat <= 5:
        raise InvalidInput("csat", "must be 1-5", value=csat)
    if nps is not None and not 0 <= nps <= 10:
        raise InvalidInput("nps", "must be 0-10", value=nps)
    with env.uow() as uow:
        survey = uow.surveys.get_by_token(token)
        if survey is None:
            raise NotFound("survey", "(token)")
        # The ticket's row lock orders two answers sent at once; the survey is read again
        # under it, so only the first is recorded.
        change = load(uow, survey.ticket_id, f"customer:{survey.customer_id}", env.now())
        survey = uow.surveys.get(survey.id) or survey
        if survey.answered_at is not None:
            raise SurveyAnswered("this survey was already answered", survey_id=survey.id)
        expires_at = survey.sent_at + env.rules.survey.expires_after
        if change.at >= expires_at:
            raise SurveyExpired(
                "this survey link has expired",
                survey_id=survey.id,
                expired_at=expires_at.isoformat(),
            )
        answered = replace(
            survey, csat=csat, nps=nps, comment=comment[:5000], answered_at=change.at
        )
        uow.surveys.save(answered)
        change.emit(
            EventKind.SURVEY_ANSWERED,
            "survey answered",
            changes={"csat": csat, "nps": nps},
            survey_id=survey.id,
        )
        finish(uow, env, change)
        uow.commit()
        return answered
