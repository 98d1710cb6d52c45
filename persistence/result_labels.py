"""The words a scenario gives its call results (the document's `results`: `will_pay` -> "Pagará"), as the call
register and its reports show them: those of each scenario's latest published version, what its calls run now.

Read once per request for the scenarios its calls belong to, in one query on the scenarios' slug and the versions'
(scenario, number) keys; only each document's `results` crosses to Python, never a whole document."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from persistence.models import Scenario, ScenarioVersion

# slug -> code -> label
ResultLabels = dict[str, dict[str, str]]


def result_labels(session: Session, *, scenarios: Collection[str]) -> ResultLabels:
    """The labels each of `scenarios` (slugs) declares in its latest published version; a scenario that is not
    published, is deleted, or declares none is left out. The first of a code declared twice wins (validation
    refuses to publish such a version, so only an old one could hold it)."""
    if not scenarios:
        return {}
    declared = ScenarioVersion.document["results"]
    query = (
        select(Scenario.slug, declared.label("results"))
        .join(
            ScenarioVersion,
            and_(ScenarioVersion.scenario_id == Scenario.id, ScenarioVersion.number == Scenario.latest_version),
        )
        .where(Scenario.slug.in_(sorted(set(scenarios))), Scenario.deleted_at.is_(None))
    )
    labels: ResultLabels = {}
    for slug, results in session.execute(query):
        found = _labels(results)
        if found:
            labels[slug] = found
    return labels


def _labels(results: Any) -> dict[str, str]:
    """code -> label of a document's `results` (any JSON: a published one has the format's shape)."""
    found: dict[str, str] = {}
    for result in results if isinstance(results, list) else []:
        if isinstance(result, dict) and isinstance(result.get("code"), str) and isinstance(result.get("label"), str):
            found.setdefault(result["code"], result["label"])
    return found


def label_of(labels: ResultLabels, *, scenario: str, result: str | None) -> str | None:
    """The label `scenario` declares for `result`, or None (no result, or one it does not declare)."""
    return labels.get(scenario, {}).get(result) if result is not None else None
