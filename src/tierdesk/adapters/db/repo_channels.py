"""Channel events on SQLAlchemy Core (the `ChannelEventRepository` port in
`tierdesk.services.ports`): what a channel delivered, so each event is handled once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.tables import channel_events
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.ports import ChannelEventRecord

_E = channel_events.c


class SqlChannelEvents:
    """ChannelEventRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, event: ChannelEventRecord) -> ChannelEventRecord:
        # A concurrent delivery of the same event inserts nothing here and reads the winner's.
        self._tx.insert(channel_events, to_row(event), ignore=("channel", "event_id"))
        query = sa.select(channel_events).where(
            _E.channel == event.channel, _E.event_id == event.event_id
        )
        row = self._tx.execute(query).mappings().one()
        return from_row(ChannelEventRecord, row)

    def mark_handled(
        self, channel: str, event_id: str, at: datetime, ticket_id: str | None = None
    ) -> None:
        values: dict[str, object] = {"handled_at": at}
        if ticket_id is not None:
            values["ticket_id"] = ticket_id
        self._tx.execute(
            sa.update(channel_events)
            .where(_E.channel == channel, _E.event_id == event_id)
            .values(**values)
        )

    def claim_reply_token(
        self, channel: str, user_id: str, since: datetime, at: datetime
    ) -> str | None:
        query = (
            sa.select(_E.event_id, _E.reply_token)
            .where(
                _E.channel == channel,
                _E.user_id == user_id,
                _E.received_at >= since,
                _E.reply_token.is_not(None),
                _E.reply_token_used_at.is_(None),
            )
            .order_by(_E.received_at.desc())
            .limit(1)
        )
        if self._tx.postgres:
            query = query.with_for_update(skip_locked=True)
        found = self._tx.execute(query).first()
        if found is None:
            return None
        # The guard on reply_token_used_at makes a racing claim of the same token a no-op.
        claimed = self._tx.execute(
            sa.update(channel_events)
            .where(
                _E.channel == channel,
                _E.event_id == found.event_id,
                _E.reply_token_used_at.is_(None),
            )
            .values(reply_token_used_at=at)
        ).rowcount
        return str(found.reply_token) if claimed else None

    def latest_kind(self, channel: str, user_id: str, kinds: Sequence[str]) -> str | None:
        query = (
            sa.select(_E.kind)
            .where(_E.channel == channel, _E.user_id == user_id, _E.kind.in_(list(kinds)))
            .order_by(_E.received_at.desc())
            .limit(1)
        )
        found = self._tx.execute(query).scalar()
        return None if found is None else str(found)
