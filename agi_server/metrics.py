"""Prometheus metrics of the FastAGI server, in their own registry so tests and several servers never clash.

The per-command and per-call figures (round-trip histogram, active calls, calls by outcome) are plain ints
and floats the event loop bumps, exported by a collector when Prometheus scrapes: a `prometheus_client`
Histogram takes a lock and walks its buckets on every observe, which cost a measurable part of the CPU per
command (bench/agi_load.py). Rare events (refusals, errors, dropped records) stay ordinary Counters. The node's
state (the version poller's health, call records waiting for the database, the dialer, the process's own
descriptors, memory and CPU) is read when Prometheus scrapes, never on the call path.

What the node is also reads at scrape time: the release it runs (`ivrgraph_build_info`), the version of each
scenario its cache holds (`ivrgraph_scenario_published_version`), and whether it was asked to stop
(`ivrgraph_agi_stopping`).

`serve` answers `/metrics`; `/healthz` (200: the process answers) and `/readyz` (503 once the node is stopping: its
FastAGI listener is closed; 503 while its callback dialer claims no job because a newer ivrgraph migrated the
database; 503 once the version poller has not succeeded for three poll intervals: the versions served may be stale,
calls go on), as the API's own `/healthz` and `/readyz` do; and 404 on any other path.
"""

from __future__ import annotations

import importlib.metadata
import json
import socket
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, Protocol
from wsgiref.simple_server import WSGIRequestHandler
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    make_wsgi_app,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector

from agi_server.ami_protocol import DialOutcome
from agi_server.errors import CannotListen
from graph_engine.trace import CallOutcome

# Round trips on loopback are ~0.15 ms; blocking commands (prompts, digits, Dial) take seconds.
RTT_BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0)
_BUCKET_LABELS: Final = (*(str(bound) for bound in RTT_BUCKETS), "+Inf")


# Metrics answer on loopback unless told otherwise: the FastAGI address faces the Asterisk hosts, and the
# metrics port is not behind their allow-list.
METRICS_HOST: Final = "127.0.0.1"

# The label values agi_server.server counts. Their series exist at 0 from the start: an alert on increase() sees
# nothing of a series whose first sample is already 1 (tests/agi_server/test_metrics_health.py checks the server
# uses no other value).
ERROR_KINDS: Final = (
    "unknown_scenario",
    "scenario_lookup",
    "protocol",
    "internal",
    "inputs",
    "answer_timeout",
    "block_time_limit",
    "abandoned_block",  # a call given up on: its block ignored its cancellation (AgiServer._give_up)
)
REFUSAL_REASONS: Final = ("peer", "handshake", "overload", "stopping")
# Why a session ended at its env block, before a call ran (the `handshake` refusals above, told apart): a block we
# refuse to read (a key out of Asterisk's order, as a value with a line feed poses it; a key twice; NUL), one over the
# size cap, one naming no FastAGI request (a probe), one not whole within the handshake timeout, a connection closed
# before its end. `recorded`: whether the call register has the call (agi_server.server.AgiServer._refuse_handshake).
HANDSHAKE_REFUSALS: Final = ("malformed", "too_large", "not_fastagi", "timeout", "closed")
CALL_OUTCOMES: Final = (
    *(str(outcome) for outcome in CallOutcome),
    "unknown_scenario",
    "protocol_error",
    "refused_overload",
    "refused_stopping",
)
# What the callback dialer's attempts came to (agi_server.dialer.Dialer.attempts): each `DialOutcome` (refused:
# Asterisk refused the Originate, nothing rang, the job keeps its attempts; unreached: answered, but no scenario
# reached the callee, a failed attempt retried on the job's rules), congestion while the trunk looked down (not
# counted), an attempt hung up unanswered at the node's shutdown (`cancelled`, agi_server.dial_jobs.SHUTDOWN_HANGUP: not
# counted), and the jobs ended without a call (an emergency number; a number no phone has; a scenario with no
# published version). `hung_up_early`: an answered attempt whose callee hung up before the scenario set a result,
# known only once the FastAGI call ended, after `answered` counted it: counted again here (a counter never goes
# down), by the node that took the call (agi_server.node.DatabaseRuntime._call_ended).
DIAL_OUTCOMES: Final = (
    *(str(outcome) for outcome in DialOutcome),
    "hung_up_early",
    "trunk_down",
    "cancelled",
    "emergency_number",
    "impossible_number",
    "scenario_unavailable",
    "lost",  # persistence.callbacks.LOST: a node went away mid-dial; counted at its restart or a takeover
)

