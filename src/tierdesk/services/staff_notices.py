"""Staff notifications: what the policy's `notifications:` rules decide, stored per user and
delivered in the console and, by each user's choice, by email or LINE through the outbox.

`record(uow, env, events)` runs in the unit of work of the change that caused the events (a
ticket command, the sweeper, a policy approval, an incident), so a notice exists exactly when
its cause was committed. The rules are the domain's (`tierdesk.domain.notify_rules`): who, and
whether a notice is urgent. Here: a notice about a ticket the user has an unread notice about,
made within the policy's `fold_within`, folds into that one (its count goes up, its text is the
latest); a notice goes out by email/LINE at once, or when the user's quiet hours end unless it
is urgent (`deliver_due`, run by the sweeper), and a folded notice is not sent twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tierdesk.domain import notify_rules as nr
from tierdesk.domain.events import TicketEvent
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.state import TicketState
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.notify import short_reference
from tierdesk.services.ports import (
    DuplicateKey,
    NoticeRecord,
    NoticeSettingsRecord,
    UnitOfWork,
)
from tierdesk.services.records import OutboxRecord, UserRecord, new_id
from tierdesk.services.users import ROLE_TIER
from tierdesk.sop.messages import messages as sop_messages

CHANNELS: tuple[str, ...] = ("email", "line")  # beyond the console, which always shows notices
KIND = "staff_notice"  # the outbox kind of a notice sent to staff
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# Notice texts per kind, in the user's language (the console shows them; email/LINE send them).
_TEXTS: dict[str, dict[str, str]] = {
    "ticket_priority": {
        "en": "{priority} ticket {ticket}: {subject}",
        "zh-TW": "{priority}案件 {ticket}：{subject}",
    },
    "escalation": {
        "en": "Ticket {ticket} escalated to {targets}: {subject}",
        "zh-TW": "案件 {ticket} 已升級至 {targets}：{subject}",
    },
    "sla_warning": {
        "en": "SLA warning on {ticket} ({detail}): {subject}",
        "zh-TW": "案件 {ticket} SLA 即將到期（{detail}）：{subject}",
    },
    "sla_breach": {
        "en": "SLA breached on {ticket} ({detail}): {subject}",
        "zh-TW": "案件 {ticket} SLA 已逾期（{detail}）：{subject}",
    },
    "approval": {
        "en": "Approval waiting on {ticket} ({detail}): {subject}",
        "zh-TW": "案件 {ticket} 有待核准的申請（{detail}）：{subject}",
    },
    "policy_version": {
        "en": "SOP version {subject} is in force: please read and acknowledge it",
        "zh-TW": "SOP 版本 {subject} 已生效：請閱讀並確認",
    },
    "incident": {
        "en": "{priority} incident: {subject}",
        "zh-TW": "{priority}事故：{subject}",
    },
}


def member(user: UserRecord) -> nr.StaffMember:
    """A user as the rules see one."""
    return nr.StaffMember(user.id, user.username, user.role, ROLE_TIER.get(user.role))


def record(uow: UnitOfWork, env: Env, events: Sequence[nr.NoticeEvent]) -> list[NoticeRecord]:
    """Store (or fold) the notices `events` make under the policy's rules, queueing in the
    outbox those due now; the notices written, in order."""
    spec = env.rules.notifications
    # Most commands make no event a rule wants: they read nothing more (intake stays lean).
    wanted = [e for e in events if any(nr.matches(r, e) for r in spec.rules)]
    if not wanted:
        return []
    users = {u.id: u for u in uow.users.search() if u.active}
    members = [member(u) for u in users.values()]
    written: list[NoticeRecord] = []
    for event in wanted:
        for notice in nr.decide(event, spec, members, env.rules.authority.ladder):
            user = users[notice.user_id]
            stored = _store(uow, env.rules, user, notice)
            if stored is not None:
                written.append(stored)
    return written


def on_ticket(
    uow: UnitOfWork,
    env: Env,
    base: TicketState | None,
    state: TicketState,
    events: Sequence[TicketEvent],
) -> list[NoticeRecord]:
    """The notices of one command on a ticket (`tierdesk.services.unit.finish` calls this)."""
    return record(uow, env, nr.ticket_events(base, state, events))


def _store(
    uow: UnitOfWork, rules: Rulebook, user: UserRecord, notice: nr.Notice
) -> NoticeRecord | None:
    event = notice.event
    now = event.at
    settings = uow.notices.settings(user.id) or default_settings(rules, user.id)
    text = notice_text(rules, event, user.language)
    quiet = quiet_hours(settings)
    deliver = nr.deliver_at(notice.urgent, quiet, now) if settings.channels else None
    earlier = None
    if event.ticket_id is not None:
        since = now - rules.notifications.fold_within
        earlier = uow.notices.open_about(user.id, event.ticket_id, since)
    if earlier is not None and nr.folds(
        earlier.updated_at, earlier.read_at, now, rules.notifications.fold_within
    ):
        folded = replace(
            earlier,
            kind=event.kind,
            text=text,
            updated_at=now,
            count=earlier.count + 1,
            urgent=earlier.urgent or notice.urgent,
            rule_ids=tuple(dict.fromkeys((*earlier.rule_ids, *notice.rule_ids))),
            ref=event.ref,
            deliver_at=_sooner(earlier, deliver),
        )
        uow.notices.save(folded)
        return _deliver_if_due(uow, folded, user, settings, now)
    stored = NoticeRecord(
        id=new_id("n"),
        user_id=user.id,
        kind=event.kind,
        text=text,
        created_at=now,
        updated_at=now,
        ticket_id=event.ticket_id,
        link=_link(event),
        rule_ids=notice.rule_ids,
        urgent=notice.urgent,
        deliver_at=deliver,
        ref=event.ref,
    )
    try:
        uow.notices.add(stored)
    except DuplicateKey:
        return None  # this event told this user already (a retried command)
    return _deliver_if_due(uow, stored, user, settings, now)


def _sooner(earlier: NoticeRecord, deliver: datetime | None) -> datetime | None:
    """A folded notice already sent is not sent again; one still held goes out at the
    sooner of the two times (an urgent notice folded into a held one sends it now)."""
    if earlier.delivered_at is not None:
        return earlier.deliver_at
    times = [t for t in (earlier.deliver_at, deliver) if t is not None]
    return min(times) if times else None


def _link(event: nr.NoticeEvent) -> str:
    if event.ticket_id is not None:
        return f"/tickets/{event.ticket_id}"
    if event.kind == "incident":
        return f"/incidents/{event.ref}"
    if event.kind == "policy_version":
        return "/sop"
    return ""


_CLOCKS: dict[str, dict[str, str]] = {
    "first_response": {"en": "first response", "zh-TW": "首次回覆"},
    "next_reply": {"en": "next reply", "zh-TW": "下次回覆"},
    "resolution": {"en": "resolution", "zh-TW": "解決"},
}


def _detail(kind: str, detail: str | None, lang: str) -> str:
    """The detail as the reader says it: an SLA clock's or a recovery action's name in
    `lang` (the SOP's action names); anything else as recorded."""
    if not detail:
        return "-"
    if kind in ("sla_warning", "sla_breach") and detail in _CLOCKS:
        return _CLOCKS[detail].get(lang, _CLOCKS[detail]["en"])
    if kind == "approval":
        try:
            return sop_messages(lang)(f"actions.{detail}")
        except (KeyError, ValueError):
            return detail
    return detail


def notice_text(rules: Rulebook, event: nr.NoticeEvent, lang: str) -> str:
    """The notice's one line in `lang` (en or zh-TW); the ticket by the short reference
    customers and agents quote (T-3f9c1a2b7e)."""
    texts = _TEXTS[event.kind]
    priority = event.priority or ""
    if priority and any(p.id == priority for p in rules.priorities):
        priority = rules.priority(priority).name.get(lang)
    targets = ", ".join(event.targets) or "-"
    return texts.get(lang, texts["en"]).format(
        ticket=short_reference(event.ticket_id) if event.ticket_id else "",
        subject=event.subject,
        priority=priority,
        targets=targets,
        detail=_detail(event.kind, event.detail, lang),
    )


# --- delivery -----------------------------------------------------------------------------------


def _deliver_if_due(
    uow: UnitOfWork,
    notice: NoticeRecord,
    user: UserRecord,
    settings: NoticeSettingsRecord,
    now: datetime,
) -> NoticeRecord:
    if notice.deliver_at is None or notice.delivered_at is not None or notice.deliver_at > now:
        return notice
    return _send(uow, notice, user, settings, now)


def _send(
    uow: UnitOfWork,
    notice: NoticeRecord,
    user: UserRecord,
    settings: NoticeSettingsRecord,
    now: datetime,
) -> NoticeRecord:
    """Queue the notice on each channel the user chose (and has an address for)."""
    for channel, address in addresses(user, settings):
        text = notice.text + (f" (x{notice.count})" if notice.count > 1 else "")
        uow.outbox.add(
            OutboxRecord(
                id=new_id("o"),
                kind=KIND,
                channel=channel,
                recipient=address,
                payload={
                    "text": text + (f"\n{notice.link}" if notice.link else ""),
                    "language": user.language,
                    "subject": f"[tierdesk] {notice.text}"[:200],
                    "notice_id": notice.id,
                },
                dedupe_key=f"notice:{notice.id}:{channel}",
                created_at=now,
                next_attempt_at=now,
            )
        )
    sent = replace(notice, delivered_at=now)
    uow.notices.save(sent)
    return sent


def addresses(user: UserRecord, settings: NoticeSettingsRecord) -> list[tuple[str, str]]:
    """(channel, address) for each channel the user chose and can be reached on."""
    found = {"email": settings.email or user.email, "line": settings.line_user_id}
    return [(c, found[c] or "") for c in settings.channels if found.get(c)]


def deliver_due(env: Env, now: datetime | None = None, *, limit: int = 200) -> int:
    """Send the notices whose quiet hours ended (the sweeper runs this); how many were sent."""
    at = now or env.now()
    with env.uow() as uow:
        due = uow.notices.due_for_delivery(at, limit)
        for notice in due:
            user = uow.users.get(notice.user_id)
            if user is None or not user.active:
                uow.notices.save(replace(notice, delivered_at=at))  # nobody to send it to
                continue
            settings = uow.notices.settings(user.id) or default_settings(env.rules, user.id)
            _send(uow, notice, user, settings, at)
        uow.commit()
    return len(due)


# --- settings -----------------------------------------------------------------------------------


def default_settings(rules: Rulebook, user_id: str) -> NoticeSettingsRecord:
    """A user who chose nothing: console only, no quiet hours, the policy's first time zone."""
    zone = rules.calendars[0].timezone if rules.calendars else "UTC"
    return NoticeSettingsRecord(user_id=user_id, timezone=zone)


def quiet_hours(settings: NoticeSettingsRecord) -> nr.QuietHours | None:
    if not settings.quiet_start or not settings.quiet_end:
        return None
    return nr.QuietHours(_time(settings.quiet_start), _time(settings.quiet_end), settings.timezone)


def _time(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def get_settings(env: Env, user_id: str) -> NoticeSettingsRecord:
    """The user's notice settings (the defaults when they chose nothing)."""
    with env.reader() as uow:
        if uow.users.get(user_id) is None:
            raise NotFound("user", user_id)
        return uow.notices.settings(user_id) or default_settings(env.rules, user_id)


def set_settings(
    env: Env,
    user_id: str,
    *,
    channels: Sequence[str],
    email: str | None = None,
    line_user_id: str | None = None,
    quiet_start: str | None = None,
    quiet_end: str | None = None,
    timezone: str | None = None,
) -> NoticeSettingsRecord:
    """Replace the user's own settings. InvalidInput naming the field for an unknown channel,
    a time that is not HH:MM, one quiet-hours end without the other, an unknown time zone, or
    a channel chosen without an address to reach the user on."""
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise InvalidInput("channels", f"{unknown[0]!r} is not one of {', '.join(CHANNELS)}")
    for name, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if value and not _HHMM.match(value):
            raise InvalidInput(name, "must be a time of day HH:MM, e.g. 22:00", value=value)
    if bool(quiet_start) != bool(quiet_end):
        raise InvalidInput("quiet_end", "give both quiet_start and quiet_end, or neither")
    if email is not None and email.strip() and "@" not in email:
        raise InvalidInput("email", "is not an email address", value=email)
    with env.uow() as uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        zone = timezone or default_settings(env.rules, user_id).timezone
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("timezone", f"unknown IANA time zone {zone!r}") from None
        settings = NoticeSettingsRecord(
            user_id=user_id,
            channels=tuple(dict.fromkeys(channels)),
            email=(email or "").strip() or None,
            line_user_id=(line_user_id or "").strip() or None,
            quiet_start=quiet_start or None,
            quiet_end=quiet_end or None,
            timezone=zone,
            updated_at=env.now(),
        )
        reachable = {c for c, _ in addresses(user, settings)}
        missing = [c for c in settings.channels if c not in reachable]
        if missing:
            field = "email" if missing[0] == "email" else "line_user_id"
            raise InvalidInput(field, f"needed to send notices by {missing[0]}")
        uow.notices.save_settings(settings)
        uow.commit()
        return settings


# --- reading ------------------------------------------------------------------------------------


def for_user(
    env: Env, user_id: str, *, unread_only: bool = False, limit: int = 50
) -> tuple[list[NoticeRecord], int]:
    """(the user's notices, latest first, at most `limit`; their unread count)."""
    if not 1 <= limit <= 200:
        raise InvalidInput("limit", "must be 1 to 200", value=limit)
    with env.reader() as uow:
        notices = uow.notices.for_user(user_id, unread_only=unread_only, limit=limit)
        return notices, uow.notices.unread_count(user_id)


def unread_count(env: Env, user_id: str) -> int:
    with env.reader() as uow:
        return uow.notices.unread_count(user_id)


def mark_read(env: Env, user_id: str, notice_ids: Sequence[str] | None) -> int:
    """Mark the user's notices read (those given, or all); how many were unread. Another
    user's notice ids are ignored (never touched)."""
    with env.uow() as uow:
        marked = uow.notices.mark_read(user_id, notice_ids, env.now())
        uow.commit()
        return marked
