"""Deleting a scenario while jobs are being stored for it, over real HTTP on both databases: one of the two
loses. A delete that lands first leaves the jobs refused (422); jobs stored first make the delete wait for them
and be refused (409, pending callbacks). Never both: pending jobs for a scenario that no longer exists would be
rung into the 'unknown scenario' fallback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from persistence import call_lists, callbacks, publishing
from tests.api.conftest import Client, Server
from tests.persistence import documents

# How long the request being raced waits, holding its transaction, for the other one to reach the database.
_OVERLAP_S = 1.0


def _published(admin: Client, slug: str) -> None:
    created = admin.post("/api/scenarios", json={"slug": slug, "name": "C", "document": documents.greeting()})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/scenarios/{slug}/publish", json={"message": "v1"}).status_code == 200


def _delete(server: Server, admin: Client, slug: str) -> int:
    """A delete from another session, as a colleague's."""
    with Client(base_url=server.base_url, timeout=30, cookies=admin.cookies, headers=admin.headers) as other:
        return other.delete(f"/api/scenarios/{slug}").status_code


def _delete_meanwhile(server: Server, admin: Client, slug: str, statuses: list[int]) -> threading.Thread:
    """A delete started in another thread, given time to reach the database (where it waits, or goes through)."""
    thread = threading.Thread(target=lambda: statuses.append(_delete(server, admin, slug)), daemon=True)
    thread.start()
    time.sleep(_OVERLAP_S)
    return thread


def _pending(admin: Client, slug: str) -> list[dict[str, Any]]:
    response = admin.get("/api/callbacks", params={"scenario": slug, "status": "pending"})
    assert response.status_code == 200
    return list(response.json())


def _rows(count: int) -> list[dict[str, str]]:
    return [{"phone": f"+3460000{n:04d}"} for n in range(count)]


def test_a_delete_while_a_call_list_is_checked_leaves_the_list_refused(
    server: Server, admin: Client, slug: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = slug("race-plan")
    _published(admin, name)
    real_plan, deleted = call_lists.plan_jobs, []

    def plan_then_a_colleague_deletes(*args: Any, **kwargs: Any) -> Any:
        planned = real_plan(*args, **kwargs)
        deleted.append(_delete(server, admin, name))  # nothing is held while a large list is checked
        return planned

    monkeypatch.setattr(call_lists, "plan_jobs", plan_then_a_colleague_deletes)
    batch = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": _rows(3)})
    monkeypatch.undo()

    assert deleted == [204]
    assert batch.status_code == 422, batch.text
    assert batch.json()["detail"] == f"the call list cannot be called: {name!r} is not published"
    assert _pending(admin, name) == []


def test_a_delete_while_a_call_list_is_stored_waits_and_is_refused(
    server: Server, admin: Client, slug: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = slug("race-store")
    _published(admin, name)
    real_schedule, deleted, threads = call_lists.schedule, [], []

    def a_colleague_deletes_then_store(*args: Any, **kwargs: Any) -> Any:
        threads.append(_delete_meanwhile(server, admin, name, deleted))
        return real_schedule(*args, **kwargs)

    monkeypatch.setattr(call_lists, "schedule", a_colleague_deletes_then_store)
    batch = admin.post("/api/callbacks/batch", json={"scenario": name, "rows": _rows(3)})
    monkeypatch.undo()
    threads[0].join(timeout=40)

    assert batch.status_code == 200, batch.text
    assert deleted == [409]
    assert admin.get(f"/api/scenarios/{name}").status_code == 200
    assert len(_pending(admin, name)) == 3


def test_a_delete_while_a_single_job_is_stored_waits_and_is_refused(
    server: Server, admin: Client, slug: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = slug("race-job")
    _published(admin, name)
    real_create, deleted, threads = callbacks.create_job, [], []

    def a_colleague_deletes_then_create(*args: Any, **kwargs: Any) -> Any:
        threads.append(_delete_meanwhile(server, admin, name, deleted))
        return real_create(*args, **kwargs)

    monkeypatch.setattr(callbacks, "create_job", a_colleague_deletes_then_create)
    job = admin.post("/api/callbacks", json={"number": "+34600111222", "scenario": name, "due": "2030-01-01T10:00:00Z"})
    monkeypatch.undo()
    threads[0].join(timeout=40)

    assert job.status_code == 201, job.text
    assert deleted == [409]
    assert [pending["id"] for pending in _pending(admin, name)] == [job.json()["id"]]


def test_a_single_job_for_a_deleted_scenario_is_refused(
    server: Server, admin: Client, slug: Callable[[str], str]
) -> None:
    name = slug("race-gone")
    _published(admin, name)
    assert admin.delete(f"/api/scenarios/{name}").status_code == 204
    job = admin.post("/api/callbacks", json={"number": "+34600111222", "scenario": name, "due": "2030-01-01T10:00:00Z"})
    assert job.status_code == 422, job.text
    assert job.json()["detail"] == f"the callback cannot be scheduled: {name!r} is not published"
    assert _pending(admin, name) == []


@pytest.mark.parametrize("how", ["publish", "rollback"])
def test_a_publish_while_its_scenario_is_deleted_never_brings_it_back(
    server: Server, admin: Client, slug: Callable[[str], str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A deleted scenario is kept for its calls (its versions): a publish, or a rollback (which names no draft),
    checked while it was deleted must not store a version into it and announce it to this process's FastAGI
    server as published."""
    name = slug(f"race-{how}")
    _published(admin, name)
    saved = admin.put(f"/api/scenarios/{name}/draft", json={"revision": 1, "document": documents.greeting("v2")})
    assert saved.status_code == 200, saved.text
    if how == "rollback":
        assert admin.post(f"/api/scenarios/{name}/publish", json={"message": "v2"}).status_code == 200
    events: list[str] = []

    def a_slow_listener_hears_the_publish(published: Any) -> None:
        # The publish is told after its commit: a listener slow to hear it must still hear it before the delete that
        # waited for that commit (CI, PostgreSQL, rollback: the delete was told first, the published version stayed).
        if published.slug == name:
            time.sleep(_OVERLAP_S / 2)
            events.append("published")

    unsubscribe = server.hub.subscribe(a_slow_listener_hears_the_publish)
    server.hub.subscribe_withdrawals(lambda withdrawn: events.append("withdrawn") if withdrawn == name else None)
    real_check, deleted, threads = publishing.check_document, [], []

    async def a_colleague_deletes_while_it_is_checked(*args: Any, **kwargs: Any) -> Any:
        threads.append(_delete_meanwhile(server, admin, name, deleted))
        return await real_check(*args, **kwargs)

    monkeypatch.setattr(publishing, "check_document", a_colleague_deletes_while_it_is_checked)
    try:
        if how == "publish":
            published = admin.post(f"/api/scenarios/{name}/publish", json={"message": "v2"})
        else:
            published = admin.post(f"/api/scenarios/{name}/versions/1/rollback", json={"message": "back"})
    finally:
        monkeypatch.undo()
        unsubscribe()
    threads[0].join(timeout=40)

    assert deleted == [204]
    # PostgreSQL: the publish holds the row, the delete follows it. SQLite: the delete went first, the publish finds
    # the scenario gone.
    expected = {"postgres": 200, "sqlite": 404}[server.backend]
    assert published.status_code == expected, published.text
    assert events[-1] == "withdrawn", events
    assert admin.get(f"/api/scenarios/{name}").status_code == 404
