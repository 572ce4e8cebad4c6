"""Versioned configuration: the policy versions (with their acknowledgements) and the
triage model versions.
"""

from __future__ import annotations

from typing import Protocol

from tierdesk.services.records import AcknowledgementRecord, ModelVersionRecord, PolicyVersionRecord


class PolicyVersionRepository(Protocol):
    def add(self, version: PolicyVersionRecord) -> None:
        """DuplicateKey for an existing number."""
        ...

    def get(self, version_id: str) -> PolicyVersionRecord | None: ...

    def save(self, version: PolicyVersionRecord) -> None: ...

    def history(self) -> list[PolicyVersionRecord]:
        """Every version, by number (the revision history)."""
        ...

    def effective(self) -> PolicyVersionRecord | None:
        """The version with status "effective", if any."""
        ...

    def add_acknowledgement(self, ack: AcknowledgementRecord) -> None:
        """Idempotent: acknowledging the same version twice keeps the first."""
        ...

    def acknowledgement(self, version_id: str, user_id: str) -> AcknowledgementRecord | None: ...

    def acknowledgements(self, version_id: str) -> list[AcknowledgementRecord]: ...


class ModelVersionRepository(Protocol):
    def add(self, version: ModelVersionRecord, payload: bytes) -> None:
        """DuplicateKey for an existing number."""
        ...

    def get(self, version_id: str) -> ModelVersionRecord | None: ...

    def save(self, version: ModelVersionRecord) -> None:
        """Replace the row (status, decision); the payload never changes."""
        ...

    def history(self) -> list[ModelVersionRecord]:
        """Every version, by number."""
        ...

    def effective(self) -> ModelVersionRecord | None:
        """The version with status "effective", if any."""
        ...

    def payload(self, version_id: str) -> bytes | None:
        """The model's bytes (a model file's), None for an unknown id."""
        ...
