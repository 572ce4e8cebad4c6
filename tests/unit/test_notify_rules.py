"""The staff notification rules as pure functions: who is told of what, urgency, quiet hours,
folding, and the rules of the presets (seed 004's "who to notify")."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tierdesk.domain.events import EventKind, TicketEvent
from tierdesk.domain.notify_rules import (
    NoticeEvent,
    NoticeRule,
    NotificationSpec,
    QuietHours,
    StaffMember,
    decide,
    deliver_at,
    folds,
    quiet_until,
    ticket_events,
)
from tierdesk.domain.state import TicketState
from tierdesk.policy import rulebook

T0 = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Taipei

STAFF = [
    StaffMember("u_l1", "amy", "agent_l1", "L1"),
    StaffMember("u_l1b", "ben", "agent_l1", "L1"),
    StaffMember("u_l3", "cai", "agent_l3", "L3"),
    StaffMember("u_lead", "dan", "team_lead"),
    StaffMember("u_sup", "eve", "supervisor"),
    StaffMember("u_mgr", "fay", "manager"),
    StaffMember("u_qa", "gus", "qa"),
]


def _event(kind: str = "ticket_priority", **kw: object) -> NoticeEvent:
    values: dict[str, object] = {"ticket_id": "t_1", "priority": "P3", "subject": "Hi"}
    values.update(kw)
    return NoticeEvent(kind, T0, "t_1:1", **values)  # type: ignore[arg-type]


def _told(event: NoticeEvent, spec: NotificationSpec, ladder: tuple[str, ...] = ()) -> set[str]:
    return {n.user_id for n in decide(event, spec, STAFF, ladder)}


@pytest.fixture(scope="module")
def cs_spec() -> NotificationSpec:
    return rulebook(preset="cs-sop").notifications


@pytest.mark.rule("R-PRI-2")
def test_a_critical_ticket_tells_the_cto_founder_mapped_to_manager(
    cs_spec: NotificationSpec,
) -> None:
    notices = decide(_event(priority="P1"), cs_spec, STAFF)
    assert [(n.user_id, n.rule_ids, n.urgent) for n in notices] == [("u_mgr", ("N-PRI-1",), True)]


@pytest.mark.rule("R-PRI-2")
def test_a_high_ticket_tells_the_support_manager_and_lower_ones_nobody(
    cs_spec: NotificationSpec,
) -> None:
    high = decide(_event(priority="P2"), cs_spec, STAFF)
    assert [(n.user_id, n.urgent) for n in high] == [("u_sup", False)]
    assert _told(_event(priority="P3"), cs_spec) == set()


def test_escalations_to_legal_and_pr_tell_their_teams(cs_spec: NotificationSpec) -> None:
    legal = _event("escalation", targets=("L3", "legal", "pr"))
    notices = decide(legal, cs_spec, STAFF)
    assert [(n.user_id, n.rule_ids) for n in notices] == [("u_mgr", ("N-ESC-1", "N-ESC-2"))]
    assert _told(_event("escalation", targets=("L2",)), cs_spec) == set()
    assert _told(_event("escalation", targets=("L2", "investigation")), cs_spec) == {"u_sup"}


def test_sla_warnings_go_to_the_assignee_and_team_lead_breaches_to_the_supervisor(
    cs_spec: NotificationSpec,
) -> None:
    warning = _event("sla_warning", assignee_id="u_l1b")
    assert _told(warning, cs_spec) == {"u_l1b", "u_lead"}
    assert _told(_event("sla_warning"), cs_spec) == {"u_lead"}  # nobody assigned
    assert _told(_event("sla_breach", assignee_id="u_l1b"), cs_spec) == {"u_sup"}


def test_an_approval_tells_the_role_it_waits_for_or_the_next_one_up() -> None:
    spec = NotificationSpec(rules=(NoticeRule("A", "approval", ("deciders",)),))
    ladder = ("agent_l1", "agent_l2", "team_lead", "supervisor", "manager")
    assert _told(_event("approval", required_role="team_lead"), spec, ladder) == {"u_lead"}
    # nobody is agent_l2: the next role up the ladder that somebody holds decides
    assert _told(_event("approval", required_role="agent_l2"), spec, ladder) == {"u_lead"}
    assert _told(_event("approval", required_role=None), spec, ladder) == set()


def test_a_new_policy_version_tells_every_agent_and_lead(cs_spec: NotificationSpec) -> None:
    version = NoticeEvent("policy_version", T0, "pv_2", subject="2", actor_id="u_mgr")
    assert _told(version, cs_spec) == {"u_l1", "u_l1b", "u_l3", "u_lead"}


def test_the_person_who_caused_an_event_is_not_told() -> None:
    spec = NotificationSpec(rules=(NoticeRule("S", "sla_breach", ("supervisor", "manager")),))
    assert _told(_event("sla_breach", actor_id="u_sup"), spec) == {"u_mgr"}


def test_audiences_tiers_teams_users_and_everyone() -> None:
    spec = NotificationSpec(
        rules=(NoticeRule("X", "incident", ("founders",)),),
        teams=(("founders", ("user:fay", "L3")),),
    )
    incident = NoticeEvent("incident", T0, "inc_1")
    assert _told(incident, spec) == {"u_mgr", "u_l3"}
    everyone = NotificationSpec(rules=(NoticeRule("Y", "incident", ("staff",)),))
    assert _told(incident, everyone) == {m.user_id for m in STAFF}


def test_filters_narrow_a_rule_by_priority_target_and_signal() -> None:
    rule = NoticeRule("F", "escalation", ("qa",), priorities=("P1", "P2"), signals=("angry",))
    spec = NotificationSpec(rules=(rule,))
    assert _told(_event("escalation", priority="P1", signals=("angry",)), spec) == {"u_qa"}
    assert _told(_event("escalation", priority="P3", signals=("angry",)), spec) == set()
    assert _told(_event("escalation", priority="P1"), spec) == set()


def test_safety_issues_and_urgent_rules_are_urgent_others_not() -> None:
    spec = NotificationSpec(
        rules=(
            NoticeRule("W", "sla_warning", ("qa",)),
            NoticeRule("B", "sla_breach", ("qa",), urgent=True),
        )
    )
    assert decide(_event("sla_warning"), spec, STAFF)[0].urgent is False
    safety = _event("sla_warning", signals=("safety_issue",))
    assert decide(safety, spec, STAFF)[0].urgent is True
    assert decide(_event("sla_warning", priority="P1"), spec, STAFF)[0].urgent is True
    assert decide(_event("sla_breach"), spec, STAFF)[0].urgent is True


# --- ticket events ------------------------------------------------------------------------------


def _state(**kw: object) -> TicketState:
    values: dict[str, object] = {
        "id": "t_1",
        "version": 3,
        "customer_id": "c_1",
        "channel": "email",
        "subject": "Down",
        "language": "en",
        "status": "new",
        "category": "service_outage",
        "priority": "P1",
        "tier": "L3",
        "queue": "L3",
        "created_at": T0,
        "updated_at": T0,
        "tier_since": T0,
    }
    values.update(kw)
    return TicketState(**values)  # type: ignore[arg-type]


def test_ticket_events_name_a_new_priority_escalations_sla_and_approvals() -> None:
    events = [
        TicketEvent("t_1", 2, T0, "system", EventKind.ESCALATED, {"targets": ["L3", "legal"]}),
        TicketEvent("t_1", 3, T0, "system", EventKind.SLA_WARNING, {"clock": "first_response"}),
        TicketEvent(
            "t_1", 4, T0, "u_l1", EventKind.APPROVAL_REQUESTED, {"required_role": "manager"}
        ),
    ]
    found = ticket_events(None, _state(), events)
    assert [(e.kind, e.ref) for e in found] == [
        ("ticket_priority", "t_1:4"),
        ("escalation", "t_1:2"),
        ("sla_warning", "t_1:3"),
        ("approval", "t_1:4"),
    ]
    assert found[1].targets == ("L3", "legal")
    assert found[1].actor_id is None  # the system is nobody on the staff
    assert found[3].required_role == "manager"
    assert found[3].actor_id == "u_l1"
    # the same priority as before: no priority notice
    assert [e.kind for e in ticket_events(_state(), _state(), events[:1])] == ["escalation"]


# --- quiet hours and folding -------------------------------------------------------------------

TAIPEI_NIGHT = QuietHours(time(22, 0), time(7, 0), "Asia/Taipei")


def test_quiet_hours_across_midnight_end_at_the_next_morning() -> None:
    at_23 = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)  # 23:00 Taipei
    assert quiet_until(TAIPEI_NIGHT, at_23) == datetime(2025, 3, 4, 23, 0, tzinfo=UTC)
    at_3 = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)  # 03:00 Taipei, the next day
    assert quiet_until(TAIPEI_NIGHT, at_3) == datetime(2025, 3, 4, 23, 0, tzinfo=UTC)
    assert quiet_until(TAIPEI_NIGHT, T0) is None  # 10:00
    assert quiet_until(TAIPEI_NIGHT, datetime(2025, 3, 4, 23, 0, tzinfo=UTC)) is None  # 07:00


def test_quiet_hours_within_a_day_and_none() -> None:
    lunch = QuietHours(time(12, 0), time(13, 0), "Asia/Taipei")
    at_1230 = datetime(2025, 3, 4, 4, 30, tzinfo=UTC)
    assert quiet_until(lunch, at_1230) == datetime(2025, 3, 4, 5, 0, tzinfo=UTC)
    assert quiet_until(None, at_1230) is None
    assert quiet_until(QuietHours(time(9, 0), time(9, 0), "UTC"), at_1230) is None


def test_a_notice_in_quiet_hours_waits_unless_urgent() -> None:
    at_23 = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
    morning = datetime(2025, 3, 4, 23, 0, tzinfo=UTC)
    assert deliver_at(False, TAIPEI_NIGHT, at_23) == morning
    assert deliver_at(True, TAIPEI_NIGHT, at_23) == at_23
    assert deliver_at(False, TAIPEI_NIGHT, T0) == T0


def test_a_notice_folds_into_an_unread_one_within_the_window() -> None:
    window = timedelta(minutes=30)
    assert folds(T0, None, T0 + timedelta(minutes=29), window)
    assert not folds(T0, None, T0 + timedelta(minutes=30), window)
    assert not folds(T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2), window)
