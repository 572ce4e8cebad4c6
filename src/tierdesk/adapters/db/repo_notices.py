"""Staff notices and incidents on SQLAlchemy Core (the `NoticeRepository` and
`IncidentRepository` ports in `tierdesk.services.ports`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from tierdesk.adapters.db.mapping import from_row, to_row
from tierdesk.adapters.db.tables import (
    incident_entries,
    incident_tickets,
    incidents,
    notice_settings,
    notices,
)
from tierdesk.adapters.db.tx import Tx
from tierdesk.services.ports import (
    IncidentEntryRecord,
    IncidentRecord,
    IncidentTicketRecord,
    NoticeRecord,
    NoticeSettingsRecord,
)

_N, _S, _I, _L, _E = (
    notices.c,
    notice_settings.c,
    incidents.c,
    incident_tickets.c,
    incident_entries.c,
)


# Statements of the notice hook (every command that tells someone runs them), built once so
# that SQLAlchemy reuses their compiled form.
_OPEN_ABOUT = (
    sa.select(notices)
    .where(
        _N.user_id == sa.bindparam("p_user"),
        _N.ticket_id == sa.bindparam("p_ticket"),
        _N.read_at.is_(None),
        _N.updated_at >= sa.bindparam("p_since"),
    )
    .order_by(_N.updated_at.desc(), _N.id.desc())
    .limit(1)
)
_SETTINGS = sa.select(notice_settings).where(_S.user_id == sa.bindparam("p_user"))


class SqlNotices:
    """NoticeRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def _latest_first(self, query: sa.Select[tuple[object, ...]]) -> sa.Select[tuple[object, ...]]:
        return query.order_by(_N.updated_at.desc(), self._tx.id_order(_N.id).desc())

    def _many(self, query: sa.Select[tuple[object, ...]]) -> list[NoticeRecord]:
        return [from_row(NoticeRecord, r) for r in self._tx.execute(query).mappings()]

    def add(self, notice: NoticeRecord) -> None:
        self._tx.insert(notices, to_row(notice))

    def get(self, notice_id: str) -> NoticeRecord | None:
        row = self._tx.execute(sa.select(notices).where(_N.id == notice_id)).mappings().first()
        return None if row is None else from_row(NoticeRecord, row)

    def save(self, notice: NoticeRecord) -> None:
        values = to_row(notice)
        del values["id"]
        self._tx.execute(sa.update(notices).where(_N.id == notice.id).values(**values))

    def open_about(self, user_id: str, ticket_id: str, since: datetime) -> NoticeRecord | None:
        # id order only breaks ties of equal times (PostgreSQL's collation is fine for that)
        params = {"p_user": user_id, "p_ticket": ticket_id, "p_since": since}
        row = self._tx.execute(_OPEN_ABOUT, params).mappings().first()
        return None if row is None else from_row(NoticeRecord, row)

    def for_user(
        self, user_id: str, *, unread_only: bool = False, limit: int = 50
    ) -> list[NoticeRecord]:
        query = sa.select(notices).where(_N.user_id == user_id)
        if unread_only:
            query = query.where(_N.read_at.is_(None))
        return self._many(self._latest_first(query).limit(limit))

    def unread_count(self, user_id: str) -> int:
        query = sa.select(sa.func.count()).where(_N.user_id == user_id, _N.read_at.is_(None))
        return int(self._tx.execute(query).scalar_one())

    def mark_read(self, user_id: str, notice_ids: Sequence[str] | None, at: datetime) -> int:
        statement = (
            sa.update(notices).where(_N.user_id == user_id, _N.read_at.is_(None)).values(read_at=at)
        )
        if notice_ids is not None:
            if not notice_ids:
                return 0
            statement = statement.where(_N.id.in_(list(notice_ids)))
        return int(self._tx.execute(statement).rowcount)

    def due_for_delivery(self, now: datetime, limit: int) -> list[NoticeRecord]:
        query = (
            sa.select(notices)
            .where(_N.deliver_at <= now, _N.delivered_at.is_(None))
            .order_by(_N.deliver_at, self._tx.id_order(_N.id))
            .limit(limit)
        )
        return self._many(query)

    def settings(self, user_id: str) -> NoticeSettingsRecord | None:
        row = self._tx.execute(_SETTINGS, {"p_user": user_id}).mappings().first()
        return None if row is None else from_row(NoticeSettingsRecord, row)

    def save_settings(self, settings: NoticeSettingsRecord) -> None:
        values = to_row(settings)
        updated = self._tx.execute(
            sa.update(notice_settings)
            .where(_S.user_id == settings.user_id)
            .values(**{k: v for k, v in values.items() if k != "user_id"})
        ).rowcount
        if not updated:
            self._tx.insert(notice_settings, values)


class SqlIncidents:
    """IncidentRepository."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, incident: IncidentRecord) -> None:
        self._tx.insert(incidents, to_row(incident))

    def get(self, incident_id: str) -> IncidentRecord | None:
        query = sa.select(incidents).where(_I.id == incident_id)
        row = self._tx.execute(query).mappings().first()
        return None if row is None else from_row(IncidentRecord, row)

    def save(self, incident: IncidentRecord) -> None:
        values = to_row(incident)
        del values["id"]
        self._tx.execute(sa.update(incidents).where(_I.id == incident.id).values(**values))

    def search(self, status: str | None = None, limit: int = 100) -> list[IncidentRecord]:
        query = sa.select(incidents)
        if status is not None:
            query = query.where(_I.status == status)
        query = query.order_by(_I.created_at.desc(), self._tx.id_order(_I.id).desc()).limit(limit)
        return [from_row(IncidentRecord, r) for r in self._tx.execute(query).mappings()]

    def link(self, link: IncidentTicketRecord) -> bool:
        return bool(
            self._tx.insert(incident_tickets, to_row(link), ignore=("incident_id", "ticket_id"))
        )

    def unlink(self, incident_id: str, ticket_id: str) -> bool:
        statement = sa.delete(incident_tickets).where(
            _L.incident_id == incident_id, _L.ticket_id == ticket_id
        )
        return bool(self._tx.execute(statement).rowcount)

    def tickets(self, incident_id: str) -> list[IncidentTicketRecord]:
        query = (
            sa.select(incident_tickets)
            .where(_L.incident_id == incident_id)
            .order_by(_L.linked_at, self._tx.id_order(_L.ticket_id))
        )
        return [from_row(IncidentTicketRecord, r) for r in self._tx.execute(query).mappings()]

    def for_ticket(self, ticket_id: str) -> list[str]:
        query = (
            sa.select(_L.incident_id)
            .where(_L.ticket_id == ticket_id)
            .order_by(self._tx.id_order(_L.incident_id))
        )
        return [str(x) for x in self._tx.execute(query).scalars()]

    def add_entry(self, entry: IncidentEntryRecord) -> None:
        self._tx.insert(incident_entries, to_row(entry))

    def timeline(self, incident_id: str) -> list[IncidentEntryRecord]:
        query = (
            sa.select(incident_entries)
            .where(_E.incident_id == incident_id)
            .order_by(_E.at, _E.row_id)
        )
        return [from_row(IncidentEntryRecord, r) for r in self._tx.execute(query).mappings()]
