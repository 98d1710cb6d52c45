"""SQL: looks something up in an outside database (is the caller an employee? what is their debt?).

The data source is named here and configured by an administrator, never inside the scenario. Parameters
(`:caller_id`) are bound from variables by the driver; a variable's value never becomes part of the SQL text.
A query where a `:name` sits inside quotes or a comment, or a quoted string holds a backslash, is refused
(graph_engine.sql_params): databases read those differently, and MySQL's driver would paste the value in.

At most `max_rows` rows are read from the database; the rest stay on the server. The query must answer within
`timeout` seconds (on SQLite too); a source whose server is slow or frozen holds at most its share of the
node's query threads, and its queries beyond that wait their turn within their timeout, then take the error
exit saying the source is busy. A refused login takes the error exit with "data source 'crm' refused the login":
the account and host stay in the server's log.

A statement that returns rows leaves by `found` when it returned one, by `not_found` when none. One that returns
no rows (UPDATE, INSERT, DELETE on a writable source) leaves by `found` when it affected at least one row (a row an
UPDATE matched counts even when its values stay the same), by `not_found` when the database says it affected none
or does not count (DDL, PostgreSQL's CALL); the trace's "sql" event says how many as `rows_affected`. Such a
statement sets no column: with `columns` asked of it, `found` takes the error exit instead.

What a column's value becomes in a variable, the same on PostgreSQL and MariaDB: text and whole numbers as they
are (a DECIMAL without a fraction becomes an integer, one with a fraction a number, and so does PostgreSQL's
`money`, whatever the server's lc_monetary); a BOOLEAN true or false (MariaDB's BOOLEAN is TINYINT(1): every
TINYINT(1) column reads as a flag, 0 false and any other value true; TINYINT and INT(1) stay numbers); NaN and
the infinities, which JSON lacks, become the text "NaN", "Infinity" and "-Infinity"; a date, time or timestamp
ISO 8601 text ("2026-03-01", "09:00:00", "2026-03-01T09:00:00+00:00"); a MariaDB TIME or a PostgreSQL interval
the same "HH:MM:SS" text, with hours past 24 and a leading "-" as MariaDB's TIME allows ("-01:30:00",
"100:00:00"); a BIT the number it spells (BIT(1): 0 or 1, so a Condition on a flag reads it rightly); other
binary values hex text; NULL nothing (None). SQLite keeps no type with a value, and its driver does not say a
column's declared one: there a BOOLEAN is 1 or 0, as is a yes/no expression on MariaDB (EXISTS, a comparison:
PostgreSQL gives true or false), which a Switch case `true` or `false` and a Condition's `== true` both take;
and a date is the text it was stored as.

A column written into a variable the scenario declares sensitive is masked in the call's record
(graph_engine.sensitive), and so are all the rows of `rows_variable` then; bound parameters are never noted at all.

Every failure (the error exit) is logged at WARNING (a test call's at INFO) with the call, the node and the source,
and what went wrong with each bound parameter's value written as its `:name` (a database quotes back a value it
could not take). A query the caller's hangup (or the block's time limit, or the node's shutdown) cancels leaves an
"sql" event with `cancelled: true` and `elapsed_ms`, the time it had run, on the step.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from blocks.common import IDENTIFIER_PATTERN, VARIABLE_NAME, sql_parameters
from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext
from graph_engine.document import Node, Scenario
from graph_engine.errors import DataSourceError
from graph_engine.issues import Issue, Params, error, node_params, warning
from graph_engine.sql_params import parse_query

# The names a data source can have: the one pattern the block, the data sources (persistence.datasources) and the
# API check, so a scenario can only name a source an administrator is able to create.
SOURCE_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"

log = logging.getLogger(__name__)

# A result column as the database names it. The name is only looked up among the columns the driver returns, never
# written into SQL, so any text a database can name a column is safe: Cyrillic (`Сумма`, a Russian CRM's), spaces
# (`Дата платежа`), an unaliased expression (`COUNT(*)`). A control character would be a pasted line end, not a
# column a CRM has; 256 is MariaDB's longest alias (PostgreSQL's names are shorter still).
COLUMN_NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]{1,256}$"

# A template's placeholder or tag written into a query (a Studio habit, `'{{trigger.call.From}}'`): nothing renders a
# query, so it reaches the database as typed. The quotes around it go with it, as the `:name` that replaces it
# needs none; an unclosed one is shown up to the line's end.
_TEMPLATE_TEXT = re.compile(r"(['\"]?)(\{\{.*?\}\}|\{%.*?%\}|\{[{%][^\n]{0,40})(\1)")
_PLACED_NAME = re.compile(r"^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$")


class QueryAnswer(list[dict[str, Any]]):
    """A data source's answer: its rows and, for a statement that returns none (UPDATE, INSERT, DELETE), how many
    rows it affected; None when the database does not count them, or the statement returned rows. A data source
    may answer with a plain list too (a simulation's rows): that has no count."""

    def __init__(self, rows: Iterable[dict[str, Any]] = (), *, rows_affected: int | None = None) -> None:
        super().__init__(rows)
        self.rows_affected = rows_affected


class SqlBlock(BlockType):
    type = "sql"
    title = "SQL Query"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Consulta SQL"},
        "ru": {"title": "SQL-запрос"},
    }
    category = "Data"
    safe_in_test_call = True  # queries through ctx.services.data_sources: a test call's give the rows it set
    icon = "database"
    description = "Runs a query on a configured data source and branches on whether it found a row."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["source", "query"],
        "properties": {
            "source": {
                "type": "string",
                "pattern": SOURCE_NAME_PATTERN,
                "title": "Data source",
                "x-ui": {"widget": "data-source"},
            },
            "query": {
                "type": "string",
                "minLength": 1,
                "maxLength": 10000,
                "title": "Query",
                "description": "Use :variable for values, e.g. SELECT name FROM staff WHERE phone = :caller_id",
                "x-ui": {"widget": "sql"},
            },
            "columns": {
                "type": "object",
                "title": "Columns to variables",
                "description": "Result column -> variable that receives its value (first row).",
                "propertyNames": {
                    "pattern": COLUMN_NAME_PATTERN,
                    "title": "Column",
                    "description": "A result column as the database names it (Сумма, amount), at most 256 characters.",
                },
                "additionalProperties": {
                    "type": "string",
                    "pattern": IDENTIFIER_PATTERN,
                    "title": "Variable",
                    "description": "A variable name: letters, digits and _, not starting with a digit.",
                },
                "default": {},
            },
            "rows_variable": {**VARIABLE_NAME, "title": "Store all rows in"},
            "timeout": {"type": "number", "minimum": 0.1, "maximum": 60, "default": 3, "title": "Timeout (s)"},
            "max_rows": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1, "title": "Max rows"},
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [
        {"name": "found", "label": "Found"},
        {"name": "not_found", "label": "Not found"},
    ]
    unwired_meaning: ClassVar[dict[str, str]] = {"*": "the call ends after the lookup"}

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        written = set(config.get("columns", {}).values())
        if config.get("rows_variable"):
            written.add(config["rows_variable"])
        return written

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        """The rows variable is set whether rows came or not; the columns only on `found`."""
        if exit_name == "found":
            return self.variables_written(config)
        if exit_name == "not_found" and config.get("rows_variable"):
            return {str(config["rows_variable"])}
        return set()

    def variables_read(self, config: Mapping[str, Any]) -> set[str]:
        return set(sql_parameters(str(config.get("query", ""))))

    def check(self, node: Node, scenario: Scenario) -> list[Issue]:
        parsed = parse_query(str(node.config.get("query", "")))
        named = node_params(node.type, self.title, node.title)
        issues = [
            error(
                "sql_unsafe_query",
                f'SQL "{node.title}": {problem}',
                node=node.id,
                path="$.config.query",
                params={**named, "detail": problem},
            )
            for problem in parsed.problems
        ]
        if ";" in parsed.statements:  # a ';' inside quotes or a comment is text
            issues.append(
                error(
                    "sql_multiple_statements",
                    f'SQL "{node.title}": only one statement is allowed',
                    node=node.id,
                    path="$.config.query",
                    params=named,
                )
            )
        braces = _template_braces(node, named)
        return issues if braces is None else [*issues, braces]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        try:
            return await self._look_up(ctx, config)
        except Exception as failure:  # the error exit's: support reads the log, not every call's trace
            _log_failure(ctx, config, failure)
            raise

    async def _look_up(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        names = sql_parameters(str(config["query"]))
        missing = [name for name in names if name not in ctx.variables]
        if missing:
            raise DataSourceError(
                f"query needs variables that are not set: {', '.join(missing)}",
                code="sql_variables_not_set",
                params={"variables": ", ".join(missing)},
            )
        params = {name: ctx.variables[name] for name in names}
        source = str(config["source"])
        started = ctx.now()
        try:
            rows = await ctx.services.data_sources.query(
                source,
                str(config["query"]),
                params,
                timeout=float(config.get("timeout", 3)),
                max_rows=int(config.get("max_rows", 1)),
            )
        except DataSourceError as failure:
            # The product's data sources name each failure (persistence/datasources.py); another host's, or a test
            # double's, may not: named here as a whole then, the source known, its English message the detail.
            failure.named("data_source_failed", {"source": source, "detail": str(failure)})
            raise
        except asyncio.CancelledError:
            # The caller hung up mid-query (or the block's time ran out, or the node stops): the step says how long
            # the lookup had run, which tells a slow database from an impatient caller.
            ctx.note("sql", source=source, cancelled=True, elapsed_ms=_ms_since(started, ctx.now()))
            raise
        affected = rows.rows_affected if isinstance(rows, QueryAnswer) else None
        counted = {} if affected is None else {"rows_affected": affected}
        ctx.note("sql", source=config["source"], rows=len(rows), **counted)
        if config.get("rows_variable"):
            # The rows hold what the columns give the variables: hidden with the rows when any of those is sensitive.
            columns = config.get("columns", {}).values()
            hidden = any(ctx.is_sensitive(str(variable)) for variable in columns)
            ctx.set(str(config["rows_variable"]), list(rows), sensitive=hidden)
        if not rows:
            return "found" if _wrote(affected, config) else "not_found"
        first = rows[0]
        for column, variable in config.get("columns", {}).items():
            if column not in first:
                raise DataSourceError(
                    f"the result has no column {column!r} (columns: {', '.join(first)})",
                    code="sql_no_column",
                    params={"column": column, "columns": ", ".join(first)},
                )
            ctx.set(variable, first[column])
        return "found"


def _template_braces(node: Node, named: Params) -> Issue | None:
    """A warning for the first `{{ }}` or `{% %}` in the query, with the `:name` to write for a `{{ name }}`."""
    found = _TEMPLATE_TEXT.search(str(node.config.get("query", "")))
    if found is None:
        return None
    written = found.group(0) if found.group(1) else found.group(2)
    name = _PLACED_NAME.match(found.group(2))
    fix = {"fix": f":{name.group(1)}"} if name else {}
    message = f'SQL "{node.title}": values go into a query as :name; {written} reaches the database as typed'
    return warning(
        "sql_template_braces",
        message + (f": write {fix['fix']}" if fix else ""),
        node=node.id,
        path="$.config.query",
        params={**named, "written": written, **fix},
    )


def _wrote(affected: int | None, config: Mapping[str, Any]) -> bool:
    """Whether a statement that returned no rows leaves by `found`: it affected some. `found` promises the columns'
    variables, which such a statement has none of, so asking it for columns is the error exit's."""
    if affected is None or affected <= 0:
        return False
    columns = list(config.get("columns", {}))
    if columns:
        raise DataSourceError(
            f"the result has no column {columns[0]!r}: the statement returned no rows",
            code="sql_no_column",
            params={"column": columns[0]},
        )
    return True


def _ms_since(started: datetime, now: datetime) -> int:
    return round((now - started).total_seconds() * 1000)


def _log_failure(ctx: BlockContext, config: Mapping[str, Any], failure: Exception) -> None:
    source = str(config.get("source", ""))
    detail = str(failure) if isinstance(failure, DataSourceError) else f"{type(failure).__name__}: {failure}"
    bound = [(name, ctx.variables.get(name)) for name in sql_parameters(str(config.get("query", "")))]
    # A test call's failure is the analyst's to read in the designer (a test without rows for the source), no
    # trouble of the node's.
    log.log(
        logging.INFO if ctx.simulated else logging.WARNING,
        "call_id=%s SQL block %r on data source %r took its error exit: %r",
        ctx.call_id,
        ctx.node.id,
        source,
        without_values(detail, bound),
        extra={"call_id": ctx.call_id, "node": ctx.node.id, "data_source": source},
    )


def without_values(text: str, bound: Iterable[tuple[str, Any]]) -> str:
    """`text` with each bound value (text or a number) written as its parameter, `:name`, wherever it stands apart
    from letters and digits: a database quotes back a value it could not take (PostgreSQL's `invalid input syntax
    for type integer: "abc"`), and a value is the caller's, which the log must not carry. Longest first, so a
    value holding another is replaced whole."""
    shown = [(name, str(value)) for name, value in bound if _plain(value)]
    for name, value in sorted(shown, key=lambda item: -len(item[1])):
        if value:
            text = re.sub(rf"(?<![^\W_]){re.escape(value)}(?![^\W_])", f":{name}", text)
    return text


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | Decimal) and not isinstance(value, bool)
