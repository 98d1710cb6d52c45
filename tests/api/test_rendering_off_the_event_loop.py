"""Templates and expressions a request renders run on a worker thread, never on the server's event loop.

Security review: POST /api/tts/preview rendered its template on the event loop, and the test call
(`/simulate`) and the Tests tab (`/tests`) ran the draft there, so one viewer's heavy template stalled every other
request and, under `ivrgraph serve`, every live call on the FastAGI server sharing that loop (15 s for one
preview). A render here takes a second (the engine's own function, slowed): /healthz must answer meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from graph_engine import templates
from tests.api.conftest import Client, Server, UserFactory
from tests.conftest import make_document

SLOW = 1.5  # seconds a render takes here


@pytest.fixture
def rendering() -> Iterator[threading.Event]:
    """Makes templates.render and templates.evaluate take SLOW seconds of the thread they run on (as a heavy
    template would, within its budget); the event is set once one has begun."""
    begun = threading.Event()
    render, evaluate = templates.render, templates.evaluate

    def slowly(function: Callable[..., Any]) -> Callable[..., Any]:
        def slow(*args: Any, **kwargs: Any) -> Any:
            begun.set()
            time.sleep(SLOW)
            return function(*args, **kwargs)

        return slow

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(templates, "render", slowly(render))
        patch.setattr(templates, "evaluate", slowly(evaluate))
        yield begun


def healthz_while(server: Server, begun: threading.Event, ask: Callable[[], httpx.Response]) -> tuple[float, int]:
    """Seconds /healthz took to answer while `ask` was rendering, and what `ask` was answered."""
    answered: list[httpx.Response] = []
    asking = threading.Thread(target=lambda: answered.append(ask()))
    asking.start()
    try:
        assert begun.wait(10), "the request never began rendering"
        started = time.perf_counter()
        health = httpx.get(f"{server.base_url}/healthz", timeout=30)
        took = time.perf_counter() - started
        assert health.status_code == 200
    finally:
        asking.join(30)
    return took, answered[0].status_code


def test_a_preview_renders_off_the_event_loop(server: Server, user_factory: UserFactory, rendering: threading.Event):
    viewer = user_factory("viewer")
    # A template failing once rendered: answered 422, nothing spoken.
    phrase = {"text": "{{ 1 // 0 }}", "language": "en", "engine": "espeak-ng"}
    took, status = healthz_while(server, rendering, lambda: viewer.post("/api/tts/preview", json=phrase))
    assert status == 422
    assert took < SLOW / 2


def test_a_test_call_runs_off_the_event_loop(
    server: Server, user_factory: UserFactory, admin: Client, slug: Callable[[str], str], rendering: threading.Event
) -> None:
    name = slug("off-loop")
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Off the loop", "document": _condition()})
    assert created.status_code == 201, created.text
    viewer = user_factory("viewer")
    took, status = healthz_while(server, rendering, lambda: viewer.post(f"/api/scenarios/{name}/simulate", json={}))
    assert status == 200
    assert took < SLOW / 2


def test_scenario_tests_run_off_the_event_loop(
    server: Server, user_factory: UserFactory, admin: Client, slug: Callable[[str], str], rendering: threading.Event
) -> None:
    name = slug("off-loop-tests")
    tests = [{"name": "branches", "expect": {"path": ["start", "c", "bye"], "outcome": "hung_up"}}]
    document = _condition(meta={"tests": tests})
    created = admin.post("/api/scenarios", json={"slug": name, "name": "Off the loop", "document": document})
    assert created.status_code == 201, created.text
    viewer = user_factory("viewer")
    took, status = healthz_while(server, rendering, lambda: viewer.post(f"/api/scenarios/{name}/tests"))
    assert status == 200
    assert took < SLOW / 2


def _condition(**extra: Any) -> dict[str, Any]:
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "c", "type": "condition", "config": {"expression": "1 > 0"}},
         {"id": "bye", "type": "hangup"}],
        [("start", "next", "c"), ("c", "true", "bye"), ("c", "false", "bye")],
        **extra,
    )  # fmt: skip


def test_text_previews_are_limited_per_user_apart_from_spoken_ones(user_factory: UserFactory) -> None:
    """Review: /api/tts/preview/text renders as its neighbour does, without its limit. Thirty a minute per user,
    then 429; a budget of their own, as the designer asks for the text before each spoken preview."""
    viewer, other = user_factory("viewer"), user_factory("viewer")
    phrase = {"text": "Hola {{ name }}", "language": "es", "variables": {"name": "Ana"}}
    answers = [viewer.post("/api/tts/preview/text", json=phrase).status_code for _ in range(31)]
    assert answers == [200] * 30 + [429]
    refused = viewer.post("/api/tts/preview/text", json=phrase)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert other.post("/api/tts/preview/text", json=phrase).status_code == 200
    # The spoken previews' 30 are untouched (a template failing once rendered: 422, not 429).
    failing = {"text": "{{ 1 // 0 }}", "language": "en", "engine": "espeak-ng"}
    assert viewer.post("/api/tts/preview", json=failing).status_code == 422


def test_a_preview_is_counted_before_its_template_is_rendered(user_factory: UserFactory) -> None:
    """Review: the limit was taken after rendering, so templates refused or failing (each up to the sandbox's
    work budget) could be sent without end. Every preview asked for counts, rendered or not."""
    viewer = user_factory("viewer")
    heavy = {
        "text": "{{ (s|list|map('replace','a',s)|map('list'))|map('map','replace','a',s)|map('map','list')"
        "|map('map','length')|map('sum')|sum }}",
        "language": "en",
        "variables": {"s": "a" * 300},  # 27 million characters built
    }
    answers = [viewer.post("/api/tts/preview", json=heavy) for _ in range(31)]
    assert [answer.status_code for answer in answers] == [422] * 30 + [429]
    assert "units of work" in answers[0].json()["detail"]
    assert max(answer.elapsed.total_seconds() for answer in answers) < 2
