"""A problem found in a policy file (`policy check`, the loader, the checker), with where it is.

Its own module of the standard library only, so that what prints findings without reading a
policy (the CLI's policy cache) need not import the loader (YAML, the schema).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    path: str  # dotted key path, e.g. priorities.P2.first_response
    message: str
    line: int = 1  # 1-based
    col: int = 1  # 1-based
    file: str = "<policy>"

    def to_json(self) -> dict[str, str | int]:
        """The finding as `policy check --json` prints it."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.col,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
        }

    def format(self) -> str:
        tag = "" if self.severity == "error" else "warning: "
        where = self.path or "(top)"
        return f"{self.file}:{self.line}:{self.col}: {where}: {tag}{self.message}"
