"""Services a host injects into a call. The engine has no clock, no TTS, no database of its own."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, runtime_checkable

from graph_engine.errors import ServiceError

if TYPE_CHECKING:
    from graph_engine.document import Scenario

_Service = TypeVar("_Service")


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@runtime_checkable
class TextToSpeech(Protocol):
    async def render(self, text: str, *, language: str, voice: str | None = None, engine: str | None = None) -> str:
        """Render `text` and return the media name a channel can play. Raises `TtsError`."""
        ...


@runtime_checkable
class PrivateSpeech(Protocol):
    """A TTS that can speak a phrase for one call alone. `BlockContext.speech` asks it for each phrase that says a
    sensitive value (graph_engine.sensitive), which a cache shared with other calls would keep after the call."""

    async def render_private(
        self, text: str, *, language: str, voice: str | None = None, engine: str | None = None
    ) -> str:
        """Render `text` for the call now running, and return the media name a channel can play: kept in no cache
        or index, named by nothing of its text, and gone once the asyncio task that asked for it (the call's) has
        ended. Raises `TtsError`, whose message does not quote the text."""
        ...


@runtime_checkable
class DataSources(Protocol):
    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        """Run `sql` on the named data source with bound `params`. Raises `DataSourceError`."""
        ...


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    number: str
    due: datetime  # when to dial, timezone-aware, already moved into the allowed window
    window_end: datetime | None  # give up dialing after this moment
    scenario: str  # slug of the scenario the callee hears
    variables: Mapping[str, Any]
    origin_call_id: str | None
    # The allowed hours themselves (blocks.timewindows.callback_window: hours, time zone, holidays and how far a
    # try may be deferred), so a retry after window_end can move to the next opening; None: window_end is final.
    window: Mapping[str, Any] | None = None
    # The callback job the asking call belongs to (its `callback_job_id`): the host files the new job where that
    # one is, so a campaign's client promised a callback stays the campaign's. None: a call nobody placed.
    origin_job_id: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackReceipt:
    job_id: str
    # True: the callee already had a callback of this scenario waiting, and the request joined it (`job_id`)
    # instead of adding a second call to them.
    merged: bool = False


@dataclass(frozen=True, slots=True)
class CallbackRefused:
    """The host's answer for a number it never calls back (an emergency number, one no phone can have): no job is
    made, and the Callback block takes its `rejected` exit, the call going on along that edge.

    An answer, not an exception: a caller's CallerID is whatever the trunk presented (an extension, a truncated or
    spoofed number), so a refusal is an expected outcome of a call, as a callback outside the hours is. Only the
    host knows which numbers no phone has (its country's numbering plan), so the block learns it here; and a
    return type makes every caller of `schedule` (mypy strict) handle it, where a `SchedulerError` subtype would
    go unseen into any plugin's `except SchedulerError` and fail the call."""

    # Why, in a few English words the `callback_rejected` note carries: "emergency number",
    # "impossible number (too_short)".
    reason: str


@runtime_checkable
class CallbackScheduler(Protocol):
    async def schedule(self, request: CallbackRequest) -> CallbackReceipt | CallbackRefused:
        """Store a callback job, or say why the number is never called (`CallbackRefused`). Raises
        `SchedulerError` when it cannot store one (the scheduler failed, the scenario is not published)."""
        ...


@runtime_checkable
class ScenarioLoader(Protocol):
    async def load(self, slug: str) -> Scenario | None:
        """The published scenario with this slug, or None."""
        ...


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """A scenario a loader found, with the published version of it that it is (None: no published version, e.g.
    a document a simulation was handed)."""

    scenario: Scenario
    version: int | None = None


@runtime_checkable
class VersionedScenarioLoader(ScenarioLoader, Protocol):
    """A loader that also says which published version it found. Go To Scenario records it in the trace: once
    the scenario is republished, its slug alone no longer tells which graph the call's steps there ran on."""

    async def load_version(self, slug: str) -> LoadedScenario | None:
        """The published scenario with this slug and its version, found together (a publish in between cannot
        pair one version's graph with another's number), or None."""
        ...


async def load_scenario(loader: ScenarioLoader, slug: str) -> LoadedScenario | None:
    """`slug`'s scenario through `loader`, with its version when the loader knows versions; a loader that only
    has `load` (written before versions were recorded) still works, its scenarios with none."""
    if isinstance(loader, VersionedScenarioLoader):
        return await loader.load_version(slug)
    scenario = await loader.load(slug)
    return LoadedScenario(scenario) if scenario is not None else None


class FixedClock:
    """A clock that only moves when told to: simulations and tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


class SilentTts:
    """Names a phrase by its hash without rendering anything: simulations and tests."""

    async def render(self, text: str, *, language: str, voice: str | None = None, engine: str | None = None) -> str:
        return _silent_name(text, language, voice, engine)


@lru_cache(maxsize=4096)
def _silent_name(text: str, language: str, voice: str | None, engine: str | None) -> str:
    digest = hashlib.sha256(f"{engine}|{voice}|{language}|{text}".encode()).hexdigest()[:16]
    return f"tts-{digest}"


class RecordingScheduler:
    """Keeps the callback requests it is given: simulations and tests."""

    def __init__(self) -> None:
        self.requests: list[CallbackRequest] = []

    async def schedule(self, request: CallbackRequest) -> CallbackReceipt:
        self.requests.append(request)
        return CallbackReceipt(job_id=f"sim-{len(self.requests)}")


# How a test's rows name one SQL block rather than a data source (`data_rows: {"#last_pay": []}`): a source's name
# never starts with it (blocks.builtin.sql.SOURCE_NAME_PATTERN), so both share `data_rows` as they always did.
BLOCK_ROWS_PREFIX: Final = "#"


class StaticDataSources:
    """Answers every query on a source with the same rows: simulations and tests. Rows under `#id` (`#slug:id` for a
    block of a scenario a Go To Scenario leads to) are that SQL block's own, and win over its source's: two lookups
    on one source can find different rows. `block` tells which block is querying; the host running the call sets it
    (graph_engine.simulation), so the `DataSources` protocol that real sources and plugins implement is unchanged."""

    def __init__(
        self, rows: Mapping[str, list[dict[str, Any]]] | None = None, *, block: Callable[[], str | None] | None = None
    ) -> None:
        self.rows = dict(rows or {})
        self.queries: list[tuple[str, str, dict[str, Any]]] = []
        self.block = block or (lambda: None)

    async def query(
        self, source: str, sql: str, params: Mapping[str, Any], *, timeout: float, max_rows: int
    ) -> list[dict[str, Any]]:
        from graph_engine.errors import DataSourceError

        self.queries.append((source, sql, dict(params)))
        block = self.block()
        rows = self.rows.get(f"{BLOCK_ROWS_PREFIX}{block}") if block is not None else None
        if rows is None:
            rows = self.rows.get(source)
        if rows is None:
            # Not "is not configured": in a test call the source may well be configured on the server, the test
            # simply gave no rows for it (a designer's Test call without rows once read as a broken CRM).
            raise DataSourceError(
                f"no test rows for data source {source!r}", code="no_test_rows", params={"source": source}
            )
        return [dict(row) for row in rows[:max_rows]]


class NoScenarios:
    async def load(self, slug: str) -> Scenario | None:
        return None


@dataclass(slots=True)
class Services:
    """Everything a call may need from its host. Defaults are the simulation stand-ins."""

    clock: Clock = field(default_factory=FixedClock)
    tts: TextToSpeech = field(default_factory=SilentTts)
    data_sources: DataSources = field(default_factory=StaticDataSources)
    scheduler: CallbackScheduler = field(default_factory=RecordingScheduler)
    scenarios: ScenarioLoader = field(default_factory=NoScenarios)
    # Plugins' own services by name (their `ivrgraph.services` entry point's, e.g. "sms_gateway"), built by the
    # host. A block reads its own with `extra(name, TheClass)`, which types it; reading the dict still works.
    extras: dict[str, Any] = field(default_factory=dict)
    # True in a test call (graph_engine.simulation): nothing may leave it. Blocks run their `simulate` there, not
    # `run`; a block reads it as `ctx.simulated`. False by default: a host that forgets it gets real calls' effects
    # in real calls, never a real call quietly skipping a block.
    simulated: bool = False

    def extra(self, name: str, kind: type[_Service]) -> _Service:
        """The plugin service `name` (`extras[name]`) as the `kind` it must be: `ctx.services.extra("acme_booking",
        BookingApi)` is a `BookingApi` to mypy. `kind` is a class (`isinstance` checks it), not a bare Protocol.

        Raises `ServiceError` naming the service when this host has none by that name (its factory returned None,
        the plugin is not installed here, or this is a test call, which has none by design), or when it is of
        another type (two plugins' entry points sharing a name): in a call, the block then takes its `error` exit
        saying so, where a `None` read from the dict would fail later with an AttributeError. A block that can do
        without the service asks `name in services.extras` first, or says it in `readiness`."""
        service = self.extras.get(name)
        if service is None:
            if self.simulated:
                why = "a test call has no plugin services, as nothing may leave it (`simulate` must not ask for one)"
            else:
                why = "no `ivrgraph.services` entry point of that name gave one here"
            raise ServiceError(f"the plugin service {name!r} is not set up: {why}")
        if not isinstance(service, kind):
            raise ServiceError(
                f"the plugin service {name!r} is a {type(service).__qualname__}, not the {kind.__qualname__} its "
                "block expects: is another plugin's service installed under the same name?"
            )
        return service
