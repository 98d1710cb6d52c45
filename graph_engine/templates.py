"""Templates and conditions, rendered by Jinja2's sandbox so a scenario can never reach Python internals."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.filters import make_attrgetter
from jinja2.sandbox import ImmutableSandboxedEnvironment

from graph_engine.errors import TemplateError

# What one operator in a template may build: a phrase is short, and a call must not stall the event loop every
# other call shares (a template is written by any editor of the scenario).
MAX_BUILT_LENGTH: Final = 100_000  # characters or items from `*` on a string or list, or `%` formatting
MAX_POWER_BITS: Final = 4096  # size of an integer built by `**`
# A `%` conversion (maybe with a mapping key) whose width or precision is six digits or `*` (taken from the values).
_FORMAT_WIDTH: Final = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\d{6,}|\*)|%(?:\([^)]*\))?[-+ #0]*\d*\.(?:\d{6,}|\*)")
# A `str.format` field whose spec has a width or precision of six digits, or takes one from the values ({:{w}}).
_BRACE_WIDTH: Final = re.compile(r"\{[^{}]*:[^{}]*(?:\d{6,}|\{)")
_PADDING: Final = frozenset({"ljust", "rjust", "center", "zfill"})  # str methods whose first argument is a width


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with size limits on the operators that build big values from small ones.

    `'x' * 10**10` or `9**9**9` would take the process's memory or minutes of CPU; intercepted operators are also
    never worked out while the template compiles (Jinja folds constant expressions otherwise).
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                    if len(sequence) * times > MAX_BUILT_LENGTH:
                        raise SecurityError(f"'*' would build more than {MAX_BUILT_LENGTH:,} characters or items")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                if right * abs(left).bit_length() > MAX_POWER_BITS:
                    raise SecurityError(f"'**' would build a number of more than {MAX_POWER_BITS} bits")
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left)
        return super().call_binop(context, operator, left, right)

    # String methods that build a long string from short arguments, reached as `'a'.ljust(n)` or `'a'['ljust']`.
    def getattr(self, obj: Any, attribute: str) -> Any:
        return _guarded(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _guarded(super().getitem(obj, argument))

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and isinstance(value.__self__, str) and _BRACE_WIDTH.search(value.__self__):
            raise SecurityError("format() with a width or precision this large, or taken from a value, is not allowed")
        return wrapped


def _check_percent_format(text: str) -> None:
    if _FORMAT_WIDTH.search(text):
        raise SecurityError("'%' formatting with a width or precision this large is not allowed")


def _check_size(size: int, what: str) -> None:
    if size > MAX_BUILT_LENGTH:
        raise SecurityError(f"{what} would build more than {MAX_BUILT_LENGTH:,} characters")


def _guarded(value: Any) -> Any:
    """`value`, or for a string method that can build a long string, the same method with its size checked."""
    owner = getattr(value, "__self__", None)
    if not isinstance(owner, str) or not callable(value):
        return value
    name = getattr(value, "__name__", "")
    if name in _PADDING:

        def padded(width: int, *rest: Any) -> str:
            _check_size(width if isinstance(width, int) else 0, f"{name}()")
            return value(width, *rest)  # type: ignore[no-any-return]

        return padded
    if name == "expandtabs":

        def expanded(tabsize: int = 8) -> str:
            _check_size(len(owner) + owner.count("\t") * (tabsize if isinstance(tabsize, int) else 0), name)
            return owner.expandtabs(tabsize)

        return expanded
    if name == "replace":
        return functools.partial(_replace, owner)
    if name == "join":
        return functools.partial(_join, owner)
    return value


def _replace(text: str, old: str, new: str, count: int = -1) -> str:
    _check_replace(text, old, new, count)
    return text.replace(old, new, count)


def _check_replace(text: str, old: str, new: str, count: int) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        found = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            found = min(found, count)
        _check_size(len(text) + found * (len(new) - len(old)), "replace")


def _join(separator: str, items: Any) -> str:
    parts = list(items)
    _check_size(sum(len(part) for part in parts if isinstance(part, str)) + len(separator) * len(parts), "join()")
    return separator.join(parts)


_ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _sized_filter(name: str, size: Callable[..., int]) -> None:
    """Check what the filter `name` would build (`size` of its arguments) before it builds it."""
    builtin = _ENV.filters[name]

    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_size(size(*args, **kwargs), f"the {name} filter")
        return builtin(*args, **kwargs)

    _ENV.filters[name] = checked


def _text_length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


_sized_filter("center", lambda value, width=80: _text_length(value) + (width if isinstance(width, int) else 0))
_sized_filter(
    "indent",
    lambda value, width=4, *_, **__: _text_length(value) * (1 + (width if isinstance(width, int) else len(str(width)))),
)
_builtin_join, _builtin_replace, _builtin_format = (_ENV.filters[name] for name in ("join", "replace", "format"))


def _join_filter(context: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
    items = list(value)  # built once here, so the size check does not consume what the filter joins
    parts = items if attribute is None else list(map(make_attrgetter(_ENV, attribute), items))
    _check_size(sum(len(str(part)) for part in parts) + len(str(d)) * len(parts), "the join filter")
    return _builtin_join(context, items, d, attribute)


def _replace_filter(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
    _check_replace(str(value), str(old), str(new), count if isinstance(count, int) else -1)
    return _builtin_replace(eval_ctx, value, old, new, count)


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
    _check_percent_format(str(value))
    return _builtin_format(value, *args, **kwargs)


_join_filter.jinja_pass_arg = _builtin_join.jinja_pass_arg  # type: ignore[attr-defined]
_replace_filter.jinja_pass_arg = _builtin_replace.jinja_pass_arg  # type: ignore[attr-defined]
_ENV.filters.update(join=_join_filter, replace=_replace_filter, format=_format_filter)
# Templates may be long prose, but never a program: a huge range() is the classic sandbox escape into memory.
# Validation names these when a template calls one (see _parsed).
_REMOVED: Final = frozenset({"range", "lipsum", "cycler", "joiner", "namespace"})
for _name in _REMOVED:
    _ENV.globals.pop(_name, None)


def strip_braces(expression: str) -> str:
    """Conditions may be written as `x > 1` or `{{ x > 1 }}`; both mean the same."""
    text = expression.strip()
    if text.startswith("{{") and text.endswith("}}"):
        return text[2:-2].strip()
    return text


class _Substitution:
    """A template that is only text and plain `{{ name }}` fields, rendered the way Jinja renders it
    (the name from the call's variables, else a global; `str()` of the value; an unknown name is an error)
    without building a Jinja context per call: most phrases are like this, and a call renders several
    (bench/agi_load.py). Anything else (filters, attributes, tags) goes through the sandbox."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[tuple[str, bool], ...]) -> None:
        self.parts = parts  # (text, is a variable name)

    def render(self, variables: Mapping[str, Any]) -> str:
        out = []
        for text, is_name in self.parts:
            if not is_name:
                out.append(text)
            elif text in variables:
                out.append(str(variables[text]))
            elif text in _ENV.globals:
                out.append(str(_ENV.globals[text]))
            else:
                raise UndefinedError(f"{text!r} is undefined")
        return "".join(out)


def _substitution(source: str) -> _Substitution | None:
    tree = _ENV.parse(source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    parts: list[tuple[str, bool]] = []
    for child in tree.body[0].nodes:
        if isinstance(child, nodes.TemplateData):
            parts.append((child.data, False))
        elif isinstance(child, nodes.Name) and child.ctx == "load":
            parts.append((child.name, True))
        else:
            return None
    return _Substitution(tuple(parts))


@lru_cache(maxsize=4096)
def _compiled_template(source: str) -> Any:
    try:
        substitution = _substitution(source)
        if substitution is not None:
            return substitution
        # Also here, not only in validation: a simulation runs a document nobody validated.
        refused = _refused_program(_ENV.parse(source))
        if refused is not None:
            raise TemplateError(f"not allowed in a template: {refused}")
        return _ENV.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(f"template syntax error on line {error.lineno}: {error.message}") from error


@lru_cache(maxsize=4096)
def _compiled_expression(source: str) -> Any:
    try:
        return _ENV.compile_expression(strip_braces(source), undefined_to_none=False)
    except TemplateSyntaxError as error:
        raise TemplateError(f"expression syntax error: {error.message}") from error


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a text template. Plain text without `{{`/`{%` (or line ends Jinja would rewrite) is returned as is."""
    if "{" not in source and "\r" not in source and not source.endswith("\n"):
        return source
    try:
        return str(_compiled_template(source).render(variables))
    except TemplateError:
        raise
    except UndefinedError as error:
        raise TemplateError(f"unknown variable: {error.message}") from error
    except SecurityError as error:
        raise TemplateError(f"not allowed in a template: {error}") from error
    except Exception as error:  # a filter or operator failed on this call's values
        raise TemplateError(f"template failed: {error}") from error


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate a condition or value expression."""
    try:
        return _compiled_expression(expression)(**variables)
    except TemplateError:
        raise
    except UndefinedError as error:
        raise TemplateError(f"unknown variable: {error.message}") from error
    except SecurityError as error:
        raise TemplateError(f"not allowed in an expression: {error}") from error
    except Exception as error:
        raise TemplateError(f"expression failed: {error}") from error


def _as_template(source: str, expression: bool) -> str:
    return "{{ " + strip_braces(source) + " }}" if expression else source


@lru_cache(maxsize=8192)
def _parsed(text: str) -> nodes.Template | str:
    """The template's syntax tree, or its syntax error as text.

    Validation only parses: generating and compiling Python code for every template of a 1,000-node
    scenario cost ~150 ms, parsing a fraction of it. What only compilation would catch (an unknown filter or
    test) is checked on the tree.
    """
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as error:
        return f"syntax error on line {error.lineno}: {error.message}"
    for node in tree.find_all(nodes.Filter):
        if node.name not in _ENV.filters:
            return f"no filter named {node.name!r}"
    for test in tree.find_all(nodes.Test):
        if test.name not in _ENV.tests:
            return f"no test named {test.name!r}"
    # A prompt stands alone: there are no other templates to load, so these could only fail in the call.
    loading = next(tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)), None)
    if loading is not None:
        tag = {"FromImport": "from ... import"}.get(type(loading).__name__, type(loading).__name__.lower())
        return f"{{% {tag} %}} is not available: a template cannot load another"
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in _REMOVED:
            return f"{call.node.name}() is not available in templates"
    return _refused_program(tree) or tree


