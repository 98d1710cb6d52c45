"""What the designer's "Listen" button speaks: a prompt's template rendered as a call renders it.

The field holds a template (`{{ money(debt_amount, "RUB", language) }}`); speaking it as written read the names
aloud ("money", "debt amount", "RUB"), so the analyst never heard what a caller hears. The template is rendered by
the calls' own sandbox (graph_engine.templates) with the values the designer sends: the scenario's declared
defaults and the Test call's values. A name the template needs that has none is answered as such, by name,
rather than spoken as something a caller would never hear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph_engine import templates
from graph_engine.errors import TemplateError
from voice.templating import install_template_functions


@dataclass(frozen=True, slots=True)
class Rendered:
    """The text a call would speak."""

    text: str


@dataclass(frozen=True, slots=True)
class MissingVariables:
    """The template needs values it was not given: every name it reads without one, sorted."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TemplateFailed:
    """The template does not render (syntax, a refused construct, a helper failing on a value): its own words."""

    message: str
    code: str | None


PhrasePreview = Rendered | MissingVariables | TemplateFailed


# What a value may cause (graph_engine.templates): a syntax error or a refused construct is the template's alone.
_FAILURES_OF_VALUES = frozenset({"unknown_variable", "template_failed"})


def preview_phrase(template: str, *, language: str, variables: Mapping[str, Any]) -> PhrasePreview:
    """`template` rendered with `variables`; `language` is the call's `language` unless `variables` sets one, as
    a scenario's own language is unless a declared default sets it (graph_engine.document.Scenario)."""
    # The helpers (money(), spoken_date()...) are globals of the template environment: without them `money`
    # would read as a variable nobody set.
    install_template_functions()
    values = dict(variables)
    if not values.get("language"):
        values["language"] = language
    try:
        return Rendered(templates.render(template, values))
    except TemplateError as error:
        unset = _without_values(template, values)
        named = error.params.get("variable") if error.code == "unknown_variable" else None
        if isinstance(named, str):
            return MissingVariables(tuple(sorted(unset | {named})))
        # A helper handed a name without a value fails on the value (`not a date: Undefined`), not on the name.
        if unset and error.code in _FAILURES_OF_VALUES:
            return MissingVariables(tuple(sorted(unset)))
        return TemplateFailed(str(error), error.code)


def _without_values(template: str, values: Mapping[str, Any]) -> frozenset[str]:
    """Every name the template reads that has no value, so the analyst sets them all at once rather than one per
    click. Asked only once the render failed: a name read only through `| default(...)` or in a branch not taken
    does not stop it, but is listed with the others when something else did."""
    return templates.names_read(template) - templates.GLOBAL_NAMES - values.keys()
