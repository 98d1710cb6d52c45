"""Templates and conditions, rendered by Jinja2's sandbox so a scenario can never reach Python internals."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, MappingView
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, cast

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.filters import make_attrgetter
from jinja2.lexer import Token, TokenStream
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from graph_engine import liquid_hints, number_text
from graph_engine.errors import TemplateError, UnusableValue

# What one operator in a template may build: a phrase is short, and a call must not stall the event loop every
# other call shares (a template is written by any editor of the scenario).
MAX_BUILT_LENGTH: Final = 100_000  # characters or items one operator, filter or call may build; also the output's cap
MAX_POWER_BITS: Final = 4096  # size of an integer built by `**` or `*`
# What one render of a template with a loop, a `{% set %}`, an operator or a filter, or one evaluation of an
# expression, may do, in units: a character or item built or output is one, a loop item ITEM_COST plus its body's
# size, an item a filter yields one, and a call of a filter, test or method one plus the length of each value it is
# handed (what it may walk: `rows|sum`, `x in rows`, `rows.count(x)`). Counted, not timed, so a template is refused
# the same way on every machine; 1,000,000 units is at most ~10,000 loop items, a few tens of ms.
MAX_WORK: Final = 1_000_000
ITEM_COST: Final = 100
# A `%` conversion (maybe with a mapping key) whose width or precision is six digits or `*` (taken from the values).
_FORMAT_WIDTH: Final = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\d{6,}|\*)|%(?:\([^)]*\))?[-+ #0]*\d*\.(?:\d{6,}|\*)")
# A `str.format` field whose spec has a width or precision of six digits, or takes one from the values ({:{w}}).
_BRACE_WIDTH: Final = re.compile(r"\{[^{}]*:[^{}]*(?:\d{6,}|\{)")
_PADDING: Final = frozenset({"ljust", "rjust", "center", "zfill"})  # str methods whose first argument is a width
# Each `%` conversion, its mapping key, width and precision (flags skipped).
_PERCENT_SPEC: Final = re.compile(r"%(?:\(([^)]*)\))?[-+ #0]*(\d*)(?:\.(\d*))?")


class _Budget:
    """The units of work a render or an evaluation has left (see MAX_WORK); `what` it is, for the refusal."""

    __slots__ = ("left", "what")

    def __init__(self, what: str) -> None:
        self.left = MAX_WORK
        self.what = what

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise SecurityError(
                f"the {self.what} does more than {MAX_WORK:,} units of work (a loop too long or values too big)"
            )


# The budget of the render or evaluation in progress; None outside one that counts (plain templates).
_BUDGET: ContextVar[_Budget | None] = ContextVar("ivrgraph_template_budget", default=None)


def _spend(units: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend(units)


# What len() tells the size of at once: a value a filter, test, method or `in` may walk is counted by it, unwalked.
# Anything else (a number, None, an undefined name, an iterator, counted as it yields) is one.
_MEASURED: Final = (str, bytes, list, tuple, dict, set, frozenset, Mapping, MappingView)


def _length(value: Any) -> int:
    return len(value) if isinstance(value, _MEASURED) else 1


def _handed(args: Iterable[Any], kwargs: Mapping[str, Any]) -> int:
    """What a call of a filter, test or method costs before it runs: one, and the length of each value handed to it."""
    return 1 + sum(map(_length, args)) + sum(map(_length, kwargs.values()))


def _yielded(items: Iterator[Any], budget: _Budget) -> Iterator[Any]:
    """`items`, as a filter (map, select, batch...) yields them: one unit each of `budget`, that of the render that
    called the filter, which is also the one the work of each item counts in (a filter `map` calls for it), even
    when a later template pulls them (a Set Variable's value)."""
    while True:
        token = _BUDGET.set(budget)
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            _BUDGET.reset(token)
        budget.spend(1)
        yield item


def _size(value: Any, limit: int = MAX_BUILT_LENGTH) -> int:
    """Characters and items in `value`, a part held twice counted twice (as str() writes it out); counted only
    until the total passes `limit`, so a list holding itself a thousand times over is not walked to its end."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1  # at least its decimal digits
        elif isinstance(item, Mapping):
            total += len(item) + 1
            if len(item) <= limit:
                pending.extend(item.keys())
                pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item) + 1
            if len(item) <= limit:
                pending.extend(item)
        else:
            total += 1
    return total


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with size limits on the operators that build big values from small ones.

    `'x' * 10**10` or `9**9**9` would take the process's memory or minutes of CPU; intercepted operators are also
    never worked out while the template compiles (Jinja folds constant expressions otherwise).
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        size = 1
        if operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                if left.bit_length() + right.bit_length() > MAX_POWER_BITS:
                    raise SecurityError(f"'*' would build a number of more than {MAX_POWER_BITS} bits")
            for sequence, times in ((left, right), (right, left)):
                if isinstance(times, int) and times > 0:
                    if isinstance(sequence, (str, bytes)):
                        size = len(sequence) * times
                    elif isinstance(sequence, (list, tuple)):  # by what it holds: [long_text] * 1000 is big too
                        size = _size(sequence, MAX_BUILT_LENGTH // times) * times
                    if size > MAX_BUILT_LENGTH:
                        raise SecurityError(f"'*' would build more than {MAX_BUILT_LENGTH:,} characters or items")
        elif operator == "+":
            if isinstance(left, (str, bytes)) and isinstance(right, (str, bytes)):
                size = len(left) + len(right)
            elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
                size = _size(left) + _size(right)
            _check_size(size, "'+'")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                if right * abs(left).bit_length() > MAX_POWER_BITS:
                    raise SecurityError(f"'**' would build a number of more than {MAX_POWER_BITS} bits")
        elif operator == "%" and isinstance(left, str):
            size = _check_percent_format(left, right)
        _spend(size)
        return super().call_binop(context, operator, left, right)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Every call a template makes (a method, a helper, and the counting hooks below): what it built is
        checked, so a chain of calls that each grow a text a few times (`.encode('unicode_escape').decode()`)
        stops at the first that passes the size limit. A method is counted with the value it is a method of, which
        it may walk (`rows.count(x)` in a loop over rows)."""
        budget = _BUDGET.get()
        owner = None if budget is None else getattr(obj, "__self__", None)
        if budget is not None and owner is not None:
            budget.spend(_length(owner) + _handed(args, kwargs))
        return _built(super().call(context, obj, *args, **kwargs), "a call")

    # Reached only through the hooks _Counted puts into a template with loops, `{% set %}` or operators.
    @staticmethod
    def emitted(value: Any) -> str:  # each `{{ }}` of the template, through call(): checked and counted
        return _as_text(value)

    @staticmethod
    def joined(*parts: Any) -> str:  # `a ~ b`
        texts = [_as_text(part) for part in parts]
        _check_size(sum(map(len, texts)), "'~'")
        return "".join(texts)

    @staticmethod
    def literal(value: Any) -> Any:  # a list, tuple or dict written in the template
        size = _size(value)
        _check_size(size, "a list or dict")
        _spend(size)
        return value

    @staticmethod
    def counted_items(items: Iterable[Any], cost: int) -> Iterator[Any]:  # what a {% for %} walks
        for item in items:
            _spend(cost)
            yield item

    @staticmethod
    def contains(container: Any, item: Any) -> bool:  # `item in container`, which walks it
        _spend(_length(container))
        return item in container

    # Every `==`, `!=`, `<`, `<=`, `>`, `>=` of every template and expression (see _Compared).
    @staticmethod
    def compared(left: Any, op: str, right: Any) -> Any:
        return number_text.compare(left, op, right)

    def _generate(
        self, source: nodes.Template, name: str | None, filename: str | None, defer_init: bool = False
    ) -> str:
        # Every template and expression is compiled through here, a text template and a tree alike.
        return super()._generate(_Compared().visit(source), name, filename, defer_init)

    # String methods that build a long string from short arguments, reached as `'a'.ljust(n)` or `'a'['ljust']`.
    def getattr(self, obj: Any, attribute: str) -> Any:
        return _guarded(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _guarded(super().getitem(obj, argument))

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is None or not isinstance(value.__self__, str):
            return wrapped
        text = value.__self__
        if _BRACE_WIDTH.search(text):
            raise SecurityError("format() with a width or precision this large, or taken from a value, is not allowed")
        by_mapping = value.__name__ == "format_map"

        def sized(*args: Any, **kwargs: Any) -> Any:
            mapping = args[0] if by_mapping and args and isinstance(args[0], Mapping) else None
            _check_size(_brace_size(text, (), mapping) if mapping else _brace_size(text, args, kwargs), "format()")
            return wrapped(*args, **kwargs)

        return sized


def _check_percent_format(text: str, values: Any) -> int:
    """What `text % values` would build, refused when too big: each field may repeat a value
    (`'%(a)s%(a)s' % {'a': long_text}`)."""
    if _FORMAT_WIDTH.search(text):
        raise SecurityError("'%' formatting with a width or precision this large is not allowed")
    size = len(text) + _size(values)
    for key, width, precision in _PERCENT_SPEC.findall(text):
        size += int(width or 0) + int(precision or 0)
        if key and isinstance(values, Mapping) and key in values:
            size += _size(values[key])
    _check_size(size, "'%' formatting")
    return size


def _brace_size(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """What `text.format(*args, **kwargs)` would build, at most: each field may repeat a value (`'{0}{0}'`)."""
    size, position = len(text), 0
    for _, field, spec, _ in string.Formatter().parse(text):
        if field is None:
            continue
        size += sum(int(digits) for digits in re.findall(r"\d+", spec or ""))
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        if not name:
            name, position = str(position), position + 1
        if name.isdigit():
            size += _size(args[int(name)]) if int(name) < len(args) else 0
        else:
            size += _size(kwargs.get(name))
    return size


def _check_size(size: int, what: str) -> None:
    if size > MAX_BUILT_LENGTH:
        raise SecurityError(f"{what} would build more than {MAX_BUILT_LENGTH:,} characters")


def _built(value: Any, what: str) -> Any:
    """`value`, once a text checked for size and counted in the render's work."""
    if isinstance(value, (str, bytes)):
        if len(value) > MAX_BUILT_LENGTH:
            raise SecurityError(f"{what} built more than {MAX_BUILT_LENGTH:,} characters")
        _spend(len(value))
    return value


def _guarded(value: Any) -> Any:
    """`value`, or for a string method that can build a long string, the same method with its size checked."""
    owner = getattr(value, "__self__", None)
    if isinstance(owner, type) and getattr(value, "__name__", "") == "fromkeys":  # {}.fromkeys(keys, long_text)
        raise SecurityError("fromkeys() is not available in templates")
    if not isinstance(owner, (str, bytes)) or not callable(value):
        return value
    name = getattr(value, "__name__", "")
    if name in _PADDING:

        def padded(width: int, *rest: Any) -> str:
            _check_size(width if isinstance(width, int) else 0, f"{name}()")
            return value(width, *rest)  # type: ignore[no-any-return]

        return padded
    if name == "expandtabs":

        def expanded(tabsize: int = 8) -> Any:
            tabs = owner.count("\t" if isinstance(owner, str) else b"\t")  # type: ignore[arg-type]
            _check_size(len(owner) + tabs * (tabsize if isinstance(tabsize, int) else 0), name)
            return owner.expandtabs(tabsize)

        return expanded
    if name == "replace":
        return functools.partial(_replace, owner)
    if name == "join":
        return functools.partial(_join, owner)
    if name == "translate":
        return functools.partial(_translate, owner)
    return value


def _replace(text: Any, old: Any, new: Any, count: int = -1) -> Any:
    _check_replace(text, old, new, count)
    return text.replace(old, new, count)


def _translate(text: Any, table: Any) -> Any:
    if isinstance(table, Mapping) or isinstance(table, (list, tuple)):
        values = table.values() if isinstance(table, Mapping) else table
        longest = max((_size(value, MAX_BUILT_LENGTH) for value in values if isinstance(value, str)), default=1)
        _check_size(len(text) * longest, "translate()")
    return text.translate(table)


def _check_replace(text: Any, old: Any, new: Any, count: int) -> None:
    if isinstance(old, (str, bytes)) and isinstance(new, (str, bytes)) and len(new) > len(old):
        found = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            found = min(found, count)
        _check_size(len(text) + found * (len(new) - len(old)), "replace")


def _join(separator: Any, items: Any) -> Any:
    parts = list(items)
    _check_size(
        sum(len(part) for part in parts if isinstance(part, (str, bytes))) + len(separator) * len(parts), "join()"
    )
    return separator.join(parts)


def _as_text(value: Any) -> str:
    """What a template writes for `value`: None (a NULL column, a variable set to none) as nothing, not the word
    "None" a caller would hear. Only what is written changes: a condition, `is none` or `if` still sees None."""
    return "" if value is None else str(value)


def _none_as_nothing(value: Any) -> Any:
    return "" if value is None else value


_ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False, finalize=_none_as_nothing)


# Filters whose result is checked for size, each with what it would build worked out from its arguments first, or
# None: escaping or quoting a text a few times over, filter after filter, would grow it without any one argument
# being large. Checked by the wrapper every filter gets once all are in place (_counted_filter).
_SIZED_FILTERS: dict[str, Callable[..., int] | None] = {}


def _sized_filter(name: str, size: Callable[..., int] | None = None) -> None:
    """Check what the filter `name` would build (`size` of its arguments, without the context Jinja passes some
    filters) before it builds it, and what it built after, in every template."""
    _SIZED_FILTERS[name] = size


def _text_length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) else default


def _wordwrap_size(text: Any, width: Any = 79, _: Any = True, wrapstring: Any = None, *__: Any, **___: Any) -> int:
    text = str(text)
    lines = min(len(text), len(text) // max(_int(width, 1), 1) + len(text.split()) + 1)
    return len(text) + lines * (len(wrapstring) if isinstance(wrapstring, str) else 1)


def _urlize_size(text: Any, _: Any = None, __: Any = False, target: Any = None, rel: Any = None, *___: Any) -> int:
    text = str(text)  # each word may become a link: twice its text, escaped, and the attributes
    return 12 * len(text) + len(text.split()) * (100 + len(str(target or "")) + len(str(rel or "")))


def _tojson_size(value: Any, indent: Any = None) -> int:
    size = _size(value)
    return 6 * size + size * size * max(_int(indent), 0)  # each item on its own line, indented per level


_sized_filter("center", lambda value, width=80: _text_length(value) + _int(width))
_sized_filter(
    "indent",
    lambda value, width=4, *_, **__: _text_length(value) * (1 + (width if isinstance(width, int) else len(str(width)))),
)
_sized_filter("wordwrap", _wordwrap_size)
_sized_filter("urlize", _urlize_size)
_sized_filter("tojson", _tojson_size)
_sized_filter("batch", lambda value, count, fill_with=None: 0 if fill_with is None else _int(count) * _size(fill_with))
# slice(n) yields n lists whatever the value holds (empty ones too), so n alone is what it builds.
_sized_filter(
    "slice", lambda value, count, fill_with=None: _int(count) * (1 + (0 if fill_with is None else _size(fill_with)))
)
for _name in ("escape", "e", "forceescape", "urlencode", "xmlattr", "pprint", "truncate", "string"):
    _sized_filter(_name)
_builtin_join, _builtin_replace, _builtin_format, _builtin_sum = (
    _ENV.filters[name] for name in ("join", "replace", "format", "sum")
)


def _join_filter(context: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
    items = list(value)  # built once here, so the size check does not consume what the filter joins
    parts = items if attribute is None else list(map(make_attrgetter(_ENV, attribute), items))
    _check_size(sum(len(str(part)) for part in parts) + len(str(d)) * len(parts), "the join filter")
    return _builtin_join(context, items, d, attribute)


def _replace_filter(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
    _check_replace(str(value), str(old), str(new), count if isinstance(count, int) else -1)
    return _builtin_replace(eval_ctx, value, old, new, count)


def _sum_filter(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    # Numbers only: sum(start=[]) over lists copies the whole list at every item, quadratic in their count,
    # and no single step is large enough for a size check to see (review, 2026-12-05).
    if isinstance(start, bool) or not isinstance(start, (int, float, Decimal)):
        raise SecurityError("the sum filter adds numbers: a start that is not a number is not allowed")
    return _builtin_sum(environment, iterable, attribute, start)


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
    _check_percent_format(str(value), kwargs or args)
    return _builtin_format(value, *args, **kwargs)


_join_filter.jinja_pass_arg = _builtin_join.jinja_pass_arg  # type: ignore[attr-defined]
_replace_filter.jinja_pass_arg = _builtin_replace.jinja_pass_arg  # type: ignore[attr-defined]
_sum_filter.jinja_pass_arg = _builtin_sum.jinja_pass_arg  # type: ignore[attr-defined]
_ENV.filters.update(join=_join_filter, replace=_replace_filter, format=_format_filter, sum=_sum_filter)

# A phone number as people and trunks write it: digits, maybe a leading +, maybe spaces, dashes, dots, slashes
# or brackets between the groups (+34 600 99-98-88, (91) 123 4567).
_PHONE_SEPARATORS: Final = re.compile(r"[\s\-./()]")
_PHONE_DIGITS: Final = re.compile(r"\+?[0-9]+")
_COUNTRY_CODE: Final = re.compile(r"[1-9][0-9]{0,2}")
_TRUNK_PREFIX: Final = re.compile(r"[0-9]{0,2}")
# 00 in most of the world; 011 in North America, 0011 in Australia, 810 in Russia's old plan.
_INTERNATIONAL_PREFIX: Final = re.compile(r"[0-9]{2,4}")
# E.164 numbers have at most 15 digits with the country code, and none fewer than 7 (Niue: +683 and 4 digits).
_E164_DIGITS: Final = range(7, 16)


def e164(
    number: Any,
    country_code: str | int,
    national_length: int,
    trunk_prefix: str = "0",
    international_prefix: str = "00",
) -> str:
    """`number` written as +<country code><number> (E.164), so a lookup finds a caller however the trunk wrote
    the number; '' when it cannot be read as one (withheld, "anonymous", a wrong length), never the text as it
    came, so an unreadable number is not taken for a row whose number is blank.

    `{{ caller_id | e164('34', 9) }}` for Spain, whose numbers have nine digits. A simple rule, not a numbering
    plan: separators are dropped; + and digits are kept; `international_prefix` (00 in most countries, 011 in
    North America: `e164('1', 10, '1', '011')`) becomes +; a number of `national_length` digits is national and
    gets +<country code>, also after `trunk_prefix` (the 0 of 0612345678 in France, 8 in Russia, '' where there
    is none); the country code followed by a national number gets the +.
    """
    code = str(country_code) if isinstance(country_code, (str, int)) and not isinstance(country_code, bool) else ""
    if not _COUNTRY_CODE.fullmatch(code):
        raise ValueError(f"e164: the country code is 1 to 3 digits without + or 00, such as '34', not {country_code!r}")
    if isinstance(national_length, bool) or not isinstance(national_length, int) or not 4 <= national_length <= 14:
        raise ValueError(
            f"e164: the national number length is a number of digits from 4 to 14, such as 9, not {national_length!r}"
        )
    if not isinstance(trunk_prefix, str) or not _TRUNK_PREFIX.fullmatch(trunk_prefix):
        raise ValueError(f"e164: the trunk prefix is at most 2 digits, such as '0', or '', not {trunk_prefix!r}")
    if not isinstance(international_prefix, str) or not _INTERNATIONAL_PREFIX.fullmatch(international_prefix):
        raise ValueError(
            f"e164: the international prefix is 2 to 4 digits, such as '00' or '011', not {international_prefix!r}"
        )
    if isinstance(number, bool) or not isinstance(number, (str, int)) or (isinstance(number, int) and number < 0):
        return ""  # a float's digits cannot be trusted (6.0099988e8), and None or a yes/no is no number
    text = _PHONE_SEPARATORS.sub("", str(number))
    if not _PHONE_DIGITS.fullmatch(text):
        return ""
    digits = _international_digits(text, code, national_length, trunk_prefix, international_prefix)
    return f"+{digits}" if digits is not None and len(digits) in _E164_DIGITS else ""


def _international_digits(
    text: str, code: str, national_length: int, trunk_prefix: str, international_prefix: str
) -> str | None:
    """The digits of `text` (digits, maybe after a +) with their country code first, or None when the rule of
    `e164` cannot tell what they are."""
    if text.startswith("+"):
        return text[1:]
    if text.startswith(international_prefix):
        return text[len(international_prefix) :]
    if len(text) == national_length:
        return code + text
    if trunk_prefix and text.startswith(trunk_prefix) and len(text) == len(trunk_prefix) + national_length:
        return code + text[len(trunk_prefix) :]
    if text.startswith(code) and len(text) == len(code) + national_length:
        return text
    return None


_ENV.filters["e164"] = e164

# Filters that take the same time however long their value is: `{{ rows|length }}` in a loop over rows walks nothing.
_UNWALKING_FILTERS: Final = frozenset({"length", "count", "default", "d", "first", "last", "attr"})


def _counted_filter(name: str, builtin: Callable[..., Any]) -> Callable[..., Any]:
    """The filter `name` with its size checks (_SIZED_FILTERS), and in a render that counts (see MAX_WORK) counted:
    one unit and the length of each value it is handed, what it builds, and each item it yields (a map, select or
    batch yields them as they are pulled). A filter `map` or `select` calls for each item is this one, counted
    too: `map('center', n)` counts each line it centers. A phrase that only substitutes (see _is_plain) renders
    without a budget and pays only the look for one."""
    passes = 1 if hasattr(builtin, "jinja_pass_arg") else 0
    sized, size = name in _SIZED_FILTERS, _SIZED_FILTERS.get(name)
    walks = name not in _UNWALKING_FILTERS
    what = f"the {name} filter"

    def counted(*args: Any, **kwargs: Any) -> Any:
        if size is not None:
            _check_size(size(*args[passes:], **kwargs), what)
        budget = _BUDGET.get()
        if budget is None:
            return _built(builtin(*args, **kwargs), what) if sized else builtin(*args, **kwargs)
        budget.spend(_handed(args[passes:], kwargs) if walks else 1)
        result = builtin(*args, **kwargs)
        if not walks:
            return result  # what the value already held, counted where it is walked
        if isinstance(result, Iterator):
            return _yielded(result, budget)
        if isinstance(result, (str, bytes)):
            return _built(result, what)
        budget.spend(_length(result))
        return result

    if passes:
        counted.jinja_pass_arg = builtin.jinja_pass_arg  # type: ignore[attr-defined]
    return counted


def _counted_test(builtin: Callable[..., Any]) -> Callable[..., Any]:
    """A test, counted in a render that counts as a filter is: `select('in', text)` walks the text for each item."""
    passes = 1 if hasattr(builtin, "jinja_pass_arg") else 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        budget = _BUDGET.get()
        if budget is not None:
            budget.spend(_handed(args[passes:], kwargs))
        return builtin(*args, **kwargs)

    if passes:
        counted.jinja_pass_arg = builtin.jinja_pass_arg  # type: ignore[attr-defined]
    return counted


# Last of the filters: one registered after this would not be counted.
_ENV.filters.update({name: _counted_filter(name, builtin) for name, builtin in _ENV.filters.items()})
_TESTS = cast("dict[str, Callable[..., Any]]", _ENV.tests)  # the same dict: Jinja's type for it has no signature
_TESTS.update({name: _counted_test(builtin) for name, builtin in _TESTS.items()})

# Templates may be long prose, but never a program: a huge range() is the classic sandbox escape into memory.
# Validation names these when a template calls one (see _parsed).
_REMOVED: Final = frozenset({"range", "lipsum", "cycler", "joiner", "namespace"})
for _name in _REMOVED:
    _ENV.globals.pop(_name, None)


def _sized_dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    """dict(), whose values may repeat one value many times (dict(a=v, b=v)), checked like a written dict."""
    return _Sandbox.literal(dict(*args, **kwargs))  # type: ignore[no-any-return]


_ENV.globals["dict"] = _sized_dict


def strip_braces(expression: str) -> str:
    """Conditions may be written as `x > 1` or `{{ x > 1 }}`; both mean the same."""
    text = expression.strip()
    if text.startswith("{{") and text.endswith("}}"):
        return text[2:-2].strip()
    return text


class _Substitution:
    """A template that is only text and plain `{{ name }}` fields, rendered the way Jinja renders it
    (the name from the call's variables, else a global; `str()` of the value, None as nothing; an unknown name is
    an error)
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
                value = variables[text]
                out.append("" if value is None else str(value))  # as _as_text, inline: the per-call hot path
            elif text in _ENV.globals:
                out.append(_as_text(_ENV.globals[text]))
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


# What a template may hold and still render as it is written (no counting): names, attributes, tests, `if`,
# arithmetic that cannot grow, calls of helpers by name, and filters whose result is no bigger than a few times
# their value. Each builds at most a few times what the call's variables hold, once per place in the source.
_PLAIN_NODES: Final = (
    nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.If,
    nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Test,
    nodes.Keyword, nodes.Sub, nodes.Div, nodes.FloorDiv,
)  # fmt: skip
_PLAIN_FILTERS: Final = frozenset(
    {"default", "d", "upper", "lower", "title", "capitalize", "trim", "length", "count", "first", "last", "int",
     "float", "round", "abs", "string", "striptags", "wordcount", "e", "escape", "truncate", "e164"}
)  # fmt: skip


def _is_plain(node: nodes.Node) -> bool:
    if isinstance(node, nodes.Filter):
        return node.name in _PLAIN_FILTERS
    if isinstance(node, nodes.Call):
        return isinstance(node.node, nodes.Name) and node.node.name != "dict"
    return isinstance(node, _PLAIN_NODES)


def _hook(name: str, *args: nodes.Node) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute(name), list(args), [], None, None)
    call.set_lineno(args[0].lineno if args and args[0].lineno is not None else 1)
    return call


class _Counted(NodeTransformer):
    """Rewrites a template or expression so that what it builds and outputs is checked and counted in its budget:
    each `{{ }}`, `~`, written list or dict, each item a loop walks (ITEM_COST plus the size of its body), and what
    each `in` looks through. Filters, tests and method calls count themselves (_counted_filter, _Sandbox.call)."""

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [n if isinstance(n, nodes.TemplateData) else _hook("emitted", n) for n in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _hook("joined", *node.nodes)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        body = [inner for child in node.body for inner in (child, *child.find_all(nodes.Node))]
        text = sum(len(inner.data) for inner in body if isinstance(inner, nodes.TemplateData))
        node.iter = _hook("counted_items", node.iter, nodes.Const(ITEM_COST + len(body) + text))
        return node

    def _literal(self, node: nodes.Literal) -> nodes.Node:
        self.generic_visit(node)
        if all(isinstance(child, nodes.Const) for child in node.iter_child_nodes()):
            return node  # Jinja works it out once, when compiling
        return _hook("literal", node)

    visit_List = visit_Dict = _literal

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        return self._literal(node) if node.ctx == "load" else node

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        if all(operand.op not in ("in", "notin") for operand in node.ops):
            return node
        return _chain_rewritten(node, self._contains)

    @staticmethod
    def _contains(left: nodes.Expr, operand: nodes.Operand) -> nodes.Expr | None:
        if operand.op not in ("in", "notin"):
            return None
        found = _hook("contains", operand.expr, left)
        return found if operand.op == "in" else nodes.Not(found, lineno=found.lineno)


class _Compared(NodeTransformer):
    """Rewrites each comparison of a template or expression into the `compared` hook, so that number text compares
    with a number as the number it reads (graph_engine.number_text): `guess > points`, the caller's keys "1200"
    against 1200. A chain `a < b < c` becomes `a < b and b < c`; `in` and `not in` stay Python's."""

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        return _chain_rewritten(node, self._compared)

    @staticmethod
    def _compared(left: nodes.Expr, operand: nodes.Operand) -> nodes.Expr | None:
        if operand.op in number_text.ORDERING or operand.op in number_text.EQUALITY:
            return _hook("compared", left, nodes.Const(operand.op), operand.expr)
        return None


def _chain_rewritten(
    node: nodes.Compare, rewrite: Callable[[nodes.Expr, nodes.Operand], nodes.Expr | None]
) -> nodes.Expr:
    """A comparison chain `a < b in c` as `a < b and b in c`, Python's meaning, each pair as `rewrite` gives it in
    place of its comparison (None: the comparison kept as it is)."""
    pairs: list[nodes.Expr] = []
    left = node.expr
    for operand in node.ops:
        rewritten = rewrite(left, operand)
        pairs.append(rewritten if rewritten is not None else nodes.Compare(left, [operand], lineno=node.lineno))
        left = operand.expr
    result = pairs[0]
    for pair in pairs[1:]:
        result = nodes.And(result, pair, lineno=node.lineno)
    return result


class _Program:
    """A template that loops, sets names or builds values: rendered with a work budget (MAX_WORK) and its
    output cut off at MAX_BUILT_LENGTH characters, as it streams, rather than once all of it is built."""

    __slots__ = ("template",)

    def __init__(self, template: Template) -> None:
        self.template = template

    def render(self, variables: Mapping[str, Any]) -> str:
        token = _BUDGET.set(_Budget("template"))
        try:
            out, length = [], 0
            for piece in self.template.generate(variables):
                length += len(piece)
                if length > MAX_BUILT_LENGTH:
                    raise SecurityError(f"the template's text would be longer than {MAX_BUILT_LENGTH:,} characters")
                out.append(piece)
            return "".join(out)
        finally:
            _BUDGET.reset(token)


@lru_cache(maxsize=4096)
def _compiled_template(source: str) -> Any:
    try:
        substitution = _substitution(source)
        if substitution is not None:
            return substitution
        tree = _ENV.parse(source)
        # Also here, not only in validation: a simulation runs a document nobody validated.
        refused = _refused_program(tree)
        if refused is not None:
            raise TemplateError(
                f"not allowed in a template: {refused}", code="template_refused", params={"detail": refused}
            )
        if all(_is_plain(node) for node in tree.find_all(nodes.Node)):
            return _ENV.from_string(tree)
        counted = _Counted().visit(tree)
        counted.set_environment(_ENV)
        return _Program(_ENV.from_string(counted))
    except TemplateSyntaxError as error:
        detail = _syntax_detail(error, source, expression=False)
        raise TemplateError(
            f"template {_syntax_words(detail, error, source, expression=False)}{_hint_words(detail)}",
            code="template_syntax",
            params={"part": "template", "line": error.lineno, **detail},
        ) from error


class _Expression:
    """A condition or value expression: evaluated with a work budget of its own (MAX_WORK), as a template that
    loops or builds is rendered. Every expression gets one: a Condition runs on every call, and a chain of filters
    in one line can walk millions of items as easily as a loop."""

    __slots__ = ("template",)

    def __init__(self, template: Template) -> None:
        self.template = template  # `{% set result = <expression> %}`, as Jinja's compile_expression builds it

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        token = _BUDGET.set(_Budget("expression"))
        try:
            context = self.template.new_context(dict(variables))
            for _ in self.template.root_render_func(context):
                pass
            return context.vars["result"]
        finally:
            _BUDGET.reset(token)


@lru_cache(maxsize=4096)
def _compiled_expression(source: str) -> _Expression:
    try:
        # Environment.compile_expression's steps, with the expression rewritten to count its work (_Counted).
        parser = Parser(_ENV, strip_braces(source), state="variable")
        expression = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno, None, None)
        tree = nodes.Template([nodes.Assign(nodes.Name("result", "store"), expression, lineno=1)], lineno=1)
        counted = _Counted().visit(tree)
        counted.set_environment(_ENV)
        return _Expression(_ENV.from_string(counted))
    except TemplateSyntaxError as error:
        detail = _syntax_detail(error, strip_braces(source), expression=True)
        raise TemplateError(
            f"expression {_syntax_words(detail, error, source, expression=True)}{_hint_words(detail)}",
            code="template_syntax",
            params={"part": "expression", **detail},
        ) from error


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a text template. Plain text without `{{`/`{%` (or line ends Jinja would rewrite) is returned as is."""
    if "{" not in source and "\r" not in source and not source.endswith("\n"):
        return source
    try:
        return str(_compiled_template(source).render(variables))
    except TemplateError:
        raise
    except UndefinedError as error:
        raise TemplateError(f"unknown variable: {error.message}", **_unknown_variable(error, source)) from error
    except SecurityError as error:
        raise TemplateError(
            f"not allowed in a template: {error}", code="template_refused", params={"detail": str(error)}
        ) from error
    except Exception as error:  # a filter or operator failed on this call's values
        raise TemplateError(
            f"template failed: {error}", code="template_failed", params=_failed_params("template", error)
        ) from error


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate a condition or value expression."""
    try:
        return _compiled_expression(expression).evaluate(variables)
    except TemplateError:
        raise
    except UndefinedError as error:
        raise TemplateError(
            f"unknown variable: {error.message}", **_unknown_variable(error, _as_template(expression, True))
        ) from error
    except SecurityError as error:
        raise TemplateError(
            f"not allowed in an expression: {error}", code="template_refused", params={"detail": str(error)}
        ) from error
    except Exception as error:
        raise TemplateError(
            f"expression failed: {error}", code="template_failed", params=_failed_params("expression", error)
        ) from error


# Jinja's words for a name without a value (and _Substitution's, which copies them): the name, quoted by repr.
_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined$")
# Jinja's words for a field a value lacks (`contact.name` of a contact without one), and for a filter or test
# nobody registered (`{{ debt | moneyy }}`).
_MISSING_FIELD = re.compile(r"^'[^']*' has no attribute '([^']+)'$")
_UNKNOWN_FILTER = re.compile(r"^No (filter|test) named '([^']+)'")

# The params below name what went wrong beside Jinja's or a helper's English words (`detail`, kept whole for API
# clients and older designers): `reason`, a stable code, and what it is about, which the designer words itself.


def _unknown_variable(error: UndefinedError, text: str) -> dict[str, Any]:
    """The code and params of an unknown variable: its name when Jinja's message is the plain one (with reason
    `unknown_function` when the template calls it: `mony(debt)` is a misspelt helper, not a variable left unset),
    else the message as `detail` (with reason `no_field` and the `field` when a value lacks one)."""
    message = str(error.message or "")
    plain = _UNDEFINED_NAME.match(message)
    if plain:
        name = plain.group(1)
        params: dict[str, Any] = {"variable": name}
        if name in _names_called(text):
            params["reason"] = "unknown_function"
        return {"code": "unknown_variable", "params": params}
    field = _MISSING_FIELD.match(message)
    params = {"detail": message, "reason": "no_field", "field": field.group(1)} if field else {"detail": message}
    return {"code": "unknown_variable", "params": params}


def _names_called(text: str) -> frozenset[str]:
    """The plain names a template calls (`mony` of `{{ mony(debt) }}`); empty when it does not parse."""
    found = _parsed(text)
    if isinstance(found, str):
        return frozenset()
    return frozenset(call.node.name for call in found.find_all(nodes.Call) if isinstance(call.node, nodes.Name))


def _syntax_detail(error: TemplateSyntaxError, source: str, *, expression: bool) -> dict[str, Any]:
    """Jinja's words as `detail`, with reason `unknown_filter` or `unknown_test` and its `name` when it is one,
    reason `liquid_form` with what is `written` as Liquid writes it and its Jinja `suggestion` (see _liquid_hint),
    or the plain reason of a common mistake (see _syntax_reason)."""
    liquid = _liquid_hint(source, expression)
    if liquid is not None:
        return {"detail": error.message, "reason": "liquid_form", "written": liquid[0], "suggestion": liquid[1]}
    unknown = _UNKNOWN_FILTER.match(error.message or "")
    if unknown:
        return {"detail": error.message, "reason": f"unknown_{unknown.group(1)}", "name": unknown.group(2)}
    return {"detail": error.message, **_syntax_reason(_as_template(source, expression))}


def _syntax_words(detail: Mapping[str, Any], error: TemplateSyntaxError, source: str, *, expression: bool) -> str:
    """What is wrong, said after "expression " or "template ": the plain words of a named reason (the line too, in
    a template of several), else Jinja's own."""
    named = detail if detail.get("reason") != "liquid_form" else _syntax_reason(_as_template(source, expression))
    words = _reason_words(named, expression=expression)
    if words is None:
        return (
            f"syntax error: {error.message}" if expression else f"syntax error on line {error.lineno}: {error.message}"
        )
    return words + (f" (line {error.lineno})" if not expression and "\n" in source.strip() else "")


# Jinja's words for the common mistakes of a phrase or condition, which name its tokens ("end of print statement")
# rather than what the writer did: the closing bracket it wanted, a character its lexer has no token for, a block
# tag left open or one it does not know. See _syntax_reason.
_EXPECTED_CLOSER = re.compile(r", expected '([)\]}])'\.?$")
_UNEXPECTED_CLOSER = re.compile(r"^unexpected '([)\]}])'$")
_UNEXPECTED_CHAR = re.compile(r"^unexpected char (.+) at \d+$")
_UNCLOSED_BLOCK = re.compile(r"^Unexpected end of template\..*The innermost block that needs to be closed is '(\w+)'")
_UNKNOWN_TAG = re.compile(r"^Encountered unknown tag '(\w+)'")
_OPENER_OF: Final = {")": "(", "]": "[", "}": "{"}
_STATEMENT_ENDS: Final = frozenset({"variable_end", "block_end"})
_STATEMENT_STARTS: Final = {"variable_begin": ("{{", "}}"), "block_begin": ("{%", "%}")}
# The parser's errors where a statement ended while it still wanted something: an operand, a name, a closing word.
_WANTED_MORE = re.compile(
    r"^(unexpected 'end of|Expected an expression, got 'end of|expected name or number$"
    r"|expected token '[^']+', got 'end of)"
)


@lru_cache(maxsize=1024)
def _syntax_reason(text: str) -> dict[str, str]:
    """Why a template that does not parse does not, as a `reason` and what it is about, for the designer and the
    English message to say plainly (Jinja says "unexpected 'end of print statement'" of `x == 1 and`):

    - `empty`: an expression, or a `{{ }}`, with nothing inside;
    - `incomplete`: it ends too early, `after` the last thing written (`and`);
    - `unclosed`: what is `opened` (a bracket, a quote, `{{`, `{% if %}`) and the `closer` it lacks;
    - `unexpected`: what is `found` where it cannot be (`$`, a `)` that closes nothing, `{% endif %}` alone).

    Empty when it is none of these: Jinja's words stay the only ones."""
    seen: list[Token] = []

    def recorded(tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            seen.append(token)
            yield token

    # Parsed again with every token the parser reads kept, to name the one it stopped at and the one before.
    parser = Parser(_ENV, "")
    try:
        parser.stream = TokenStream(recorded(_ENV.lexer.wrap(_ENV.lexer.tokeniter(text, None))), None, None)
        parser.parse()
    except TemplateSyntaxError as error:
        return _reason_of(error.message or "", parser.stream.current, seen)
    return {}


def _reason_of(message: str, current: Token, seen: list[Token]) -> dict[str, str]:
    char = _UNEXPECTED_CHAR.match(message)
    if char:  # from the lexer: a quote it found no end for, or a character that is no part of the language
        found = _unquoted(char.group(1))
        if found in ("'", '"'):
            return {"reason": "unclosed", "opened": found, "closer": found}
        return {"reason": "unexpected", "found": found}
    stray = _UNEXPECTED_CLOSER.match(message)
    if stray:  # from the lexer, which pairs brackets: one that closes nothing opened
        return {"reason": "unexpected", "found": stray.group(1)}
    closer = _EXPECTED_CLOSER.search(message)
    if closer:
        return {"reason": "unclosed", "opened": _OPENER_OF[closer.group(1)], "closer": closer.group(1)}
    block = _UNCLOSED_BLOCK.match(message)
    if block:
        return {"reason": "unclosed", "opened": f"{{% {block.group(1)} %}}", "closer": f"{{% end{block.group(1)} %}}"}
    tag = _UNKNOWN_TAG.match(message)
    if tag:
        return {"reason": "unexpected", "found": f"{{% {tag.group(1)} %}}"}
    if message == "Missing end of comment tag":
        return {"reason": "unclosed", "opened": "{#", "closer": "#}"}
    before = _token_before(current, seen)
    if current.type == "eof" and message.startswith("unexpected end of template"):
        opened = next((t for t in reversed(seen) if t.type in _STATEMENT_STARTS), None)
        if opened is not None:
            start, end = _STATEMENT_STARTS[opened.type]
            return {"reason": "unclosed", "opened": start, "closer": end}
        return {}
    if current.type == "eof" and before is not None and before.type in _STATEMENT_ENDS:
        current, before = before, _token_before(before, seen)  # `a.`: the parser read past the end it failed at
    if current.type in _STATEMENT_ENDS and _WANTED_MORE.match(message):
        if before is None or before.type in _STATEMENT_STARTS:
            return {"reason": "empty"}
        return {"reason": "incomplete", "after": _written(before)}
    if (
        current.type not in _STATEMENT_ENDS
        and current.type != "eof"
        and message.startswith(("unexpected ", "expected "))
    ):
        return {"reason": "unexpected", "found": _written(current)}
    return {}


def _token_before(current: Token, seen: list[Token]) -> Token | None:
    """The token read just before `current` (the very object: a token read ahead is handed back as itself; the end
    of the template is the stream's own, read after all the others)."""
    if current.type == "eof" and seen and seen[-1] is not current:
        return seen[-1]
    for index in range(len(seen) - 1, 0, -1):
        if seen[index] is current:
            return seen[index - 1]
    return None


def _written(token: Token) -> str:
    """A token as the template writes it: a string in quotes, any other its text."""
    return repr(token.value) if token.type == "string" else str(token.value)


def _unquoted(shown: str) -> str:
    """The character of the lexer's "unexpected char '$'" (its repr)."""
    return shown[1:-1] if len(shown) >= 3 and shown[0] == shown[-1] and shown[0] in "'\"" else shown


def _reason_words(detail: Mapping[str, Any], *, expression: bool) -> str | None:
    """The English of a reason _syntax_reason names, said after "expression " or "template "; None for any other."""
    reason = detail.get("reason")
    if reason == "empty":
        return "is empty" if expression else 'has a "{{ }}" with nothing inside'
    if reason == "incomplete":
        return f'ends too early: something is missing after "{detail["after"]}"'
    if reason == "unclosed":
        return f'opens "{detail["opened"]}" and does not close it: add "{detail["closer"]}"'
    if reason == "unexpected":
        return f'has "{detail["found"]}" where it cannot be'
    return None


def _liquid_hint(source: str, expression: bool) -> tuple[str, str] | None:
    """What of `source` is written as Liquid (Twilio Studio's templates) writes it, and the Jinja for it, when that
    Jinja compiles: `{{ name | upcase }}` and `{{ name | upper }}`. Asked only of a source that does not compile."""
    found = liquid_hints.jinja_form(source, frozenset(_ENV.filters), expression=expression)
    if found is None or isinstance(_parsed(_as_template(found[1], expression)), str):
        return None
    return found


def _hint_words(detail: Mapping[str, Any]) -> str:
    """The English words of a Liquid hint, said after Jinja's:
    " (written as in Liquid: did you mean {{ name | upper }}?)"."""
    if detail.get("reason") != "liquid_form":
        return ""
    return f" (written as in Liquid: did you mean {detail['suggestion']}?)"


def _failed_params(part: str, error: Exception) -> dict[str, Any]:
    """A template's or expression's failure on this call's values: the error's words as `detail`, with `reason` and
    `value` when a helper named its refusal (`money(None, ...)`: not_a_number, `None`)."""
    named = {"reason": error.reason, "value": error.value} if isinstance(error, UnusableValue) else {}
    return {"part": part, "detail": str(error), **named}


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
    (a loop inside a loop multiplies them; a macro or a recursive loop can call itself, a loop in it each time),
    or None."""
    if next(tree.find_all((nodes.Macro, nodes.CallBlock)), None) is not None:
        return "{% macro %} and {% call %} are not available: write the phrase out"
    for loop in tree.find_all(nodes.For):
        if loop.recursive:  # loop(x) runs the body again: over a list of itself twice, twice as long per level
            return "a recursive {% for %} (loop(...)) is not available: one loop per template"
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
        liquid = _liquid_hint(strip_braces(source) if expression else source, expression)
        hint = _hint_words({"reason": "liquid_form", "suggestion": liquid[1]}) if liquid else ""
        return f"{'expression' if expression else 'template'} {_plain(found, text, expression)}{hint}"
    return None


def _plain(found: str, text: str, expression: bool) -> str:
    """_parsed's words for a syntax error (Jinja's), in plain words when _syntax_reason names the mistake."""
    line = _SYNTAX_ERROR_LINE.match(found)
    words = _reason_words(_syntax_reason(text), expression=expression) if line else None
    if line is None or words is None:
        return found
    return words + (f" (line {line.group(1)})" if "\n" in text.strip() else "")


_SYNTAX_ERROR_LINE = re.compile(r"^syntax error on line (\d+): ")


def template_syntax_hint(source: str, *, expression: bool = False) -> dict[str, str]:
    """What is wrong in a template or expression that does not compile, as validation's issue names it for the
    designer to word, as a call's failure does: a Liquid form (reason `liquid_form`, `written`, `suggestion`), else
    a common mistake (see _syntax_reason), or none."""
    liquid = _liquid_hint(strip_braces(source) if expression else source, expression)
    if liquid:
        return {"reason": "liquid_form", "written": liquid[0], "suggestion": liquid[1]}
    text = _as_template(source, expression)
    return _syntax_reason(text) if "{" in text and isinstance(_parsed(text), str) else {}


def syntax_tree(source: str) -> nodes.Template | None:
    """A text template's syntax tree, or None when it does not parse. Shared with every other reader of the same
    text (the parse is cached): read it, never change it."""
    found = _parsed(source)
    return None if isinstance(found, str) else found


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


def fields_read(source: str, *, expression: bool = False) -> frozenset[tuple[str, str]]:
    """The fields of top-level variables a template or expression needs, as (variable, field): `contact.name` and
    `contact['name']` need `name` of `contact` (a missing one fails the call: `'dict object' has no attribute`).
    A field read only through `| default(...)`, a `.get(...)` or after `is defined` is not needed: the template
    goes on without it. Empty when it does not parse."""
    text = _as_template(source, expression)
    if "{" not in text:
        return frozenset()
    found = _parsed(text)
    return frozenset() if isinstance(found, str) else _fields_of(found)


_GUARDING_FILTERS: Final = frozenset({"default", "d"})
_GUARDING_TESTS: Final = frozenset({"defined", "undefined"})


@lru_cache(maxsize=8192)
def _fields_of(tree: nodes.Template) -> frozenset[tuple[str, str]]:
    top = _names_of(tree)
    methods = {id(call.node) for call in tree.find_all(nodes.Call)}  # contact.get(...): a method, not a field
    guarded: set[tuple[str, str]] = set()
    for filtered in tree.find_all(nodes.Filter):
        if filtered.name in _GUARDING_FILTERS and filtered.node is not None:
            guarded |= _field_pairs(filtered.node, top, set())
    for test in tree.find_all(nodes.Test):
        if test.name in _GUARDING_TESTS:
            guarded |= _field_pairs(test.node, top, set())
    pairs: set[tuple[str, str]] = set()
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        pairs |= _field_pairs(access, top, methods)
    return frozenset(pairs - guarded)


def _field_pairs(node: nodes.Node, top: frozenset[str], methods: set[int]) -> set[tuple[str, str]]:
    """(variable, field) when `node` reads a named field of a top-level variable, else nothing."""
    if id(node) in methods or not isinstance(node, nodes.Getattr | nodes.Getitem):
        return set()
    if not isinstance(node.node, nodes.Name) or node.node.name not in top:
        return set()
    if isinstance(node, nodes.Getattr):
        return {(node.node.name, node.attr)}
    return (
        {(node.node.name, node.arg.value)}
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str)
        else set()
    )


# Names a template may use without a scenario setting them: the environment's own globals.
GLOBAL_NAMES: frozenset[str] = frozenset(_ENV.globals)


def register_global(name: str, function: Any) -> None:
    """Make a helper (e.g. money(), spoken_date()) available to every template. Call at start-up."""
    global GLOBAL_NAMES
    _ENV.globals[name] = function
    GLOBAL_NAMES = frozenset(_ENV.globals)
