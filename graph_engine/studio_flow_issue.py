"""The one problem a Twilio Studio flow export has when it is validated as a scenario: it is no scenario yet.

Validated as one, it got the format's schema errors (no `format`, no `nodes`, no `edges`), which tell an analyst
nothing about what to do (review, 2026-12). Said instead: what the file is, and the command that converts it.

    studio_flow_problem(document, file_name)   the `studio_flow` error for a Studio export, None for anything else
"""

from __future__ import annotations

from typing import Any, Final

from graph_engine.issues import Issue, error
from graph_engine.studio_import import is_studio_flow

STUDIO_FLOW: Final = "studio_flow"


def studio_flow_problem(document: Any, file_name: str = "FLOW.json") -> Issue | None:
    """`file_name` goes into the command as the analyst would type it: the CLI's own path, the API a stand-in."""
    if not is_studio_flow(document):
        return None
    return error(
        STUDIO_FLOW,
        f"this is a Twilio Studio flow export: convert it with `ivrgraph import-studio {file_name} -o flow.json` "
        "(or the designer's Import)",
        params={"file": file_name},
    )
