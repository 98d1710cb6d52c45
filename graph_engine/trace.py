"""The per-call trace, as plain data: what happened at every node, for the API, the designer and the logs."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final


class CallOutcome(enum.StrEnum):
    HUNG_UP = "hung_up"  # the scenario hung up (Hang Up block)
    CALLER_HANGUP = "caller_hangup"  # the caller hung up first
    TRANSFERRED = "transferred"  # the caller was bridged to someone and the call ended there
    ENDED = "ended"  # the walk reached an unwired exit; the call is hung up
    FAILED = "failed"  # a block failed with nowhere to go; the call was ended politely
    STEP_LIMIT = "step_limit"  # a runaway graph was stopped


@dataclass(slots=True)
class TraceStep:
    index: int
    node: str
    type: str
    label: str
    at: str  # ISO 8601 from the injected clock
    exit: str | None = None
    keys: str = ""
    prompts: list[dict[str, Any]] = field(default_factory=list)
    variables_changed: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    duration_ms: float = 0.0
    error: str | None = None
    # Set when the step ran in a scenario reached by Go To Scenario: its name. Its slug and the published version
    # that ran are in the `goto_scenario` event of the step that went there (the last one before this step): kept
    # there, once per Go To, rather than in a field every step of every call would fill.
    scenario: str | None = None


_allocate: Final = object.__new__


def new_step(index: int, node: str, type: str, label: str, at: str) -> TraceStep:
    """`TraceStep(index, node, type, label, at)` for the interpreter's every step, at two thirds of the cost.

    Calling a class runs its `__init__` through CPython 3.11's generic call path (~4,300 instructions for
    TraceStep's thirteen fields and three default factories); filling the slots of a bare instance costs ~2,800
    (valgrind). tests/graph_engine/test_trace.py checks it sets every field as `TraceStep` does.
    """
    step: TraceStep = _allocate(TraceStep)
    # One statement a field: a tuple assignment costs a third more here.
    step.index = index
    step.node = node
    step.type = type
    step.label = label
    step.at = at
    step.exit = None
    step.keys = ""
    step.prompts = []
    step.variables_changed = {}
    step.events = []
    step.duration_ms = 0.0
    step.error = None
    step.scenario = None
    return step


@dataclass(slots=True)
class CallResult:
    call_id: str
    scenario: str
    outcome: CallOutcome
    started_at: str
    ended_at: str
    steps: list[TraceStep]
    variables: dict[str, Any]
    last_node: str | None  # where the call ended (for a caller hangup: where the caller was)
    answered: bool = False
    error: str | None = None
    hangup_node: str | None = None  # where the caller was when they hung up

    @property
    def path(self) -> list[str]:
        return [step.node for step in self.steps]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = str(self.outcome)
        return data


class IsoTimes:
    """`datetime.isoformat()` for the trace's timestamps, formatting each second once.

    A call stamps every step; `isoformat()` costs about a microsecond each time, while the part up to the
    second (and the zone after it) is the same for all the steps of a second. Output is exactly
    `isoformat()`'s, microseconds left out when they are zero as it does.
    """

    __slots__ = ("_dotted", "_fold", "_head", "_next", "_tail", "_whole", "_zone")

    def __init__(self) -> None:
        self._zone: Any = None
        self._fold = 0
        self._whole = self._next = datetime.min  # the second last formatted: [whole, next)
        self._head = self._dotted = ""
        self._tail = ""

    def __call__(self, moment: datetime) -> str:
        zone = moment.tzinfo
        if zone is None:  # a naive time has no zone to cache by: not worth it
            return moment.isoformat()
        # Same zone object and fold: the same wall-clock second has the same head and UTC offset (offsets
        # change on whole seconds), and comparing two times of one zone object compares their fields in C,
        # with no timedelta built.
        if zone is not self._zone or moment.fold != self._fold or not self._whole <= moment < self._next:
            whole = moment.replace(microsecond=0)
            text = whole.isoformat()
            # The last second of year 9999 has no next one: leave the range empty, so it is formatted every time.
            following = whole + _ONE_SECOND if whole.replace(tzinfo=None) < _LAST_SECOND else whole
            self._zone, self._fold, self._whole, self._next = zone, whole.fold, whole, following
            self._head, self._dotted, self._tail = text[:19], text[:19] + ".", text[19:]
        micro = moment.microsecond
        if not micro:
            return self._head + self._tail
        # Six digits as two cached triples: a third of the instructions of formatting the number.
        return f"{self._dotted}{_TRIPLES[micro // 1000]}{_TRIPLES[micro % 1000]}{self._tail}"


_ONE_SECOND: Final = timedelta(seconds=1)
_LAST_SECOND: Final = datetime.max.replace(microsecond=0)
_TRIPLES: Final = tuple(f"{n:03d}" for n in range(1000))
