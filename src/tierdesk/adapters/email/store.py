"""Attachments and original messages stored outside the database, by content hash.

`BlobStore.put(data)` writes `data` to `<root>/<aa>/<bb>/<sha256>` (the first two byte pairs of
the hash as folders) and returns the hash. The same bytes are stored once however often they
arrive; a file is written to a temporary name, fsync'd and renamed, so a crash never leaves a
half-written blob under its hash. Storing happens before the mail's ticket is committed:
a crash in between leaves at worst an unreferenced blob, never a reference to a missing one.

Unreferenced blobs are deleted by housekeeping (`services.housekeeping.purge_blobs`) once they
are older than a grace period: `stale` lists them by modification time and `delete_if_stale`
checks that time again just before deleting. Storing bytes that are already there touches the
file, so a blob a new mail is about to reference is never stale.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

_HASH = re.compile(r"^[0-9a-f]{64}$")
_PAIR = re.compile(r"^[0-9a-f]{2}$")
_TMP = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/\.tmp-[^/]+$")


class BlobStore:
    """Content-addressed files under `root` (created when missing)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            try:
                os.utime(target)  # in use again: not stale for housekeeping's grace period
                return digest
            except FileNotFoundError:
                pass  # deleted as stale meanwhile: write it again
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored bytes; FileNotFoundError for an unknown hash."""
        return self.path(sha256).read_bytes()

    def stale(self, before: datetime) -> Iterator[str]:
        """The hashes of stored blobs last written or stored again before `before`, and the
        names (`aa/bb/.tmp-...`) of temporary files a crash left, older than that."""
        limit = before.timestamp()
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir() or not _PAIR.match(first.name):
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir() or not _PAIR.match(second.name):
                    continue
                for f in second.iterdir():
                    name = f.name if _HASH.match(f.name) else f"{first.name}/{second.name}/{f.name}"
                    if not (_HASH.match(name) or _TMP.match(name)):
                        continue
                    try:
                        if f.stat().st_mtime < limit:
                            yield name
                    except FileNotFoundError:
                        continue

    def delete_if_stale(self, name: str, before: datetime) -> bool:
        """Delete the blob (or leftover temporary file) `name` from `stale` if it is still
        older than `before`; False when it is gone, was stored again meanwhile, or `name` is
        not one of this store's."""
        if _HASH.match(name):
            path = self.path(name)
        elif _TMP.match(name):
            path = self.root / name
        else:
            return False
        try:
            if path.stat().st_mtime >= before.timestamp():
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    __call__ = put
