"""A block's config problem in the words of its form: field titles instead of JSON keys, rows counted from one,
and for a choice (oneOf, e.g. a prompt: recorded audio or spoken text) the choice that is missing or the problem
inside the one the user picked, instead of jsonschema's "{'text': ''} is not valid under any of the given schemas".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from graph_engine.issues import Params

_CHOICES = ("oneOf", "anyOf")


def _innermost(problem: ValidationError) -> ValidationError:
    """For a choice the config has started to fill in (a prompt with a `text`), the problem inside that choice,
    whose path names the field to fix; otherwise `problem` itself."""
    while problem.validator in _CHOICES and isinstance(problem.instance, Mapping):
        inner = _picked_branch_problem(problem)
        if inner is None:
            break
        problem = inner
    return problem


def explain(problem: ValidationError, schema: Mapping[str, Any]) -> tuple[list[Any], str, Params]:
    """Where the problem is (the path inside the config, into a started choice: see `_innermost`),
    `Field > Sub-field: what is wrong`, read against the block's config `schema`, and the message's parts as
    params: `field` (the titles, joined by " > ") and the rule broken (`rule_params`)."""
    problem = _innermost(problem)
    path = list(problem.absolute_path)
    label = _label(schema, path)
    if problem.validator in _CHOICES and isinstance(problem.instance, Mapping):
        titles = [str(branch["title"]) for branch in _branches(problem) if branch.get("title")]
        if titles:
            either = " or ".join(titles)
            several = len(_started(problem)) > 1
            params: Params = {"field": label, "rule": "not_both" if several else "choose", "choices": "|".join(titles)}
            return path, f"{label}: either {either}, not both" if several else f"{label}: choose {either}", params
    text, rule = _rule(problem)
    return path, f"{label}: {text}", {"field": label, **rule}


def _branches(problem: ValidationError) -> list[Mapping[str, Any]]:
    value = problem.validator_value
    return [branch for branch in value if isinstance(branch, Mapping)] if isinstance(value, Sequence) else []


def _started(problem: ValidationError) -> list[int]:
    """The alternatives of a choice the config holds a required key of."""
    instance: Any = problem.instance  # a Mapping: checked by the callers
    return [
        index
        for index, branch in enumerate(_branches(problem))
        if any(key in instance for key in branch.get("required", ()))
    ]


def _picked_branch_problem(problem: ValidationError) -> ValidationError | None:
    """The problem inside the alternative the config has started to fill in (it holds a key only that
    alternative requires); None when it has started none, or several."""
    picked = _started(problem)
    if len(picked) != 1:
        return None
    inside = [error for error in problem.context or () if error.schema_path and error.schema_path[0] == picked[0]]
    return best_match(inside) if inside else None


def what_is_wrong(problem: ValidationError) -> str:
    """The rule `problem` breaks, in words, without naming the field (`must not be empty`)."""
    return _rule(problem)[0]


def rule_params(problem: ValidationError) -> Params:
    """The rule `problem` breaks as params: `rule` (the jsonschema keyword: `minLength`, `maximum`, `enum`...,
    or `name_pattern` for a key of a free-form map) and what `what_is_wrong` says of it (`limit`, `value`,
    `length`, `missing`, `options`, `hint`). A rule without words of its own has only `rule` and `detail`."""
    return _rule(problem)[1]


def _rule(problem: ValidationError) -> tuple[str, Params]:
    """`what_is_wrong`'s words and `rule_params`'s params, made together so they cannot drift apart."""
    # jsonschema types these as "maybe unset"; a reported problem always has them. `failed` is the (sub)schema
    # that holds the rule broken: the field's, a choice's branch, a map's propertyNames.
    value: Any = problem.instance
    limit: Any = problem.validator_value
    failed: Any = problem.schema if isinstance(problem.schema, Mapping) else {}
    kind = str(problem.validator)
    match kind:
        case "required":
            # One problem per missing key, its message naming the key (jsonschema keeps no other trace of which):
            # the first missing key named in every one would hide the others.
            absent = [name for name in limit if isinstance(value, Mapping) and name not in value]
            missing = next((name for name in absent if problem.message == f"{name!r} is a required property"), None)
            missing = missing if missing is not None else next(iter(absent), None)
            if missing is not None:
                title = str((_child(failed, missing) or {}).get("title") or missing)
                return f"{title} is required", {"rule": kind, "missing": title}
        case "minItems":
            return ("choose at least one" if limit == 1 else f"needs at least {limit} entries"), _limit(kind, limit)
        case "maxItems":
            return f"at most {limit} entries", _limit(kind, limit)
        case "minLength":
            return ("must not be empty" if limit == 1 else f"needs at least {limit} characters"), _limit(kind, limit)
        case "maxLength":
            return f"at most {limit} characters (this has {len(value)})", {**_limit(kind, limit), "length": len(value)}
        case "minimum" | "maximum":
            side = "below" if kind == "minimum" else "above"
            return f"{value!r} is {side} the limit of {limit}", {**_limit(kind, limit), "value": _scalar(value)}
        case "enum":
            options = ", ".join(str(option) for option in limit)
            return f"{value!r} is not one of: {options}", {"rule": kind, "value": _scalar(value), "options": options}
        case "pattern":
            hint = {"hint": str(failed["description"])} if failed.get("description") else {}
            shown = str(value)[:60]
            words = f": {hint['hint']}" if hint else ""
            if "propertyNames" in problem.schema_path:  # a key of a free-form map broke the rule
                return (
                    f"the name {shown!r} does not match the form names take here{words}",
                    {"rule": "name_pattern", "value": shown, **hint},
                )
            return f"{shown!r} does not match the form this field takes{words}", {"rule": kind, "value": shown, **hint}
    return problem.message, {"rule": kind, "detail": problem.message}


def _limit(kind: str, limit: Any) -> Params:
    return {"rule": kind, "limit": _scalar(limit)}


def _scalar(value: Any) -> str | int:
    """A value as a param: an integer as itself, anything else as the text a message shows for it."""
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


def field_label(schema: Mapping[str, Any], path: Sequence[Any]) -> str:
    """A config field as its form titles it, from the top of the config `schema` down (`Menu prompt > Text to
    say`), as the `field` param of a config problem names it."""
    return _label(schema, path)


def _label(schema: Mapping[str, Any], path: Sequence[Any]) -> str:
    """The field's titles from the top of the config down (`Opening hours > row 1 > Days`)."""
    if not path:
        return "settings"
    names = []
    parent: Mapping[str, Any] | None = schema
    for step in path:
        child = _child(parent, step) if parent is not None else None
        if isinstance(step, int):
            names.append(f"row {step + 1}")
        elif parent is not None and _declares(parent, step):  # a named field, by its title
            names.append(str((child or {}).get("title") or step))
        else:  # a key of a free-form map (a column name), as itself
            names.append(str(step))
        parent = child
    return " > ".join(names)


def _declares(schema: Mapping[str, Any], name: str) -> bool:
    """Is `name` a field the schema (or one of its choices) names, rather than a key of a free-form map?"""
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and name in properties:
        return True
    return any(
        isinstance(branch, Mapping) and _declares(branch, name)
        for keyword in _CHOICES
        for branch in schema.get(keyword, ())
    )


def _child(schema: Mapping[str, Any], step: Any) -> Mapping[str, Any] | None:
    if isinstance(step, int):
        items = schema.get("items")
        return items if isinstance(items, Mapping) else None
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and isinstance(properties.get(step), Mapping):
        found: Mapping[str, Any] = properties[step]
        return found
    for keyword in _CHOICES:
        for branch in schema.get(keyword, ()):
            if isinstance(branch, Mapping) and (inside := _child(branch, step)) is not None:
                return inside
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else None
