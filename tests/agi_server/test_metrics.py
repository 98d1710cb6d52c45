"""The hand-kept figures export exactly what prometheus_client's own Histogram/Counter/Gauge would."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from agi_server.metrics import RTT_BUCKETS, AgiMetrics


def _samples(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_round_trip_histogram_matches_prometheus_client() -> None:
    ours = AgiMetrics()
    reference_registry = CollectorRegistry()
    reference = Histogram(
        "ivrgraph_agi_round_trip_seconds", "x", ["command"], buckets=RTT_BUCKETS, registry=reference_registry
    )
    # Bucket bounds themselves belong to their bucket (le = "less or equal").
    values = [0.0001, 0.0005, 0.0007, 0.001, 0.003, 0.2, 1.0, 200.0]
    for value in values:
        ours.observe_round_trip("STREAM FILE", value)
        reference.labels("STREAM FILE").observe(value)
    ours.observe_round_trip("ANSWER", 0.0002)
    reference.labels("ANSWER").observe(0.0002)
    expected = _samples(generate_latest(reference_registry).decode(), "ivrgraph_agi_round_trip_seconds_")
    got = _samples(ours.exposition().decode(), "ivrgraph_agi_round_trip_seconds_")
    expected = [line for line in expected if "_created" not in line]
    assert sorted(got) == sorted(expected)


def test_calls_and_active_calls() -> None:
    metrics = AgiMetrics()
    metrics.call_started()
    metrics.call_started()
    metrics.call_ended()
    metrics.call_finished("ended")
    metrics.call_finished("ended")
    metrics.call_finished("hung_up")
    text = metrics.exposition().decode()
    assert "ivrgraph_agi_active_calls 1.0" in text
    assert 'ivrgraph_agi_calls_total{outcome="ended"} 2.0' in text
    assert 'ivrgraph_agi_calls_total{outcome="hung_up"} 1.0' in text
    assert metrics.active_calls == 1 and metrics.calls_by_outcome() == {"ended": 2, "hung_up": 1}
