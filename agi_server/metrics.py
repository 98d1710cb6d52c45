"""Prometheus metrics of the FastAGI server, in their own registry so tests and several servers never clash."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Round trips on loopback are ~0.15 ms; blocking commands (prompts, digits, Dial) take seconds.
_RTT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0)


class AgiMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.active_calls = Gauge("ivrgraph_agi_active_calls", "Calls being walked now", registry=self.registry)
        self.calls = Counter("ivrgraph_agi_calls", "Finished calls by outcome", ["outcome"], registry=self.registry)
        self.refused = Counter(
            "ivrgraph_agi_refused_connections",
            "Connections refused before a call ran",
            ["reason"],
            registry=self.registry,
        )
        self.round_trip = Histogram(
            "ivrgraph_agi_round_trip_seconds",
            "AGI command round trip",
            ["command"],
            buckets=_RTT_BUCKETS,
            registry=self.registry,
        )
        self._round_trip_children: dict[str, Histogram] = {}
        self.errors = Counter("ivrgraph_agi_errors", "Errors by kind", ["kind"], registry=self.registry)
        self.records_dropped = Counter(
            "ivrgraph_agi_call_records_dropped", "Call records that could not be written", registry=self.registry
        )

    def observe_round_trip(self, command: str, seconds: float) -> None:
        # labels() takes a lock and builds a key on every call; commands are a small fixed set, so keep children.
        child = self._round_trip_children.get(command)
        if child is None:
            child = self._round_trip_children[command] = self.round_trip.labels(command)
        child.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
