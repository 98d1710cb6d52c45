"""Benchmark: block steps per second of the interpreter on the scripted channel, one core (target >= 20,000).

    .venv/bin/python -m bench.engine_bench [--calls 200] [--nodes 1000]

Each call walks a 1,000-node scenario pressing 1 at every menu: phrases (through the TTS stand-in), menus,
assignments and conditions, each step traced as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.scenarios import big_scenario
from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services


async def walk(calls: int, nodes: int) -> tuple[int, float, float]:
    registry = default_registry()
    scenario = parse_document(big_scenario(nodes))
    steps = 0
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for number in range(calls):
        channel = ScriptedChannel(["1"] * nodes)
        result = await run_call(
            scenario,
            channel,
            registry,
            Services(),
            call_id=f"bench-{number}",
            facts={"caller_id": "+34600000000", "caller_name": "Ana"},
            step_limit=10_000,
        )
        steps += len(result.steps)
    return steps, time.process_time() - cpu_start, time.perf_counter() - wall_start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--nodes", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(walk(5, args.nodes))  # warm the template and schema caches
    steps, cpu, wall = asyncio.run(walk(args.calls, args.nodes))
    rate = steps / cpu
    print(f"engine: {args.calls} calls, {steps} block steps ({steps // args.calls} per call)")
    print(f"  CPU {cpu:.2f} s, wall {wall:.2f} s -> {rate:,.0f} steps/s per core (CPU time)")
    print(f"  target >= 20,000 steps/s: {'met' if rate >= 20_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
