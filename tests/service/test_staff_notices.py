"""Staff notices on the in-memory store: made by tickets, the sweeper and policy versions,
folded, held in quiet hours and sent by email/LINE through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_desk import ORDER, OUTAGE, Desk

from tierdesk.domain.notify_rules import NoticeEvent
from tierdesk.policy.loader import preset_path
from tierdesk.services import policies, staff_notices, users
from tierdesk.services.errors import InvalidInput
from tierdesk.services.records import OutboxRecord
from tierdesk.services.sweep import sweep
from tierdesk.workers.sweeper import describe_sweep


def _sent(desk: Desk) -> list[OutboxRecord]:
    return [m for m in desk.store.tables.outbox.values() if m.kind == staff_notices.KIND]


def _notices(desk: Desk, role: str) -> list[str]:
    notices, _ = staff_notices.for_user(desk.env, desk.user[role])
    return [n.kind for n in notices]


@pytest.mark.rule("R-PRI-2")
def test_a_critical_ticket_is_in_the_managers_console_at_once(desk: Desk) -> None:
    ticket = desk.open(OUTAGE)  # P1
    notices, unread = staff_notices.for_user(desk.env, desk.user["manager"])
    assert unread == 1
    [notice] = notices
    assert (notice.kind, notice.ticket_id, notice.urgent) == ("ticket_priority", ticket.id, True)
    assert notice.link == f"/tickets/{ticket.id}"
    assert f"T-{ticket.id[2:12]}" in notice.text  # the short reference everyone quotes
    assert _notices(desk, "agent_l1") == []
    desk.open(ORDER)  # P3: nobody
    assert staff_notices.unread_count(desk.env, desk.user["manager"]) == 1


def test_sla_warning_tells_the_team_lead_and_the_breach_the_supervisor(desk: Desk) -> None:
    desk.open(OUTAGE)
    desk.clock.advance(timedelta(minutes=12))
    sweep(desk.env)
    assert _notices(desk, "team_lead") == ["sla_warning"]
    desk.clock.advance(timedelta(minutes=4))
    sweep(desk.env)
    assert _notices(desk, "supervisor") == ["sla_breach"]


def test_repeated_notices_about_one_ticket_fold_until_read(desk: Desk) -> None:
    lead = desk.user["team_lead"]

    def warn(seq: int) -> None:
        event = NoticeEvent("sla_warning", desk.clock.now(), f"t_x:{seq}", ticket_id="t_x")
        with desk.env.uow() as uow:
            staff_notices.record(uow, desk.env, [event])
            uow.commit()

    warn(1)
    desk.clock.advance(timedelta(minutes=10))
    warn(2)
    [folded], unread = staff_notices.for_user(desk.env, lead)
    assert (folded.count, unread, folded.updated_at) == (2, 1, desk.clock.now())
    assert staff_notices.mark_read(desk.env, lead, [folded.id]) == 1
    desk.clock.advance(timedelta(minutes=1))
    warn(3)  # the folded one was read: a new notice
    notices, unread = staff_notices.for_user(desk.env, lead)
    assert [n.count for n in notices] == [1, 2]
    assert unread == 1
    desk.clock.advance(timedelta(minutes=31))  # past fold_within: a new notice again
    warn(4)
    assert [n.count for n in staff_notices.for_user(desk.env, lead)[0]] == [1, 1, 2]


def test_a_notice_goes_by_email_at_once_outside_quiet_hours(desk: Desk) -> None:
    staff_notices.set_settings(
        desk.env, desk.user["manager"], channels=["email"], email="fay@desk.example"
    )
    desk.open(OUTAGE)
    [mail] = _sent(desk)
    assert (mail.channel, mail.recipient) == ("email", "fay@desk.example")
    assert "ticket" in mail.payload["text"]
    assert mail.ticket_id is None  # not a message of the customer's conversation


def test_quiet_hours_hold_a_notice_until_they_end_unless_it_is_urgent(desk: Desk) -> None:
    # START is 10:00 Taipei: quiet 09:00-11:00 holds a P2 notice to the supervisor until 11:00
    sup, mgr = desk.user["supervisor"], desk.user["manager"]
    for user in (sup, mgr):
        staff_notices.set_settings(
            desk.env,
            user,
            channels=["line"],
            line_user_id=f"U{user[-6:]}",
            quiet_start="09:00",
            quiet_end="11:00",
            timezone="Asia/Taipei",
        )
    desk.open("I was charged twice for my order, payment failed and money taken twice")
    with desk.env.uow() as uow:
        [held] = uow.notices.for_user(sup)
    assert held.kind == "ticket_priority" and not held.urgent
    assert _sent(desk) == []
    desk.open(OUTAGE)  # P1: urgent, ignores quiet hours
    assert [m.recipient for m in _sent(desk)] == [f"U{mgr[-6:]}"]
    desk.clock.advance(timedelta(minutes=59))
    assert sweep(desk.env).notices_sent == 0
    desk.clock.advance(timedelta(minutes=1))
    assert sweep(desk.env).notices_sent == 1
    assert {m.recipient for m in _sent(desk)} == {f"U{mgr[-6:]}", f"U{sup[-6:]}"}
    assert sweep(desk.env).notices_sent == 0  # sent once


def test_a_held_notice_of_a_deactivated_user_is_dropped_and_the_sweeper_says_what_it_sent(
    desk: Desk,
) -> None:
    sup = desk.user["supervisor"]
    staff_notices.set_settings(
        desk.env, sup, channels=["line"], line_user_id="Usup", quiet_start="09:00",
        quiet_end="11:00", timezone="Asia/Taipei",
    )  # fmt: skip
    desk.open("I was charged twice for my order, payment failed and money taken twice")  # P2
    users.update_user(desk.env, user_id=sup, actor_id=desk.user["admin"], active=False)
    desk.clock.advance(timedelta(hours=1))
    report = sweep(desk.env)
    assert report.notices_sent == 1 and _sent(desk) == []
    assert "1 staff notice(s) sent" in (describe_sweep(report) or "")
    assert sweep(desk.env).notices_sent == 0


def test_an_approved_policy_version_asks_every_agent_to_acknowledge(desk: Desk) -> None:
    source = preset_path("cs-sop").read_text(encoding="utf-8")
    draft = policies.propose_version(
        desk.env, source=source, title="v2", actor_id=desk.user["supervisor"]
    )
    policies.approve_version(desk.env, version_id=draft.id, actor_id=desk.user["manager"])
    for role in ("agent_l1", "agent_l2", "agent_l3", "team_lead"):
        assert _notices(desk, role) == ["policy_version"]
    assert _notices(desk, "manager") == []  # the approver knows


def test_the_new_versions_own_rules_say_who_is_told_of_it(desk: Desk) -> None:
    source = (
        preset_path("cs-sop")
        .read_text(encoding="utf-8")
        .replace("      notify: [agents, team_lead]\n", "      notify: [qa]\n", 1)
    )
    draft = policies.propose_version(
        desk.env, source=source, title="v2", actor_id=desk.user["supervisor"]
    )
    policies.approve_version(desk.env, version_id=draft.id, actor_id=desk.user["manager"])
    assert _notices(desk, "qa") == ["policy_version"]
    assert _notices(desk, "agent_l1") == []


def test_settings_refuse_bad_values_and_change_nothing(desk: Desk) -> None:
    user = desk.user["agent_l1"]
    bad = [
        ({"channels": ["sms"]}, "channels"),
        ({"channels": [], "quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"channels": [], "quiet_start": "22:00"}, "quiet_end"),
        ({"channels": [], "timezone": "Mars/Base"}, "timezone"),
        ({"channels": ["email"]}, "email"),  # the user has no email address
        ({"channels": ["line"]}, "line_user_id"),
    ]
    for kwargs, field in bad:
        with pytest.raises(InvalidInput) as refused:
            staff_notices.set_settings(desk.env, user, **kwargs)  # type: ignore[arg-type]
        assert refused.value.data["field"] == field
    assert staff_notices.get_settings(desk.env, user).channels == ()
    assert desk.store.tables.notice_settings == {}


def test_marking_read_touches_only_the_users_own_notices(desk: Desk) -> None:
    desk.open(OUTAGE)
    [notice] = staff_notices.for_user(desk.env, desk.user["manager"])[0]
    assert staff_notices.mark_read(desk.env, desk.user["agent_l1"], [notice.id]) == 0
    assert staff_notices.unread_count(desk.env, desk.user["manager"]) == 1
    assert staff_notices.mark_read(desk.env, desk.user["manager"], None) == 1
    assert staff_notices.unread_count(desk.env, desk.user["manager"]) == 0


def test_a_notice_names_clocks_and_actions_in_the_readers_language(desk: Desk) -> None:
    from tierdesk.domain import notify_rules as nr

    def text(kind: nr.NoticeKind, detail: str, lang: str) -> str:
        event = nr.NoticeEvent(
            kind, desk.clock.now(), "1", ticket_id="t_" + "ab" * 16, subject="S", detail=detail
        )
        return staff_notices.notice_text(desk.env.rules, event, lang)

    assert text("sla_warning", "resolution", "zh-TW") == "案件 T-ababababab SLA 即將到期（解決）：S"
    assert text("sla_breach", "first_response", "en") == (
        "SLA breached on T-ababababab (first response): S"
    )
    assert "（退款）" in text("approval", "refund", "zh-TW")
    assert "(Refund)" in text("approval", "refund", "en")
    assert "(odd_code)" in text("approval", "odd_code", "en")  # unknown: as recorded
