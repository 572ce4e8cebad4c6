"""Housekeeping: delete the browser sessions, API tokens and mail blobs nobody needs any more.

A session or token that expired or was revoked stays stored (a user sees recently ended ones in
their lists); `purge` deletes those that ended more than a while ago: sessions after `keep`
(30 days), tokens after `token_keep` (90 days: users see recently revoked or expired tokens in
their token list for longer). A session or token still valid is never deleted, however old.
Running it in any number of workers at once is safe: a row is deleted once, whoever gets it.

Mail originals and attachments live outside the database by content hash (the email adapter's
blob store); one that no stored mail refers to (its mail's ticket was never committed, e.g. a
crash between storing and committing, and the mail never came back) is an orphan. With a
`blobs` store, `purge` also deletes the orphans older than `blob_grace` (a day): a mail being
taken in right now has its blobs fresh (storing touches them), so they are never taken for
orphans. The referenced hashes are read first (64-bit prefixes, ~60 bytes per blob in
memory); a prefix shared by chance keeps an orphan, never deletes a referenced blob.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tierdesk.services.env import Env

SESSION_KEEP = timedelta(days=30)
TOKEN_KEEP = timedelta(days=90)
BLOB_GRACE = timedelta(days=1)


class BlobFiles(Protocol):
    """Content-addressed files (the email adapter's `BlobStore`)."""

    def stale(self, before: datetime) -> Iterator[str]:
        """Names (hashes, or leftover temporary files) of files untouched since `before`."""
        ...

    def delete_if_stale(self, name: str, before: datetime) -> bool:
        """Delete `name` if it is still untouched since `before`; whether it was deleted."""
        ...


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted."""

    sessions: int = 0
    tokens: int = 0
    blobs: int = 0  # orphan mail blobs deleted


def purge(
    env: Env,
    now: datetime | None = None,
    *,
    keep: timedelta = SESSION_KEEP,
    token_keep: timedelta = TOKEN_KEEP,
    blobs: BlobFiles | None = None,
    blob_grace: timedelta = BLOB_GRACE,
) -> PurgeReport:
    """Delete the sessions that ended (expired or were ended) more than `keep` before `now`
    (default: the clock) and the tokens that ended (expired or were revoked) more than
    `token_keep` before it, in one unit of work. One that ended exactly `keep` ago is kept.
    With `blobs`, also the orphan blobs untouched for `blob_grace` (`purge_blobs`)."""
    at = now or env.now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"purge needs an aware time, got naive {at}")
    for name, value in (("keep", keep), ("token_keep", token_keep), ("blob_grace", blob_grace)):
        if value < timedelta(0):
            raise ValueError(f"purge: {name} must not be negative, got {value}")
    with env.uow() as uow:
        report = PurgeReport(
            sessions=uow.sessions.purge(at - keep),
            tokens=uow.tokens.purge(at - token_keep),
        )
        uow.commit()
    if blobs is not None:
        report = PurgeReport(
            report.sessions, report.tokens, purge_blobs(env, blobs, at - blob_grace)
        )
    return report


def purge_blobs(env: Env, blobs: BlobFiles, before: datetime) -> int:
    """Delete the blobs untouched since `before` that no stored mail refers to; how many."""
    with env.reader() as uow:  # a read-only transaction: intake is not held up meanwhile
        referenced = {_prefix(h) for h in uow.mail.blob_hashes() if h}
    deleted = 0
    for name in blobs.stale(before):
        if _prefix(name) in referenced:
            continue
        deleted += blobs.delete_if_stale(name, before)
    return deleted


def _prefix(name: str) -> int:
    """The first 64 bits of a hash; -1 for anything else (a leftover temporary file)."""
    if len(name) != 64:
        return -1
    try:
        return int(name[:16], 16)
    except ValueError:
        return -1
