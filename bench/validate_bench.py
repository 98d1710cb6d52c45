"""Benchmark: validating a 1,000-node scenario (target: under 100 ms). Prints figures; not a test.

.venv/bin/python -m bench.validate_bench [--nodes 1000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.scenarios import big_scenario
from blocks import default_registry
from graph_engine.validation import validate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    registry = default_registry()
    document = big_scenario(args.nodes)
    first_start = time.perf_counter()
    issues = validate(document, registry)
    first = (time.perf_counter() - first_start) * 1000
    assert not [i for i in issues if i.severity == "error"], issues[:3]
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        validate(document, registry)
        timings.append((time.perf_counter() - start) * 1000)
    print(f"validate: {len(document['nodes'])} nodes, {len(document['edges'])} edges, {len(issues)} issues")
    fresh = []
    for round_number in range(5):  # documents whose phrases this process has never parsed
        novel = big_scenario(args.nodes)
        for node in novel["nodes"]:
            if node["type"] == "say_phrase":
                node["config"]["text"] += f" (variante {round_number})"
        start = time.perf_counter()
        validate(novel, registry)
        fresh.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"  first run in a fresh process: {first:.1f} ms (includes compiling the schemas once per process)")
    print(f"  a new document (unseen phrases): median {statistics.median(fresh):.1f} ms, max {max(fresh):.1f} ms")
    print(f"  warm: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms over {args.repeat} runs")
    print(f"  target < 100 ms (warm p95): {'met' if p95 < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