# /readyz says the versions may be stale once no poll succeeded for this many intervals (a failed poll or two is
# a blip), and never sooner than STALE_AFTER_MIN_SECONDS.
STALE_AFTER_POLLS: Final = 3
STALE_AFTER_MIN_SECONDS: Final = 1.0


class _RoundTrips:
    """One command's histogram: a count per bucket (not cumulative) and the sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(RTT_BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0


class _HotFigures(Collector):
    """Figures updated on the event loop and read by a scrape (maybe from the exporter's thread: the copies
    below are single C-level operations under the GIL; a scrape may see a sum one observation ahead)."""

    def __init__(self) -> None:
        self.active = 0
        self.calls: dict[str, int] = {}
        self.round_trips: dict[str, _RoundTrips] = {}

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("ivrgraph_agi_active_calls", "Calls being walked now", value=self.active)
        calls = CounterMetricFamily("ivrgraph_agi_calls", "Finished calls by outcome", labels=["outcome"])
        counted = dict(self.calls)
        for outcome in sorted(counted.keys() | set(CALL_OUTCOMES)):
            calls.add_metric([outcome], counted.get(outcome, 0))
        yield calls
        histogram = HistogramMetricFamily(
            "ivrgraph_agi_round_trip_seconds", "AGI command round trip", labels=["command"]
        )
        for command, figures in sorted(dict(self.round_trips).items()):
            cumulative, buckets = 0, []
            for label, count in zip(_BUCKET_LABELS, list(figures.counts), strict=True):
                cumulative += count
                buckets.append((label, float(cumulative)))
            histogram.add_metric([command], buckets, figures.total)
        yield histogram


class DialerState(Protocol):
    """What a scrape reads of the callback dialer (agi_server.dialer.RunningDialer)."""

    @property
    def ami_connected(self) -> bool: ...

    @property
    def gave_up(self) -> bool: ...

    @property
    def refused(self) -> bool: ...

    @property
    def trunk_down(self) -> bool: ...

    @property
    def active_lines(self) -> int: ...

    @property
    def attempts(self) -> Mapping[str, int]: ...

    @property
    def pass_failures(self) -> int: ...

    @property
    def schema_newer(self) -> str | None: ...

    @property
    def dialling_held(self) -> bool: ...


class _DialerFigures(Collector):
    """The dialer's state at scrape time: an alert on `ivrgraph_dialer_stopped` is how an operator learns that
    AMI refused the login on a reconnect (a secret changed on the Asterisk side), after which no callback is
    dialled until the node restarts; the log says it once. Its counters tell callbacks that fail: during a
    database outage every gauge looked healthy while no job could be claimed, and a callee who heard no scenario
    showed nowhere (operations review)."""

    def __init__(self, dialer: DialerState) -> None:
        self.dialer = dialer

    def collect(self) -> Iterator[Metric]:
        dialer = self.dialer
        yield GaugeMetricFamily(
            "ivrgraph_ami_connected", "1 while the AMI session is up", value=int(dialer.ami_connected)
        )
        yield GaugeMetricFamily(
            "ivrgraph_dialer_stopped",
            "1 once the dialer gave up: AMI refused its login on a reconnect (no callback is dialled until a restart)",
            value=int(dialer.gave_up),
        )
        yield GaugeMetricFamily(
            "ivrgraph_dialer_refused",
            "1 while dialling pauses because Asterisk refused an Originate (a dialplan context, channel or AMI "
            "permission of this node)",
            value=int(dialer.refused),
        )
        yield GaugeMetricFamily(
            "ivrgraph_dialer_trunk_down",
            "1 while dialling pauses because calls to different numbers in a row met congestion (the trunk or the "
            "provider looks down): their attempts are not counted, and one call at a time probes the trunk",
            value=int(dialer.trunk_down),
        )
        yield GaugeMetricFamily(
            "ivrgraph_dialer_schema_newer",
            "1 while the dialer claims no job because a newer ivrgraph migrated the database (a schema revision this "
            "node's code does not know): no callback is dialled by this node until it is upgraded",
            value=int(dialer.schema_newer is not None),
        )
        yield GaugeMetricFamily(
            "ivrgraph_dialer_held",
            "1 while the dialer claims no job because dialling is held for the whole database (a restored backup, or "
            "an admin's hold): nobody is called by any node until an admin resumes it",
            value=int(dialer.dialling_held),
        )
        yield GaugeMetricFamily(
            "ivrgraph_dialer_active_lines", "Outbound calls being dialled or talking", value=dialer.active_lines
        )
        attempts = CounterMetricFamily(
            "ivrgraph_dialer_attempts",
            "Callback attempts by what they came to (answered counts once the callee hung up and the scenario had "
            "reached them; unreached when it had not), and jobs ended without a call. hung_up_early counts those "
            "answered attempts whose callee then proved to have hung up before the scenario set a result (their job "
            "called again, as the campaign asks): each is in answered too, so answered minus hung_up_early is the "
            "answers that got through",
            labels=["outcome"],
        )
        counted = dict(dialer.attempts)
        for outcome in sorted(counted.keys() | set(DIAL_OUTCOMES)):
            attempts.add_metric([outcome], counted.get(outcome, 0))
        yield attempts
        yield CounterMetricFamily(
            "ivrgraph_dialer_pass_failures",
            "Dialer passes that failed (the database away, or a bug: the log says which): no job was claimed",
            value=dialer.pass_failures,
        )


class PollerState(Protocol):
    """What a scrape reads of the version poller (persistence.scenario_source.VersionPoller)."""

    @property
    def interval(self) -> float: ...

    @property
    def failures(self) -> int: ...

    @property
    def last_success(self) -> float | None: ...

    @property
    def failing(self) -> bool: ...

    @property
    def last_error(self) -> str | None: ...


class SpoolState(Protocol):
    """What a scrape reads of the call-record spool (agi_server.spool.RecordSpool)."""

    def waiting(self) -> int: ...

    def waiting_elsewhere(self) -> int | None: ...


class RecordQueue(Protocol):
    """What a scrape reads of the call-record writer (agi_server.records.RecordWriter)."""

    @property
    def queued(self) -> int: ...

    @property
    def spool(self) -> SpoolState | None: ...


def package_version() -> str:
    """The installed ivrgraph release ("unknown" when it runs from a checkout that was never installed)."""
    try:
        return importlib.metadata.version("ivrgraph")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class _NodeFigures(Collector):
    """The version poller's health and the call records waiting for the database, at scrape time. Without them a
    node serving stale versions while its database was away looked healthy (operations review). And what the node
    is: its release, the scenario versions it holds, whether it stops (a node could not say which versions it
    served, and a draining node looked ready: SRE review)."""

    def __init__(self) -> None:
        self.poller: PollerState | None = None
        self.records: RecordQueue | None = None
        self.abandoned_blocks: Callable[[], int] | None = None
        self.dialer: DialerState | None = None
        self.held_versions: Callable[[], Mapping[str, int]] | None = None
        self.version = package_version()
        self.schema = ""  # the schema revision the code runs on; a node without a database has none
        self.stopping = False

    def collect(self) -> Iterator[Metric]:
        build = GaugeMetricFamily(
            "ivrgraph_build_info",
            "The ivrgraph release this node runs, and the database schema revision its code runs on (empty without "
            "a database); always 1",
            labels=["version", "schema"],
        )
        build.add_metric([self.version, self.schema], 1)
        yield build
        yield GaugeMetricFamily(
            "ivrgraph_agi_stopping",
            "1 once the node was asked to stop: its FastAGI listener is closed, calls in progress get up to the "
            "shutdown deadline",
            value=int(self.stopping),
        )
        held_versions = self.held_versions
        if held_versions is not None:
            versions = GaugeMetricFamily(
                "ivrgraph_scenario_published_version",
                "The published version of each scenario this node holds: the one a new call to it runs here (a "
                "scenario deleted or unpublished leaves the list)",
                labels=["scenario"],
            )
            for slug, number in sorted(held_versions().items()):
                versions.add_metric([slug], number)
            yield versions
        poller, records, abandoned_blocks = self.poller, self.records, self.abandoned_blocks
        if poller is not None:
            yield from _poller_figures(poller)
        if abandoned_blocks is not None:
            yield GaugeMetricFamily(
                "ivrgraph_agi_abandoned_blocks",
                "Blocks still running in the background after their call was given up on (they ignored their "
                "cancellation); what they hold (memory, connections) is freed only when they end or the node restarts",
                value=abandoned_blocks(),
            )
        if records is not None:
            yield GaugeMetricFamily(
                "ivrgraph_agi_call_records_queued",
                "Call records of finished calls waiting for the database: in the writer's queue, or held in memory "
                "while the spool's disk is full too",
                value=records.queued,
            )
            spool = records.spool
            if spool is not None:
                yield GaugeMetricFamily(
                    "ivrgraph_agi_call_records_in_spool",
                    "Call records kept on local disk until the database takes them (this database's spool folder, "
                    "which the nodes of one host share)",
                    value=spool.waiting(),
                )
                elsewhere = spool.waiting_elsewhere()
                if elsewhere is not None:
                    yield GaugeMetricFamily(
                        "ivrgraph_agi_call_records_in_other_spools",
                        "Call records waiting in the other spool folders under this node's spool root: spooled under "
                        "another database URL, which this node does not replay (`ivrgraph records replay --spool`)",
                        value=elsewhere,
                    )


def _poller_figures(poller: PollerState) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        "ivrgraph_scenario_source_up",
        "1 while the last poll of the published versions succeeded; 0 while the database cannot be read (calls get "
        "the versions already loaded)",
        value=0 if poller.failing or poller.last_success is None else 1,
    )
    yield CounterMetricFamily(
        "ivrgraph_scenario_poll_failures", "Polls of the published versions that failed", value=poller.failures
    )
    last_success = poller.last_success
    if last_success is not None:
        yield GaugeMetricFamily(
            "ivrgraph_scenario_poll_last_success_timestamp_seconds",
            "Unix time of the last poll of the published versions that succeeded",
            value=last_success,
        )


def stale_versions(poller: PollerState, now: float) -> str | None:
    """Why the versions a node serves may be stale (no poll succeeded for a while), or None.

    The failed poll's error by its kind only: whoever reaches the metrics port reads this, and the driver's words
    name the database's host, port and user (as for `ScenarioLookupFailed`); the poller's log line has them."""
    stale_after = max(STALE_AFTER_POLLS * poller.interval, STALE_AFTER_MIN_SECONDS)
    last_success = poller.last_success
    if last_success is not None and now - last_success <= stale_after:
        return None
    why = (
        f"{_error_kind(poller.last_error)} (the node's log says more)"
        if poller.last_error
        else "a poll is still running"
    )
    if last_success is None:
        return f"no version poll has succeeded yet: {why}"
    return f"no version poll succeeded for {now - last_success:.0f} s: {why}"


def _error_kind(said: str) -> str:
    """The kind of a poll's error as the poller says it ("OperationalError: connection to server at ... failed")."""
    return said.partition(":")[0].strip() or "error"


class AgiMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._hot = _HotFigures()
        self.registry.register(self._hot)
        self._node = _NodeFigures()
        self.registry.register(self._node)
        # process_open_fds beside process_max_fds tells how near the node is to refusing calls for descriptors
        # (README, Capacity); read from /proc when scraped, as the dialer's and poller's figures are.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.refused = Counter(
            "ivrgraph_agi_refused_connections",
            "Connections refused before a call ran",
            ["reason"],
            registry=self.registry,
        )
        self.errors = Counter("ivrgraph_agi_errors", "Errors by kind", ["kind"], registry=self.registry)
        self.sessions_refused = Counter(
            "ivrgraph_agi_sessions_refused",
            "FastAGI sessions that ended at their env block, by why, and whether the call register has the call (a "
            "block that names Asterisk's request and the channel or uniqueid is recorded failed; a probe is not)",
            ["reason", "recorded"],
            registry=self.registry,
        )
        for reason in HANDSHAKE_REFUSALS:
            for recorded in ("true", "false"):
                self.sessions_refused.labels(reason, recorded)
        for reason in REFUSAL_REASONS:
            self.refused.labels(reason)
        for kind in ERROR_KINDS:
            self.errors.labels(kind)
        self.records_dropped = Counter(
            "ivrgraph_agi_call_records_dropped", "Call records that could not be written", registry=self.registry
        )
        self.records_spooled = Counter(
            "ivrgraph_agi_call_records_spooled",
            "Call records kept on local disk while the database could not take them (written later)",
            registry=self.registry,
        )

    @property
    def active_calls(self) -> int:
        return self._hot.active

    def call_started(self) -> None:
        self._hot.active += 1

    def call_ended(self) -> None:
        self._hot.active -= 1

    def call_finished(self, outcome: str) -> None:
        calls = self._hot.calls
        calls[outcome] = calls.get(outcome, 0) + 1

    def calls_by_outcome(self) -> dict[str, int]:
        return dict(self._hot.calls)

    def observe_round_trip(self, command: str, seconds: float) -> None:
        figures = self._hot.round_trips.get(command)
        if figures is None:
            figures = self._hot.round_trips[command] = _RoundTrips()
        figures.counts[bisect_left(RTT_BUCKETS, seconds)] += 1
        figures.total += seconds

    def watch_dialer(self, dialer: DialerState) -> None:
        """Export the callback dialer's state with these metrics (one dialer per process), and answer /readyz by
        it too."""
        self.registry.register(_DialerFigures(dialer))
        self._node.dialer = dialer

    def watch_version_poller(self, poller: PollerState) -> None:
        """Export the version poller's health, and answer /readyz by it."""
        self._node.poller = poller

    def watch_record_writer(self, records: RecordQueue) -> None:
        """Export how many call records wait for the database (the writer's queue, its spool)."""
        self._node.records = records

    def watch_abandoned_blocks(self, count: Callable[[], int]) -> None:
        """Export how many blocks of calls given up on still run (`count` is read when scraped)."""
        self._node.abandoned_blocks = count

    def watch_scenarios(self, held_versions: Callable[[], Mapping[str, int]]) -> None:
        """Export the version number of each scenario the node holds (slug -> number, read when scraped)."""
        self._node.held_versions = held_versions

    def runs_on_schema(self, revision: str) -> None:
        """Name the database schema revision this node's code runs on in `ivrgraph_build_info`."""
        self._node.schema = revision

    def node_stopping(self) -> None:
        """The node was asked to stop: /readyz answers 503 and `ivrgraph_agi_stopping` reads 1 from now on."""
        self._node.stopping = True

    @property
    def stopping(self) -> bool:
        return self._node.stopping

    def dialer_schema_newer(self) -> str | None:
        """Why the node's callback dialer claims no job, when a newer ivrgraph migrated the database; else None."""
        dialer = self._node.dialer
        newer = dialer.schema_newer if dialer is not None else None
        if newer is None:
            return None
        return (
            f"the database is at schema revision {newer}, newer than this ivrgraph knows (up to "
            f"{self._node.schema or 'unknown'}): the callback dialer claims no job until ivrgraph is upgraded on "
            "this node"
        )

    def stale_versions(self) -> str | None:
        """Why the node's versions may be stale, or None (also when it polls no database)."""
        poller = self._node.poller
        return stale_versions(poller, time.time()) if poller is not None else None

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, port: int, host: str = METRICS_HOST) -> None:
        """Answer Prometheus on http://host:port/metrics, and /healthz and /readyz, from threads of their own."""
        try:
            _serve_in_thread(self._http_app(), host, port)
        except OSError as error:
            raise CannotListen("metrics", host, port, error) from error

    def _http_app(self) -> WSGIApplication:
        metrics: WSGIApplication = make_wsgi_app(self.registry)  # typed as a bare Callable there

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if path == "/metrics":
                return metrics(environ, start_response)
            if path in ("/healthz", "/readyz"):
                return self._health(environ, start_response, ready=path == "/readyz")
            # prometheus_client answered its metrics on any path: a probe of /health looked fine (operations review).
            return _answer(
                start_response, "404 Not Found", "not found: this port answers /metrics, /healthz, /readyz\n"
            )

        return app

    def _health(self, environ: WSGIEnvironment, start_response: StartResponse, *, ready: bool) -> Iterable[bytes]:
        """/healthz: the process answers (restart it when it does not). /readyz: it takes calls (not once it is
        stopping: its listener is closed), its dialer is not held up by a newer schema (as the API's /readyz says
        of the same database) and its versions are current; neither is a reason to restart it, since calls go on
        with the versions it holds."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", "use GET\n", [("Allow", "GET, HEAD")])
        stale = self.stale_versions() if ready else None
        newer = self.dialer_schema_newer() if ready else None
        if ready and self.stopping:
            status, body = "503 Service Unavailable", {"status": "stopping"}
        elif newer is not None:
            status, body = "503 Service Unavailable", {"status": "schema newer than code", "dialer": newer}
        elif stale is None:
            status, body = "200 OK", {"status": "ready" if ready else "ok"}
        else:
            status, body = "503 Service Unavailable", {"status": "stale", "version_poll": stale}
        answer = _answer(start_response, status, json.dumps(body) + "\n", [("Content-Type", "application/json")])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else answer


def _answer(
    start_response: StartResponse, status: str, body: str, headers: list[tuple[str, str]] | None = None
) -> list[bytes]:
    encoded = body.encode()
    given = headers or []
    if not any(name == "Content-Type" for name, _ in given):
        given = [*given, ("Content-Type", "text/plain; charset=utf-8")]
    start_response(status, [*given, ("Content-Length", str(len(encoded)))])
    return [encoded]


class _MetricsHttpServer(ThreadingWSGIServer):
    """prometheus_client's threaded WSGI server, bound in the address family of its host (IPv6 for "::")."""

    def __init__(self, host: str, port: int) -> None:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        self.address_family = family
        super().__init__((str(address[0]), port), _QuietHandler)


class _QuietHandler(WSGIRequestHandler):
    # A client that never finishes its request lets its thread (and descriptor, shared with FastAGI's calls) go
    # after this long, instead of holding both for as long as it likes (security review, 2026-12-05).
    timeout = 10

    def log_message(self, format: str, *args: object) -> None:
        """A line per scrape would drown the node's log."""


def _serve_in_thread(app: WSGIApplication, host: str, port: int) -> None:
    server = _MetricsHttpServer(host, port)
    server.set_app(app)
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
