"""Every status and outcome an export can hold, and what a caller hung up during, has words in every language, and
every column a title: the sets are read from the enums, the constants and the code that writes them, so a new status,
channel operation or column without words fails here rather than reaching a supervisor's Excel as a bare code."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Mapping
from types import ModuleType
from typing import Any, ClassVar, get_args

import pytest

from agi_server import channel, dialer, metrics, server, walk_patrol
from agi_server.ami_protocol import DialOutcome
from api import report_labels
from api.report_labels import (
    BLOCK_WORK,
    CALL_REGISTER,
    CAMPAIGN_REPORT,
    ReportLanguage,
    ReportWords,
    Vocabulary,
    Words,
    block_titles,
)
from api.routes.callbacks import REPORT_COLUMNS
from api.routes.calls import CSV_COLUMNS
from api.schemas import CallStatus, JobStatus
from blocks import default_registry
from graph_engine.block import BlockType, ExitRule
from graph_engine.channel import TransferOutcome
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry
from graph_engine.trace import CallOutcome
from persistence import call_lists, callbacks, calls, campaign_stop

LANGUAGES = [language for language in get_args(ReportLanguage) if language != "raw"]


def _written(module: ModuleType, field: str) -> set[str]:
    """The codes `module`'s code writes to a `field` (`outcome`, `status`): `job.outcome = "x"`, `job.status,
    job.outcome = "done", "answered"`, `.values(outcome=X)`, `{"outcome": ...}`, `def f(outcome="x")`; each a string
    or a constant of the module (`UNREACHED`, `callbacks.UNREACHED`) anywhere in the value written."""
    found: set[str] = set()

    def codes(value: ast.AST) -> None:
        for node in ast.walk(value):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            elif isinstance(node, ast.Name) and isinstance(getattr(module, node.id, None), str):
                found.add(getattr(module, node.id))
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                owner = getattr(module, node.value.id, None)
                if isinstance(owner, ModuleType) and isinstance(getattr(owner, node.attr, None), str):
                    found.add(getattr(owner, node.attr))

    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (
                    zip(target.elts, node.value.elts, strict=False)
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    else [(target, node.value)]
                )
                for written_to, value in pairs:
                    if isinstance(written_to, ast.Attribute) and written_to.attr == field:
                        codes(value)
        elif isinstance(node, ast.keyword) and node.arg == field:
            codes(node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == field:
                    codes(value)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            positional = [*node.args.posonlyargs, *node.args.args]
            with_default = positional[len(positional) - len(node.args.defaults) :]  # the defaults are the last ones
            defaults = [*zip(with_default, node.args.defaults, strict=True),
                        *zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)]  # fmt: skip
            for argument, default in defaults:
                if argument.arg == field and default is not None:
                    codes(default)
    return found


# The modules that write a callback job's status and outcome, and the one that writes a call record's outcome.
JOB_WRITERS = (callbacks, call_lists, campaign_stop, dialer)

JOB_STATUS_CODES = {*callbacks.JOB_STATUSES, *get_args(JobStatus)}.union(*(_written(m, "status") for m in JOB_WRITERS))
DIAL_OUTCOME_CODES = {*(str(o) for o in DialOutcome), *metrics.DIAL_OUTCOMES}.union(
    *(_written(module, "outcome") for module in JOB_WRITERS)
)
CALL_OUTCOME_CODES = {*(str(o) for o in CallOutcome), *metrics.CALL_OUTCOMES, *_written(server, "outcome")}
CALL_STATUS_CODES = {*calls.STATUSES, *get_args(CallStatus)}
TRANSFER_OUTCOME_CODES = {*(str(o) for o in TransferOutcome), calls.TRANSFER_LEFT_BY_CALLER}


def _operations(module: ModuleType) -> set[str]:
    """The operations `module`'s code names to a method taking one first (`self._run("play", ...)`, `_gone(...)`):
    what agi_server.channel records as `hangup_during` when the caller's hangup cuts that operation."""
    tree = ast.parse(inspect.getsource(module))
    takers = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
              and [argument.arg for argument in node.args.args[1:2]] == ["operation"]}  # fmt: skip
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in takers
        and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    }  # fmt: skip


# The channel's operations, and what it writes to `hangup_during` itself; the FastAGI server writes only the prefix
# of a block's work (`block:sql`), worded apart (BLOCK_WORK).
HANGUP_MOMENT_CODES = _operations(channel) | _written(channel, "hangup_during")


def test_the_code_scan_sees_the_codes_written_outside_any_enum() -> None:
    """The scan itself reads what it should: codes only a line of persistence or the dialer writes."""
    assert {"cancelled", "window_closed", "already_reached", "cancelled_by_api", "unreached"} <= DIAL_OUTCOME_CODES
    assert {"emergency_number", "impossible_number", "scenario_unavailable"} <= DIAL_OUTCOME_CODES
    assert {"unknown_scenario", "protocol_error", "refused_stopping"} <= CALL_OUTCOME_CODES
    assert {"answer", "play", "read_digits", "transfer", "get_variable", "set_variable"} <= HANGUP_MOMENT_CODES


@pytest.mark.parametrize(
    ("vocabulary", "codes"),
    [
        (report_labels.JOB_STATUSES, JOB_STATUS_CODES),
        (report_labels.DIAL_OUTCOMES, DIAL_OUTCOME_CODES),
        (report_labels.CALL_OUTCOMES, CALL_OUTCOME_CODES),
        (report_labels.CALL_STATUSES, CALL_STATUS_CODES),
        (report_labels.TRANSFER_OUTCOMES, TRANSFER_OUTCOME_CODES),
        (report_labels.HANGUP_MOMENTS, HANGUP_MOMENT_CODES),
    ],
    ids=["job status", "dial outcome", "call outcome", "call status", "transfer outcome", "hangup moment"],
)
def test_every_code_the_code_can_write_has_words_in_every_language(vocabulary: Vocabulary, codes: set[str]) -> None:
    assert sorted(codes - vocabulary.keys()) == []
    for code, words in vocabulary.items():
        assert all(words), (code, words)  # no empty label hiding a code


@pytest.mark.parametrize(
    ("report", "columns"), [(CALL_REGISTER, CSV_COLUMNS), (CAMPAIGN_REPORT, REPORT_COLUMNS)], ids=["calls", "campaign"]
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_column_has_a_title_of_its_own_in_every_language(
    report: ReportWords, columns: tuple[str, ...], language: ReportLanguage
) -> None:
    wording = report.wording(language)
    assert set(wording.titles) == set(columns)
    titles = [wording.titles[column] for column in columns]
    assert len(set(titles)) == len(titles), titles  # a header with two alike columns is read wrong
    assert set(wording.labels) <= set(columns) and wording.sheet


def test_each_language_is_its_own() -> None:
    assert set(LANGUAGES) == set(Words._fields) == {"en", "es", "ru"}  # the designer's (designer_ui/src/lib/i18n.ts)
    wordings = [CAMPAIGN_REPORT.wording(language) for language in LANGUAGES]
    assert len({wording.labels["status"]["done"] for wording in wordings}) == len(LANGUAGES)


def test_raw_changes_nothing_and_an_unknown_code_stays_as_it_is() -> None:
    rows = [["done", "busy", None, "x"]]
    assert CAMPAIGN_REPORT.wording("raw").rows(["status", "outcome"], rows) is rows
    spanish = CAMPAIGN_REPORT.wording("es")
    assert list(spanish.rows(["status", "outcome", "call_outcome"], rows)) == [["Contactado", "Ocupado", None, "x"]]
    assert list(spanish.rows(["status"], [["some_new_status"]])) == [["some_new_status"]]


def test_the_server_writes_no_moment_of_its_own_but_a_blocks_work() -> None:
    """Beside the channel's operations, the FastAGI server writes `block:` and a block's type; nothing else."""
    assert _written(server, "hangup_during") | _written(walk_patrol, "hangup_during") == {BLOCK_WORK.prefix}
    assert BLOCK_WORK.prefix == walk_patrol.DURING_BLOCK_WORK


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_hangup_during_any_blocks_work_is_in_words(language: ReportLanguage) -> None:
    """Every block's type, a plugin's too, the block named by its title in the language (its `translations`), else
    by its English title; a type the catalog no longer has (a plugin removed) by its type."""
    registry = default_registry()
    wording = CALL_REGISTER.wording(language, block_titles(registry, language))
    types = [*registry.types, "gone_plugin"]
    said = [
        str(row[0]) for row in wording.rows(["hangup_during"], [[f"{walk_patrol.DURING_BLOCK_WORK}{t}"] for t in types])
    ]
    for block_type, text in zip(types, said, strict=True):
        block = registry.get(block_type)
        name = block.translations.get(language, {}).get("title", block.title) if block is not None else block_type
        assert text == getattr(BLOCK_WORK.words, language).format(name=name), (block_type, text)
        assert not text.startswith(walk_patrol.DURING_BLOCK_WORK)
    assert all(words.count("{name}") == 1 for words in BLOCK_WORK.words)


class _Lookup(BlockType):
    """A plugin's block that names itself in Spanish only."""

    type = "acme.lookup"
    title = "CRM Lookup"
    translations: ClassVar[Mapping[str, Mapping[str, str]]] = {"es": {"title": "Búsqueda en el CRM"}}
    exit_rules: ClassVar[list[ExitRule]] = [{"name": "next"}]

    async def run(self, ctx: BlockContext, config: dict[str, Any]) -> str:
        return "next"


def test_a_block_is_named_in_the_language_it_gives_else_in_english_never_by_its_type() -> None:
    registry = BlockRegistry.of([_Lookup])
    assert block_titles(registry, "es") == {"acme.lookup": "Búsqueda en el CRM"}
    assert block_titles(registry, "ru") == {"acme.lookup": "CRM Lookup"}
    assert block_titles(registry, "en") == {"acme.lookup": "CRM Lookup"}
    assert block_titles(registry, "raw") == {}


@pytest.mark.parametrize(("language", "title"), [("en", "SQL Query"), ("es", "Consulta SQL"), ("ru", "SQL-запрос")])
def test_a_builtin_block_is_named_in_the_language(language: ReportLanguage, title: str) -> None:
    assert block_titles(default_registry(), language)["sql"] == title


def test_raw_keeps_what_the_caller_hung_up_during_as_it_is() -> None:
    rows = [["read_digits", "block:sql"]]
    assert CALL_REGISTER.wording("raw", block_titles(default_registry(), "raw")).rows(["hangup_during"], rows) is rows
    # A bare prefix, with no block named, is no block's work.
    assert list(CALL_REGISTER.wording("es").rows(["hangup_during"], [["block:"]])) == [["block:"]]
