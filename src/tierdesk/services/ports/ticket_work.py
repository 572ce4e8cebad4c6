"""The work recorded on a ticket: its escalations, approvals, actions granted (refunds,
discounts, ...) and surveys.
"""

from __future__ import annotations

from typing import Protocol

from tierdesk.services.records import ActionRecord, ApprovalRecord, EscalationRecord, SurveyRecord


class EscalationRepository(Protocol):
    def add(self, escalation: EscalationRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[EscalationRecord]:
        """Escalations of one ticket, oldest first."""
        ...


class ApprovalRepository(Protocol):
    def add(self, approval: ApprovalRecord) -> None: ...

    def get(self, approval_id: str) -> ApprovalRecord | None: ...

    def save(self, approval: ApprovalRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[ApprovalRecord]: ...

    def pending(self, limit: int = 100) -> list[ApprovalRecord]:
        """Pending approvals, oldest first."""
        ...


class ActionRepository(Protocol):
    def add(self, action: ActionRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[ActionRecord]: ...


class SurveyRepository(Protocol):
    def add(self, survey: SurveyRecord) -> None: ...

    def get(self, survey_id: str) -> SurveyRecord | None: ...

    def get_by_token(self, token: str) -> SurveyRecord | None: ...

    def save(self, survey: SurveyRecord) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[SurveyRecord]: ...
