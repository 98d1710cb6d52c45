"""What validation finds: one `Issue` per problem, with a stable code a tool can rely on."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"  # blocks publishing
    WARNING = "warning"  # shown, never blocking


@dataclass(frozen=True, slots=True)
class Issue:
    severity: Severity
    code: str  # stable: tools and tests match on it (see docs/scenario-format.md for the list)
    message: str  # for a business analyst
    node: str | None = None
    path: str = "$"  # JSON path into the document

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def error(code: str, message: str, *, node: str | None = None, path: str = "$") -> Issue:
    return Issue(Severity.ERROR, code, message, node, path)


def warning(code: str, message: str, *, node: str | None = None, path: str = "$") -> Issue:
    return Issue(Severity.WARNING, code, message, node, path)


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.severity is Severity.ERROR for issue in issues)
