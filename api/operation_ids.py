"""The operationId of each operation in the OpenAPI document: the name of its route function (`create_job`).

FastAPI's own ids add the path and method (`create_job_api_callbacks_post`), and a client generator makes them its
method names. The designer's generated client reads operations by path and method, never by id.

A function name two routes share (two modules' `list_events`) would make two operations one id: the second route
met takes its module's name after it (`list_events_audit`), and a third alike its method too. Which is "second"
follows the order the routers are included in (api.app.ROUTERS), so adding a route never renames another unless it
is given a name already taken; tests/api/test_openapi_for_clients.py checks the ids are unique."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.routing import APIRoute


def operation_ids() -> Callable[[APIRoute], str]:
    """A `generate_unique_id_function` for one application: it keeps the ids it gave, by route (path and methods),
    and may be asked again for the same route (FastAPI builds a route once per router it is included through)."""
    given: dict[tuple[str, frozenset[str]], str] = {}

    def operation_id(route: APIRoute) -> str:
        key = (route.path_format, frozenset(route.methods or ()))
        if key in given:
            return given[key]
        taken = set(given.values())
        module = getattr(route.endpoint, "__module__", "").rpartition(".")[2]
        methods = "_".join(sorted(method.lower() for method in route.methods or ()))
        candidates = (route.name, f"{route.name}_{module}", f"{route.name}_{module}_{methods}")
        chosen = next((name for name in candidates if name not in taken), f"{route.name}_{len(given)}")
        given[key] = chosen
        return chosen

    return operation_id
