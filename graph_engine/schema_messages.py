"""A block's config problem in the words of its form: field titles instead of JSON keys, rows counted from one,
and for a choice (oneOf, e.g. a prompt: recorded audio or spoken text) the choice that is missing or the problem
inside the one the user picked, instead of jsonschema's "{'text': ''} is not valid under any of the given schemas".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

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


def explain(problem: ValidationError, schema: Mapping[str, Any]) -> tuple[list[Any], str]:
    """Where the problem is (the path inside the config, into a started choice: see `_innermost`) and
    `Field > Sub-field: what is wrong`, read against the block's config `schema`."""
    problem = _innermost(problem)
    path = list(problem.absolute_path)
    label = _label(schema, path)
    if problem.validator in _CHOICES and isinstance(problem.instance, Mapping):
        titles = [str(branch["title"]) for branch in _branches(problem) if branch.get("title")]
        if titles:
            either = " or ".join(titles)
            several = len(_started(problem)) > 1
            return path, f"{label}: either {either}, not both" if several else f"{label}: choose {either}"
    return path, f"{label}: {what_is_wrong(problem)}"


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
    # jsonschema types these as "maybe unset"; a reported problem always has them. `failed` is the (sub)schema
    # that holds the rule broken: the field's, a choice's branch, a map's propertyNames.
    value: Any = problem.instance
    limit: Any = problem.validator_value
    failed: Any = problem.schema if isinstance(problem.schema, Mapping) else {}
    match problem.validator:
        case "required":
            missing = next((name for name in limit if isinstance(value, Mapping) and name not in value), None)
            if missing is not None:
                return f"{(_child(failed, missing) or {}).get('title') or missing} is required"
        case "minItems":
            return "choose at least one" if limit == 1 else f"needs at least {limit} entries"
        case "maxItems":
            return f"at most {limit} entries"
        case "minLength":
            return "must not be empty" if limit == 1 else f"needs at least {limit} characters"
        case "maxLength":
            return f"at most {limit} characters (this has {len(value)})"
        case "minimum" | "maximum":
            return f"{value!r} is {'below' if problem.validator == 'minimum' else 'above'} the limit of {limit}"
        case "enum":
            return f"{value!r} is not one of: {', '.join(str(option) for option in limit)}"
        case "pattern":
            hint = f": {failed['description']}" if failed.get("description") else ""
            if "propertyNames" in problem.schema_path:  # a key of a free-form map broke the rule
                return f"the name {str(value)[:60]!r} does not match the form names take here{hint}"
            return f"{str(value)[:60]!r} does not match the form this field takes{hint}"
    return problem.message


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
