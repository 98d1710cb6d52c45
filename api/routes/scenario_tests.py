"""Scenario tests on demand: a draft's `meta.tests` run as publishing runs them, without publishing anything.

The designer's Tests tab runs them on the canvas as it stands, saved or not: an analyst sees which test a change
breaks while making it, not only when Publish refuses.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
from fastapi import APIRouter

from api.deps import RuntimeDep, Viewer
from api.routes import AUTHED, problems
from api.routes.scenarios import SentDocumentNeedsEditor, SlugPath, handed_out
from api.schemas import ScenarioTestsIn, ScenarioTestsOut, TestOutcome
from graph_engine.errors import EngineError
from graph_engine.scenario_tests import TestOutcome as EngineTestOutcome
from graph_engine.scenario_tests import run_scenario_tests, tests_in_document
from graph_engine.upgrade import upgrade_document
from persistence import callbacks, scenarios
from persistence.errors import Refused
from persistence.goto_reach import published_reached
from persistence.users import Role

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"], responses=AUTHED)


@router.post("/{slug}/tests", response_model=ScenarioTestsOut, responses=problems(400, 404))
async def run_tests(
    slug: SlugPath, user: Viewer, runtime: RuntimeDep, body: ScenarioTestsIn | None = None
) -> ScenarioTestsOut:
    """Run the tests of the stored draft (`meta.tests`), or of `document` without saving it, as publishing runs
    them: each a test call whose Go To Scenario continues in the other scenarios' published versions.

    A `document` other than the stored draft needs the editor role (a test call of a viewer's own making could
    make a plugin block act). Nothing is stored; a failing test is an outcome (`passed: false`), not an error.
    """
    sent = body.document if body is not None else None

    def load() -> tuple[dict[str, Any], dict[str, dict[str, Any]], frozenset[str]]:
        with runtime.database.session() as session:
            stored = scenarios.get_scenario(session, slug=slug).draft_document
            # The draft sent back as stored, or as the API handed it out (upgraded), is the draft.
            as_stored = sent is None or any(
                scenarios.same_document(sent, each) for each in (stored, handed_out(stored, runtime.registry))
            )
            if not as_stored and not user.may(Role.EDITOR):
                raise SentDocumentNeedsEditor()
            # Publishing tests the document upgraded (persistence.publishing.publish): so does this, to tell what
            # it will.
            tested = upgrade_document(sent if sent is not None else stored, runtime.registry)
            # Only the published scenarios its calls can continue in, not every one (persistence.goto_reach).
            others = {other: found.document for other, found in published_reached(session, [tested]).items()}
            # A jump back into this scenario continues in the document tested, as it will once published
            # (persistence.publishing.check_document), not in the version live now.
            others[slug] = tested
            # As when publishing (persistence.publishing.check_document): the scenario calls itself back once live.
            callback_targets = frozenset({*scenarios.published_slugs(session), slug})
        return tested, others, callback_targets

    def run() -> list[EngineTestOutcome]:
        # In an event loop of its own on a worker thread, as publishing runs them: the scenario's templates and
        # expressions, bounded but not free, would otherwise hold the server's loop and, under `ivrgraph serve`,
        # every live call on it.
        return asyncio.run(
            run_scenario_tests(
                document,
                tests_in_document(document),
                runtime.registry,
                scenarios=others,
                callback_targets=callback_targets,
                refused_number=callbacks.refused_number,
            )
        )

    document, others, callback_targets = await anyio.to_thread.run_sync(load)
    try:
        outcomes = await anyio.to_thread.run_sync(run)
    except EngineError as error:
        raise Refused(f"the tests could not run: {error}") from error
    # With each call's trace: the designer tells the call step by step, in the analyst's language.
    tests = [TestOutcome(**outcome.as_dict(with_call=True)) for outcome in outcomes]
    passed = sum(test.passed for test in tests)
    return ScenarioTestsOut(tests=tests, total=len(tests), passed=passed, failed=len(tests) - passed)
