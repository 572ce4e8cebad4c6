"""Password hashing with argon2id (argon2-cffi), behind `tierdesk.bootstrap`.

`Argon2Hasher()` uses argon2-cffi's current defaults (RFC 9106 low-memory profile). A cheap
profile (`Argon2Hasher.fast()`) exists for tests only: it is still argon2id, just quick.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """hash(password) -> encoded argon2id string; verify(stored, password) -> bool."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._ph = hasher or PasswordHasher(type=Type.ID)

    @classmethod
    def fast(cls) -> Argon2Hasher:
        """A deliberately weak profile for test suites (never for real passwords)."""
        return cls(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID))

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        """True when `password` matches `stored`; False for a mismatch or a malformed hash."""
        try:
            return self._ph.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._ph.check_needs_rehash(stored)
        except InvalidHashError:
            return True
