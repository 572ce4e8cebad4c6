"""Attachments and original messages stored outside the database, by content hash.

`BlobStore.put(data)` writes `data` to `<root>/<aa>/<bb>/<sha256>` (the first two byte pairs of
the hash as folders) and returns the hash. The same bytes are stored once however often they
arrive; a file is written to a temporary name, fsync'd and renamed, so a crash never leaves a
half-written blob under its hash. Storing happens before the mail's ticket is committed:
a crash in between leaves at worst an unreferenced blob, never a reference to a missing one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


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
            return digest
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

    __call__ = put
