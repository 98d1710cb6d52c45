"""Prometheus metrics of the FastAGI server, in their own registry so tests and several servers never clash.

The per-command and per-call figures (round-trip histogram, active calls, calls by outcome) are plain ints
and floats the event loop bumps, exported by a collector when Prometheus scrapes: a `prometheus_client`
Histogram takes a lock and walks its buckets on every observe, which cost a measurable part of the CPU per
command (bench/agi_load.py). Rare events (refusals, errors, dropped records) stay ordinary Counters.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Final, Protocol

from prometheus_client import CollectorRegistry, Counter, generate_latest, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from agi_server.errors import CannotListen

# Round trips on loopback are ~0.15 ms; blocking commands (prompts, digits, Dial) take seconds.
RTT_BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0)
_BUCKET_LABELS: Final = (*(str(bound) for bound in RTT_BUCKETS), "+Inf")


# Metrics answer on loopback unless told otherwise: the FastAGI address faces the Asterisk hosts, and the
# metrics port is not behind their allow-list.
METRICS_HOST: Final = "127.0.0.1"


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
        for outcome, count in sorted(dict(self.calls).items()):
            calls.add_metric([outcome], count)
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


class _DialerFigures(Collector):
    """The dialer's state at scrape time: an alert on `ivrgraph_dialer_stopped` is how an operator learns that
    AMI refused the login on a reconnect (a secret changed on the Asterisk side), after which no callback is
    dialled until the node restarts; the log says it once."""

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
            "ivrgraph_dialer_active_lines", "Outbound calls being dialled or talking", value=dialer.active_lines
        )


class AgiMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._hot = _HotFigures()
        self.registry.register(self._hot)
        self.refused = Counter(
            "ivrgraph_agi_refused_connections",
            "Connections refused before a call ran",
            ["reason"],
            registry=self.registry,
        )
        self.errors = Counter("ivrgraph_agi_errors", "Errors by kind", ["kind"], registry=self.registry)
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
        """Export the callback dialer's state with these metrics (one dialer per process)."""
        self.registry.register(_DialerFigures(dialer))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, port: int, host: str = METRICS_HOST) -> None:
        """Answer Prometheus on http://host:port/metrics from a thread of its own."""
        try:
            start_http_server(port, addr=host, registry=self.registry)
        except OSError as error:
            raise CannotListen("metrics", host, port, error) from error
