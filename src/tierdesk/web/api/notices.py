"""The signed-in user's staff notices and notice settings (issue 16). Every user sees and
changes only their own: there is no user id in these paths."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tierdesk.services import staff_notices
from tierdesk.services.ports import NoticeRecord, NoticeSettingsRecord
from tierdesk.web.api.common import State
from tierdesk.web.auth import CurrentUser
from tierdesk.web.schemas import OR_EMPTY_EMAIL, OR_EMPTY_LINE_ID, Strict

router = APIRouter(prefix="/notices", tags=["notices"])

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"])]


class NoticeOut(BaseModel):
    id: str
    kind: str = Field(description="ticket_priority, escalation, sla_warning, sla_breach, ...")
    text: str = Field(description="One line in the user's language (the latest, when folded).")
    ticket_id: str | None
    link: str = Field(description="The console page it points to.")
    count: int = Field(description="How many notices were folded into this one.")
    urgent: bool
    rule_ids: list[str]
    created_at: datetime
    updated_at: datetime
    read_at: datetime | None
    delivered_at: datetime | None = Field(description="When it was sent by email/LINE.")


class NoticeList(BaseModel):
    unread: int
    items: list[NoticeOut]


class ReadIn(Strict):
    ids: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, max_length=200, description="The notices to mark read; omit to mark all."
    )


class ReadOut(BaseModel):
    marked: int
    unread: int


class NoticeSettingsIn(Strict):
    channels: list[Literal["email", "line"]] = Field(
        [], max_length=2, description="Where notices go beyond the console."
    )
    email: str | None = Field(
        None, max_length=320, pattern=OR_EMPTY_EMAIL, description="Default: the user's email."
    )
    line_user_id: str | None = Field(None, max_length=64, pattern=OR_EMPTY_LINE_ID)
    quiet_start: HHMM | None = None
    quiet_end: HHMM | None = None
    timezone: str | None = Field(None, max_length=64, description="IANA zone of quiet hours.")


class NoticeSettingsOut(BaseModel):
    channels: list[str]
    email: str | None
    line_user_id: str | None
    quiet_start: str | None
    quiet_end: str | None
    timezone: str


def notice_out(n: NoticeRecord) -> NoticeOut:
    return NoticeOut(
        id=n.id,
        kind=n.kind,
        text=n.text,
        ticket_id=n.ticket_id,
        link=n.link,
        count=n.count,
        urgent=n.urgent,
        rule_ids=list(n.rule_ids),
        created_at=n.created_at,
        updated_at=n.updated_at,
        read_at=n.read_at,
        delivered_at=n.delivered_at,
    )


def _settings_out(s: NoticeSettingsRecord) -> NoticeSettingsOut:
    return NoticeSettingsOut(
        channels=list(s.channels),
        email=s.email,
        line_user_id=s.line_user_id,
        quiet_start=s.quiet_start,
        quiet_end=s.quiet_end,
        timezone=s.timezone,
    )


@router.get("", response_model=NoticeList)
def list_notices(
    user: CurrentUser,
    state: State,
    unread: Annotated[bool, Query(description="Only unread notices.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NoticeList:
    """The signed-in user's notices, latest first, with the unread count."""
    notices, count = staff_notices.for_user(
        state.env, user.user_id, unread_only=unread, limit=limit
    )
    return NoticeList(unread=count, items=[notice_out(n) for n in notices])


@router.post("/read", response_model=ReadOut)
def mark_read(body: ReadIn, user: CurrentUser, state: State) -> ReadOut:
    """Mark notices read (those named, or all). Ids of other users' notices change nothing."""
    marked = staff_notices.mark_read(state.env, user.user_id, body.ids)
    return ReadOut(marked=marked, unread=staff_notices.unread_count(state.env, user.user_id))


@router.get("/settings", response_model=NoticeSettingsOut)
def get_settings(user: CurrentUser, state: State) -> NoticeSettingsOut:
    """The user's channels and quiet hours (console only and none, until chosen)."""
    return _settings_out(staff_notices.get_settings(state.env, user.user_id))


@router.put("/settings", response_model=NoticeSettingsOut)
def put_settings(body: NoticeSettingsIn, user: CurrentUser, state: State) -> NoticeSettingsOut:
    """Replace the user's channels and quiet hours. 422 naming the field for a bad time zone,
    one quiet-hours end without the other, or a channel without an address."""
    saved = staff_notices.set_settings(
        state.env,
        user.user_id,
        channels=body.channels,
        email=body.email,
        line_user_id=body.line_user_id,
        quiet_start=body.quiet_start,
        quiet_end=body.quiet_end,
        timezone=body.timezone,
    )
    return _settings_out(saved)