def _refused_program(tree: nodes.Template) -> str | None:
    """Why the template is a program rather than a phrase: what lets its work grow past the sizes of its values
    (a loop inside a loop multiplies them; a macro can call itself, a loop in it each time), or None."""
    if next(tree.find_all((nodes.Macro, nodes.CallBlock)), None) is not None:
        return "{% macro %} and {% call %} are not available: write the phrase out"
    for loop in tree.find_all(nodes.For):
        if next(loop.find_all(nodes.For), None) is not None:
            return "a {% for %} inside another {% for %} is not available: one loop per template"
    return None


def template_syntax_error(source: str, *, expression: bool = False) -> str | None:
    """The syntax error of a template or expression, or None when it is well formed."""
    text = _as_template(source, expression)
    if "{" not in text:
        return None
    found = _parsed(text)
    if isinstance(found, str):
        return f"{'expression' if expression else 'template'} {found}"
    return None


def names_read(source: str, *, expression: bool = False) -> frozenset[str]:
    """Top-level variable names a template or expression reads (empty when it does not parse)."""
    text = _as_template(source, expression)
    if "{" not in text:
        return frozenset()
    found = _parsed(text)
    return frozenset() if isinstance(found, str) else _names_of(found)


@lru_cache(maxsize=8192)
def _names_of(tree: nodes.Template) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(tree))


# Names a template may use without a scenario setting them: the environment's own globals.
GLOBAL_NAMES: frozenset[str] = frozenset(_ENV.globals)


def register_global(name: str, function: Any) -> None:
    """Make a helper (e.g. money(), spoken_date()) available to every template. Call at start-up."""
    global GLOBAL_NAMES
    _ENV.globals[name] = function
    GLOBAL_NAMES = frozenset(_ENV.globals)
