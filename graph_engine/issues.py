"""What validation finds: one `Issue` per problem, with a stable code a tool can rely on."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# What a problem's message is built from, by stable snake_case name (`label`, `exit`, `variable`, `limit`...),
# so a client can say the same thing in its own language (see docs/scenario-format.md).
Params = dict[str, str | int]


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
    params: Params = field(default_factory=dict, hash=False)  # the values `message` names, by name

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def error(
    code: str, message: str, *, node: str | None = None, path: str = "$", params: Mapping[str, str | int] | None = None
) -> Issue:
    return Issue(Severity.ERROR, code, message, node, path, dict(params or {}))


def warning(
    code: str, message: str, *, node: str | None = None, path: str = "$", params: Mapping[str, str | int] | None = None
) -> Issue:
    return Issue(Severity.WARNING, code, message, node, path, dict(params or {}))


def node_params(block_type: str, block_title: str, label: str) -> Params:
    """How a problem names its block: the block's type and title (`ivr`, `IVR Menu`) and the node's own name
    (its label, else its id), as `IVR Menu "Main menu"` reads in the message."""
    return {"block_type": block_type, "block_title": block_title, "label": label}


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.severity is Severity.ERROR for issue in issues)
