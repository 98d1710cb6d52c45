"""The published scenarios a test call may continue in, and those whose calls continue in a scenario: read along
the Go To Scenario jumps, one query a round, not one a published scenario.

A test call (the designer's, a draft's tests, a publish's) runs documents whose Go To Scenario blocks continue in
published scenarios, which may jump on to others; a publish also runs the tests of the scenarios that jump into
the one published (persistence.dependents). Reading every published scenario's latest version for that, one
query each, made testing and publishing one scenario cost more with every other scenario published, reached or
not (scale review: 226 scenarios, 226 queries, a publish of a 10-block scenario 0.8 s instead of 0.03 s).

Read here instead by slug, a round per jump: the cost follows the scenarios a call reaches, and those reaching
the one published, however many others there are. Who jumps into a scenario is found by the database in the
documents (`scenarios.published_jumping_into`), not by parsing every document in Python. That is still a scan of
the published versions, in the database: 10-15 ms on either database for 226 scenarios (a tenth of them of 800
blocks), where the loop took 0.4-1 s. A list of the jumps stored with each version would spare the scan too, at
the price of a migration and of reading every version once to fill it: not worth it while the scan costs that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from graph_engine.document import goto_targets
from persistence import scenarios
from persistence.scenarios import Published


def published_reached(session: Session, documents: Iterable[Mapping[str, Any]]) -> dict[str, Published]:
    """The published scenarios, by slug, that calls of `documents` can continue in by Go To Scenario, directly or
    through each other: every one a test call of them may load, and no other. A target with no published
    version is left out, as it was when every published scenario was read (its jump fails in the test call)."""
    found: dict[str, Published] = {}
    asked: set[str] = set()
    wanted = {target for document in documents for target in goto_targets(document)}
    while wanted:
        asked |= wanted
        loaded = scenarios.latest_published(session, wanted)
        found.update(loaded)
        wanted = {target for other in loaded.values() for target in goto_targets(other.document)} - asked
    return found


def published_reaching(session: Session, slug: str) -> dict[str, Published]:
    """The published scenarios, by slug, whose calls can continue in `slug` by Go To Scenario, directly or through
    other published scenarios; never `slug` itself. The same scenarios as `dependents.scenarios_reaching` finds
    among all the published ones, read a round per jump back from `slug`."""
    found: dict[str, Published] = {}
    jumped_into = {slug}
    while jumped_into:
        jumping = scenarios.published_jumping_into(session, jumped_into)
        new = {other: version for other, version in jumping.items() if other != slug and other not in found}
        found.update(new)
        jumped_into = set(new)
    return found
