"""The published scenarios a publish reaches into: those whose calls continue in it by Go To Scenario.

Publishing X changes what their calls do past the jump, so their tests are X's too: each is run again with X's
new document in place of its published one (`persistence.publishing.check_document`). A scenario reaches X
directly (a Go To Scenario block naming X) or through others (A jumps to B, which jumps to X). One of their tests
that fails with X's live version too is reported, not blocking: that publish of X did not break it.

A Callback block naming X does not make a dependent: the callback is another call, placed later by the
scheduler, and the scheduling scenario's tests check only what was scheduled (number, scenario, due time,
variables carried), never what the callee hears. Those tests read nothing of X's document, so a new version of
X cannot break them; X being published at all is what they need, and publishing keeps it so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph_engine.document import goto_targets


def scenarios_reaching(published: Mapping[str, Mapping[str, Any]], slug: str) -> list[str]:
    """The slugs of `published` (slug -> its latest version's document) whose calls can continue in `slug`, directly
    or through other published scenarios, sorted; never `slug` itself (its own tests run anyway)."""
    jumped_from: dict[str, set[str]] = {}
    for source, document in published.items():
        for target in goto_targets(document):
            jumped_from.setdefault(target, set()).add(source)
    found: set[str] = set()
    waiting = [slug]
    while waiting:
        for source in jumped_from.get(waiting.pop(), set()):
            if source != slug and source not in found:
                found.add(source)
                waiting.append(source)
    return sorted(found)
