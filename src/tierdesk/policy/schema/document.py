"""The SOP document's own sections (`document`): purpose, scope, definitions,
responsibilities, procedures, document control and revisions (R-DOC-1, R-DOC-2).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from tierdesk.policy.schema.base import Strict, Text


class Definition(Strict):
    term: str
    meaning: Text


class Responsibility(Strict):
    role: Text
    duties: Text


class Procedure(Strict):
    title: Text
    steps: list[Text] = Field(min_length=1)
    checklist: bool = Field(False, description="Print the steps as check boxes.")


class RelatedDocs(Strict):
    category: Text
    references: list[str]


class Revision(Strict):
    version: str
    date: date
    changes: Text
    author: str | None = None


class DocumentControl(Strict):
    owner: str = Field(description="Who owns the SOP (a role or a person).")
    approver: str = Field(description="Who approves a new version (R-DOC-3).")
    version: str
    effective: date | None = None
    review_schedule: Text = Field(description="When the SOP is reviewed, in words.")
    review_every_months: int | None = Field(None, ge=1, le=36)
    contact_email: str | None = None
    contact_phone: str | None = None


class Document(Strict):
    format: Literal["cs-sop", "full-sop"] = Field(
        "cs-sop",
        description="cs-sop: the five-section SOP (R-DOC-1); full-sop: seed 003 (R-DOC-2).",
    )
    title: Text | None = None
    purpose: Text | None = None
    scope: Text | None = None
    applies_to: list[Text] = []
    exclusions: Text | None = None
    definitions: list[Definition] = []
    responsibilities: list[Responsibility] = []
    procedures: list[Procedure] = []
    communication_standards: list[Text] = []
    emergency: list[Text] = []
    exceptions: list[Text] = []
    related: list[RelatedDocs] = []
    control: DocumentControl | None = None
    revisions: list[Revision] = []
