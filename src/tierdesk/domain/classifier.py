"""The Classifier port: a learned text model that names a ticket's intent.

Triage uses it as a second layer under the policy's phrase rules. Implementations live in
`tierdesk.adapters.classifier`; the domain only sees this protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Prediction:
    """The most likely label for one text, with a calibrated probability in [0, 1]."""

    label: str
    confidence: float


class Classifier(Protocol):
    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order."""
        ...
