"""Benchmark: N concurrent FastAGI calls against the ivrgraph server and against a bare asyncio responder.

    .venv/bin/python -m bench.agi_load [--n 100,1000,2000] [--prompt 3.0] [--ramp 2.0] [--repeat 3] [--together]
    .venv/bin/python -m bench.agi_load --instructions --prompt 1.0      # counted under valgrind, ~2 minutes
    .venv/bin/python -m bench.agi_load --n 100 --prompt 1.0 --repeat 10 --against ../before   # a change, timed

Each server runs in its own process (so its CPU and RSS are its own); this process plays Asterisk: for every
call it connects, sends a captured-shape env block in two segments, and answers each command after a
realistic delay (ANSWER/HANGUP ~0.2 ms like the captures, a prompt 0.5x..1.5x `--prompt` seconds, the menu
pressed '1'); calls arrive over `--ramp` seconds and first all wait on their greeting (the idle state).
The scenario: Start (ANSWER) -> Say Phrase -> IVR menu (STREAM FILE + all keys) -> Say Phrase -> Hang Up,
five commands; the bare responder sends the same five lines with no engine behind them.

Figures per N and server:
  calls/s            completed calls per second of the run (bounded by the scripted prompt times)
  added p50/p99      from our answer leaving to the server's next command arriving, i.e. what the server
                     adds per command on top of Asterisk (the bare responder's figure is the floor), once
                     all N calls are up; "ramp p99" is the same while the N calls are still arriving
  CPU/command        server process CPU time during the run / commands answered
  user               the user-space share of that CPU (the rest is the kernel's, running our syscalls)
  sleeps, preempt    per command, the times the server slept waiting for input (voluntary context switches)
                     and the times another process took its CPU mid-work (involuntary ones)
  faults             minor page faults per command: memory the server mapped in (kernel time)
  RSS/idle call      server RSS growth with N calls all waiting on a prompt, divided by N
Targets (issue 3): 2,000 concurrent calls; p99 added < 5 ms at 1,000 calls; CPU/command <= 1.5x bare;
RSS/idle call < 64 KiB; no call dropped or mis-recorded.

Fairness of the CPU comparison: both servers send the same five lines per call (ANSWER, STREAM FILE x3 with
the menu's twelve escape digits on the second, HANGUP; media names as long as the TTS cache's),
get the same answers from `_reply` after the same delays (drawn from the same distribution), and both
half-close and read the final HANGUP. The bare responder parses nothing (not the env block, not one result
line): it is the floor of asyncio streams on this machine, so the ratio charges ivrgraph for all it does
per call (env block, routing, the engine's walk and trace, metrics, the call record). CPU is the server
process's own (its CLOCK_PROCESS_CPUTIME_ID, all threads) over the run; on a shared machine the ratio moves by 10-15 %
from run to run: `--repeat 3` alternates the servers and compares the least CPU each needed. `--together`
loads both servers in the same window (N calls each, interleaved), so whatever else the machine does then
falls on both: the way to compare them on a shared machine (see the notes of 2026-12-04, late, below).
`--profile FILE` writes a cProfile of our server.

Measured on the shared 2-core dev VM, `--n 100,1000,2000 --prompt 1.0 --repeat 3`, speech through the
product's TTS service, records counted in memory, CPU read from the server's own clock. Four runs of
6f69537/254efb4 (2026-11-21): CPU per command 1.38-1.50x bare at N=1000, 1.42-1.54x at N=2000, 1.50-1.81x at
N=100 (1.89x, median 1.69x, in a `--n 100 --repeat 5` run). Two runs of 3d881e4/8ff0a1a (2026-11-22): 1.48x /
1.38x at N=1000, 1.53x / 1.49x at N=2000, 1.35x / 1.58x at N=100. One run of 636afcf (2026-12-03): 1.55x at
N=1000, 1.48x at N=2000, 1.54x at N=100 (1.72x, median 1.60x, in a `--n 100 --repeat 5` run of 9046a40 the
same day). p99 added latency 0.7-2.5 ms at N=1000 and 1.0-3.7 ms at N=2000 (one N=2000 run reached 5.9 ms), RSS
per idle call 6-10 KiB, no call dropped, every call recorded. So the 1.5x target is met in some runs and
missed in others, at every N. The sleeps and preempt columns show why N=100 differs. There
both servers sleep about once per command (0.8-1.1) and spend a like share of their CPU in user space
(74-89 %); ours is preempted more (0.8 vs 0.55 per command), in proportion to its longer runs. So the gap is
our Python work per command itself (user time 1.4-1.9x bare's), run cold after every sleep. At 1,000-2,000
calls ours sleeps less often per command than bare (0.42-0.66 vs 0.60-0.83: more answers taken per wake-up
by the Protocol-based session), which is what brings the ratio down there.

Tried on 2026-12-03 (first, `strace -c` on both servers at N=100: the same sendto, recvfrom, shutdown and
close per call, epoll_wait 6 % more often in ours, so the gap is in user space):
  - `--n 100 --repeat 5` with a fake Asterisk that cannot preempt the servers (this process under
    SCHED_BATCH): preemptions went from 0.55-0.85 to 0.00 per command, CPU per command did not move (1.53x).
    The co-located load is not the cause.
  - `--n 100 --repeat 5` with, as a bound, our server without the trace timestamps, the record's trace dict
    and the round-trip histogram (98,000 instructions a call fewer, -11 %): its CPU per command fell ~10 %, to
    1.53-1.58x. Instructions cut do move N=100 in proportion; a ratio clearly under 1.5x needs about twice
    that cut, features kept.
  - mypyc-compiling the engine, channel, connection, records and server modules: 124.6 against 125.8 us per
    call in bench/agi_layers.py (least of 5, warm), i.e. nothing worth a build step. Not looked into further.
  - `--n 100,1000 --repeat 3` with our server on uvloop: 1.41x at N=1000 and 1.22-1.54x at N=100 against the
    bare responder on asyncio's loop. That compares two event loops, so it does not count toward the target.
  - The whole benchmark on CPython 3.12.1 (pyenv has it; the project runs on 3.11): both servers slower, the
    ratio no better (1.60x at N=100, 1.36x at N=1000, 1.45x at N=2000).

Tried on 2026-12-04 (a51f7b7; that day's `--n 100,1000,2000 --repeat 3` gave 1.76x at N=100, 1.65x at N=1000
and 1.32x at N=2000, paired medians 1.73x / 1.52x / 1.38x, while a run of the same code an hour earlier gave 1.29x
at N=100 and 1.36x at N=1000: a single run decides nothing):
  - A session driver: the call's coroutine still ran in its Task, but `data_received` resumed it directly
    (the Task marked current, its context entered) instead of resolving a future, so each answer took one
    loop pass instead of two and one `epoll_wait` less. Measured in the same runs against the unchanged server
    (this module with a third server kind, 12 runs at N=100 in both orders): no difference; in
    bench/agi_layers.py +0.2 % instructions. Not kept: private asyncio calls for nothing measurable.
  - Calls back to back on each line (5 calls per line, ~17 s a run, calls starting and ending throughout):
    1.18-1.79x at N=100, median ~1.6x; per-run CPU varied as much as in the short runs, so the noise is
    between runs, not averaged away by longer ones.
  - What the figures fit: at N=100 our user-space CPU per command is ~1.78x bare's, the ratio of instructions
    per call in bench/agi_layers.py (880k against the 496k of the connection layer, which costs what bare
    streams cost), and kernel time per command is about equal. So the CPU ratio follows our instruction count:
    1.5x needs about 790k instructions a call, a margin below it about 730k, i.e. 90-150k fewer, features
    kept (the 2026-12-03 bound removed 98k with features lost).

Tried on 2026-12-04, afternoon (e73a8ba -> c3bbe61), counting instructions first (bench/agi_layers.py under
valgrind, `full`, three hash seeds each, noise about +-5k):
  - Kept, 894k -> 845k instructions a call (-5.5 %): IsoTimes bounds its cached second by comparison and
    formats microseconds from cached triples (-11k); trace steps built by `new_step` instead of the dataclass
    call (-7.5k); the block's run awaited in `CallRun.run` itself, no coroutine per step, and `trace_of` no
    longer copying the variables twice (-12k together); the first step stamped with the call's own timestamp
    (-4k); CallResult and CallRecord built positionally (-11k: a class call with keywords is CPython 3.11's
    slowest path).
  - Measured and dropped: a command writing its deadline without calling the watchdog (-1.6k); CallRun,
    BlockContext and AgiConnection built positionally (no change beyond the noise).
  - What is left, by ablation (the instructions a call drops when the part is stubbed out): the record's
    trace dicts 36k, the three spoken prompts 29k (template, TTS phrase cache, prompt), the seven trace
    timestamps 21k, the garbage collector 20k (`gc.disable()`), the round-trip histogram 6k.
  - The `faults` column (new): ours 0.4 minor page faults per command, bare 0.2, so at ~1-2 us each they
    are not the gap.
  - Four `--n 100,1000,2000 --repeat 3` runs after the cuts, two at 857k and two at 845k instructions (6
    paired runs each): paired median 1.53x and 1.76x at N=100, 1.46x and 1.42x at N=1000, 1.33x and 1.36x at
    N=2000 (single pairs 1.33-2.19x, 1.18-1.80x, 1.25-1.57x); one run of e73a8ba that morning gave 1.48x,
    1.37x and 1.37x. Within a day the bare responder's own CPU per command moved 100-171 us at N=100 and
    50-100 us at N=1000. At 1,000 and 2,000 calls the ratio sat under 1.5x in the paired median of every run
    of three repeats (a run of one repeat gave 1.62x at N=1000); at 100 calls it did not, and 5 % fewer
    instructions did not move N=100 measurably. At N=100 each command is one wake-up from sleep, and what a
    wake-up costs cold (ours touches several times the code and objects bare streams do) outweighs the
    instruction count; that needs a shorter path per command, not a cheaper one.

Counted instead of timed (`--instructions`, 2026-12-04 evening, c0a3c8d): the same load, each server process
under valgrind (cachegrind, hash seed fixed), loads of 100 and 300 calls, the difference divided by the
difference in commands. Without cache simulation, three runs: bare 144.7k/145.3k/145.7k instructions per
command, ours 209.2k/206.6k/210.0k: 1.42-1.45x. With it (what the mode runs now): bare 140.2k, ours 197.5k
(1.41x) on c0a3c8d, and on f8dc186 bare 138.7k, ours 195.6k (1.41x), then 1.46x in a third run; lower counts
than without the simulation, whose slower pace puts more answers in each wake-up, so fewer loop passes per
command. The same count (without cache simulation) for our AgiConnection alone, sending the same five commands,
was 143k against bare's 144k: our connection layer costs what bare asyncio streams cost, and the rest is what
ivrgraph adds. A count moves by up to 2 % between runs (how answers fall into wake-ups depends on timing), so
it shows the ratio, not a change of a few thousand instructions: bench/agi_layers.py is for those. The
simulated cache misses per command: first-level instruction misses 1.41x bare's and data misses 1.52x, but
last-level data misses 2.2-2.4x and instruction misses 2.7-3.5x over the three runs (ours 194-197 data and
11-12 instruction misses, bare 88-89 and 4, in the first two): the call's state (connection, walk, trace step,
variables) is spread over more memory than a stream's, and reaching it from a cold cache is what a wake-up at
N=100 pays on top of the instructions. Hence a CPU-time ratio that can sit well above the instruction ratio,
most of all at N=100, where each command is a wake-up; at N=1000 and 2000, where a wake-up takes several
answers, it sat below it in the afternoon's runs and above it in the evening's. The garbage collector is not
the gap: in the real server it ran 2 young collections in a whole N=100 run and 20 (plus one middle) at N=1000,
1-3 us per command. (bench/agi_layers.py made a reference cycle of its own per call, patching `connection_lost`
onto each protocol, which the collector then had to find; the harness now learns of the end from its fake
transport, and a call there counts ~831k instructions instead of ~845k for the same server code. `gc.disable()`
saves 11-18k of those, not the 20k above.) `strace -c` over a measured N=100 run: the same sendto, recvfrom,
shutdown, close and epoll_ctl counts in both, ours one getrandom per call (the call id) and 6 % more
epoll_wait.

Timed on 2026-12-04 evening (f8dc186), two runs of `--n 100,1000,2000 --prompt 1.0 --repeat 3`: paired medians
1.60x and 1.67x at N=100, 1.67x and 1.39x at N=1000, 1.52x and 1.60x at N=2000 (single pairs 0.91-2.54x,
1.37-1.84x, 1.47-1.74x); the bare responder needed 85-138 us per command at N=100 and 48-68 us at N=1000-2000,
less than in the afternoon (50-100 us at N=1000), and ours 126-216 us and 78-105 us. p99 added 0.46-1.35 ms,
RSS per idle call 5.8-9.5 KiB, no call dropped, every call recorded. So this evening the ratio missed 1.5x at
2,000 calls too, where the afternoon's runs met it: the counted ratio (1.41-1.46x) is the one that holds still, and
the timed one rises above it as the bare responder gets cheaper.

Timed together (`--together`, 2026-12-04 late, fd53433): run one after the other, a pair's ratio moved 0.9-2.5x,
because the bare responder's own CPU per command moved as much (85-182 us at N=100 within one run) with the
machine's other load. Pinning the fake Asterisk to one CPU and the server to the other (three runs of
`--repeat 3`) did not narrow it: pairs 1.25-1.78x, paired medians 1.42x, 1.77x and 1.71x at N=100 and 1.45x,
1.51x and 1.78x at N=1000; an unpinned run between them gave 1.74x and 1.65x. Loading both servers in the
same window did. Three runs of `--n 100,1000,2000 --prompt 1.0 --repeat 3 --together`, single pairs:
N=1000 1.38-1.45x, N=2000 1.32-1.38x, N=100 1.44-1.78x. Two runs of `--n 100 --repeat 5 --together`:
1.53-1.61x and 1.38-1.56x, paired medians 1.56x and 1.53x. Then (62f410f) the call-record writer's
interval went from 50 ms to 1 s: at 100 calls it had woken, and written a one-record batch, for nearly every
call. Old and new servers loaded together at N=100, 8 rounds each (what `--against` does now):
new/old 0.972x and 0.944x in two runs, where an old/old control gave 0.976x, so about 3-5 % less CPU per
command, at the edge of what this comparison resolves. The same comparison did not see a 4 % instruction cut
(the record's trace dicts stubbed out: 0.998x). After it: three `--n 100 --repeat 5 --together` runs, paired
medians 1.52x, 1.50x and 1.49x (pairs 1.36-1.71x), and two `--n 100,1000,2000 --repeat 3 --together` runs,
pairs 1.48-1.54x and 1.53-1.56x at N=100, 1.40-1.41x and 1.40-1.45x at N=1000, 1.34-1.36x and 1.34-1.35x
at N=2000; counted (`--instructions`) 1.36x on fd53433 and 1.41x on 52a3234 (a count moves by a few %).
So at 1,000 and 2,000 calls the target holds in every pair of every run (1.32-1.45x). At 100 calls, where
every command wakes the server from sleep on cold caches, ours needs 1.49-1.55x bare's CPU: at or just over the target,
not under it. That is the cold-cache penalty the counted misses predict (ours' per-command CPU doubles from
N=2000 to N=100, bare's grows by ~80 %). N=100 is a light load (the server is ~2 % busy); the figure still
counts, and it is what is left to meet. Where it goes, by the same comparison at N=100 (10 rounds, the
new server with one part stubbed out; the old/old control gave 0.976x): the whole engine walk replaced by
the same five channel calls 0.827x, so the walk is ~17 % of our CPU per command there; the per-step
timestamps and durations 0.963x; speech 0.978x; `BlockContext.play` returning the channel's coroutine (one
frame less per prompt) 0.991x; the record's trace dicts 0.998x; the call's task started only once the env
block is complete (one task pass less per call) 0.994x. Then, as changes rather than stubs: round trips
appended to a log per command and counted into the histogram in batches, 0.973x (10 rounds); that and the
watchdog's per-command call written out in `_send`, 0.982x (10 rounds) and 0.983x (20 rounds), with
bench/agi_layers.py counting the same instructions a call within its +-5k. Not kept: 1-2 %, at the edge of
what 20 rounds resolve, for a lock and a second way to set a deadline. No single part is more than a few percent:
at 100 calls the cost is spread over everything a command touches, as the cache-miss counts say.
Three ways around that, tried on 2026-12-04 (evening) with `--against` at N=100, and not kept:
  - Compiled to C with mypyc, every module a command runs through (the AgiConnection, protocol, watchdog,
    channel, server, records and metrics; the interpreter, block context and trace): 0.958x in 8 rounds, so
    ~4 % more CPU per command, not less (the connection layer alone compiled: 0.995x in 10). The byte code
    interpreted is not what a command's CPU follows at 100 calls.
  - The waiting task resumed inside `data_received`, through a Future-compatible object instead of an asyncio
    Future: no Handle, no `call_soon` and no second loop pass (`epoll_wait`) per command; all 500 answers of
    100 calls took that path: 1.019x in 10 rounds.
  - CPython 3.12.1 for both servers (a venv beside this one): paired medians 1.50x and 1.43x at N=100, 1.36x
    and 1.39x at N=1000 (`--n 100,1000 --repeat 3 --together`), as on 3.11.
  Two checks of the cause on the way: the bare responder in a process that had imported and built everything
  ours has (registry, scenario, TTS service, an idle ivrgraph server) needed 1.006x its usual CPU per command
  (6 rounds, loaded together), so the size of the process is not it; and `perf record -e cpu-clock -a` over the
  measured window alone (no hardware counters on this VM) put ours' excess in the interpreter (libpython
  samples 1.5x bare's) with kernel time near alike (1.2x), the user-space work run cold after each sleep.
  The head's own figures that evening (361596e; the machine slower than the day before, bare 153-164 us per
  command at N=100): `--n 100 --repeat 3 --together`, pairs 1.44-1.55x, paired median 1.50x; two runs of
  `--n 100,1000,2000 --repeat 3 --together`, N=100 paired medians 1.56x and 1.57x (pairs 1.47-1.60x), and in
  the second N=1000 1.36-1.42x, N=2000 1.35-1.40x.

Where the rest goes (valgrind instruction counts of an in-process call loop over a fake transport, the layers
built up one at a time, bench/agi_layers.py): the AgiConnection alone costs what bare asyncio streams cost; a
call was 1,046k instructions on the full server and is ~831k now (~845k before the harness's own cycle was
removed; the AgiConnection layer 480k, 484-496k before). Of what we add, the engine's walk (trace steps,
timestamps, speech, the block calls) is the largest part, then the server's call bookkeeping (record, trace
dicts, metrics, env facts). Every Python-level call on that path is ~2,000-5,000 instructions (a dataclass
built with a dozen fields ~5,500); the rest is spread thin over the ~130 we add to the transport's per call.
`--records sqlite` (the product's batch insert) adds ~110 us per call record.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import astuple, dataclass, field
from multiprocessing.connection import Connection
from typing import Any

ENV_HEAD = (
    "agi_network: yes\nagi_network_script: {slug}\nagi_request: agi://127.0.0.1:4573/{slug}\n"
    "agi_channel: Local/bench@caller-{n:08x};1\nagi_language: en\nagi_type: Local\nagi_uniqueid: 1795295104.{n}\n"
    "agi_version: 22-branch-g69535d4837\nagi_callerid: 5551234\nagi_calleridname: Bench\nagi_callingpres: 0\n"
    "agi_callingani2: 0\nagi_callington: 0\nagi_callingtns: 0\nagi_dnid: unknown\nagi_rdnis: unknown\n"
    "agi_context: ivr-in\n"
)
ENV_TAIL = "agi_extension: 1001\nagi_priority: 7\nagi_enhanced: 0.0\nagi_accountcode: \nagi_threadid: 1401\n\n"
COMMANDS_PER_CALL = 5
SLUG = "bench"


def bench_document() -> dict[str, Any]:
    def node(node_id: str, node_type: str, **config: Any) -> dict[str, Any]:
        return {"id": node_id, "type": node_type, "version": 1, "config": config}

    return {
        "format": "ivrgraph.scenario/1",
        "name": "Bench",
        "nodes": [
            node("start", "start"),
            node("hello", "say_phrase", text="Hello {{ caller_name }}"),
            node("menu", "ivr", prompt={"text": "Press one"}, options=[{"key": "1"}], timeout=5),
            node("bye", "say_phrase", text="Goodbye"),
            node("end", "hangup"),
        ],
        "edges": [
            {"id": "a", "source": "start", "exit": "next", "target": "hello"},
            {"id": "b", "source": "hello", "exit": "next", "target": "menu"},
            {"id": "c", "source": "menu", "exit": "1", "target": "bye"},
            {"id": "d", "source": "bye", "exit": "next", "target": "end"},
        ],
    }


# -- the two servers, each in its own process -------------------------------------------------------------


def _serve(kind: str, pipe: Connection, profile: str | None = None, records: str = "memory") -> None:
    kind, _, tree = kind.partition("@")
    if tree:  # "ivrgraph@TREE": the server of another checkout (nothing of the product is imported yet)
        sys.path.insert(0, os.path.abspath(tree))
    if profile is None or kind != "ivrgraph":
        asyncio.run(_serve_async(kind, pipe, records))
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(asyncio.run, _serve_async(kind, pipe, records))
    profiler.dump_stats(profile)


async def _serve_async(kind: str, pipe: Connection, records: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_request() -> None:  # "cpu": this process's CPU so far (a `_Cpu`); "stop": finish and report
        if pipe.recv() == "cpu":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            pipe.send(
                _Cpu(
                    time.process_time(),
                    usage.ru_utime,
                    usage.ru_stime,
                    usage.ru_nvcsw,
                    usage.ru_nivcsw,
                    usage.ru_minflt,
                )
            )
        else:
            stop.set()

    loop.add_reader(pipe.fileno(), on_request)
    if kind == "ivrgraph":
        port, finish = await _start_ivrgraph(records)
    else:
        port, finish = await _start_bare()
    pipe.send(port)
    await stop.wait()
    loop.remove_reader(pipe.fileno())
    pipe.send(await finish())


async def _start_ivrgraph(records: str = "memory") -> tuple[int, Any]:
    from agi_server.node import speech
    from agi_server.records import CallRecord
    from agi_server.scenarios import CachedScenarioSource, PublishedScenario
    from agi_server.server import AgiServer, AgiServerConfig, SystemClock, tune_collector_for_serving
    from blocks import default_registry
    from graph_engine.document import parse_document
    from graph_engine.services import Services

    outcomes: dict[str, int] = {}
    database_writer: Any = None
    if records == "sqlite":  # the product's writer: batch inserts into a SQLite file, in a worker thread
        from persistence.calls import CallRecordWriter
        from persistence.db import Database
        from persistence.migrate import upgrade

        url = f"sqlite:///{tempfile.mkdtemp(prefix='ivrgraph-bench-db-')}/calls.db"
        upgrade(url)
        database_writer = CallRecordWriter(Database(url))

    async def write_batch(batch: list[CallRecord]) -> None:
        if database_writer is not None:
            await database_writer(batch)
        for record in batch:
            outcomes[record.outcome] = outcomes.get(record.outcome, 0) + 1

    # Speech as `ivrgraph serve` wires it: the voice package's TTS service (espeak-ng, its phrase cache under a
    # media root of its own). The warm-up calls render the two phrases; measured calls hit the cache.
    os.environ["IVRGRAPH_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="ivrgraph-bench-media-")
    source = CachedScenarioSource()
    source.publish(PublishedScenario(SLUG, 1, parse_document(bench_document())))
    server = AgiServer(
        AgiServerConfig(port=0, max_calls=10_000, backlog=4096, shutdown_deadline=5.0),
        source=source,
        registry=default_registry(),
        services=Services(clock=SystemClock(), tts=speech()),
        write_batch=write_batch,
    )
    await server.start()
    tune_collector_for_serving()  # as `ivrgraph agi` and `ivrgraph serve` do once started

    async def finish() -> dict[str, int]:
        await server.stop()
        return outcomes

    return server.port, finish


async def _start_bare() -> tuple[int, Any]:
    """The floor: read the env block, send the same five commands one by one, half-close."""
    lines = [  # the media names as long as the TTS cache's (tts/<32 hex digits>)
        b"ANSWER\n",
        b'STREAM FILE "ivrgraph/tts/00000000000000000000000000000000" ""\n',
        b'STREAM FILE "ivrgraph/tts/00000000000000000000000000000001" "0123456789*#"\n',
        b'STREAM FILE "ivrgraph/tts/00000000000000000000000000000002" ""\n',
        b"HANGUP\n",
    ]
    done = {"ended": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        for line in lines:
            writer.write(line)
            await writer.drain()
            await reader.readuntil(b"\n")
        writer.write_eof()
        while await reader.read(1024):
            pass
        writer.close()
        done["ended"] += 1

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)

    async def finish() -> dict[str, int]:
        server.close()
        return done

    return server.sockets[0].getsockname()[1], finish


@dataclass(frozen=True)
class _Cpu:
    """The server process's CPU, as it reads it itself. `seconds` (all threads, user and system) is the
    kernel's own nanosecond count, where /proc/<pid>/stat gives 10 ms ticks (±1 tick was ±10 % at N=100);
    the user/system split is the kernel's tick-sampled one, so only its share is meaningful. Voluntary
    context switches are the times the process slept waiting for input, involuntary ones the times another
    process (here, most often the fake Asterisk it just wrote to) took its CPU while it was still running."""

    seconds: float
    user: float
    system: float
    slept: int
    preempted: int
    faulted: int  # minor page faults: memory the process touched for the first time (or again, after returning it)

    def __sub__(self, other: _Cpu) -> _Cpu:
        return _Cpu(*(now - before for now, before in zip(astuple(self), astuple(other), strict=True)))


async def _cpu_reading(pipe: Connection) -> _Cpu:
    pipe.send("cpu")
    value: _Cpu = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    return value


def _rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


# -- instructions per command: the same load with each server under valgrind ----------------------------

# The simulated caches: 32 KiB first-level caches and a 1 MiB last level, about the share of a shared VM's
# caches one process keeps between two wake-ups. A model, not the machine: its misses show how far apart in
# memory each server's work per command lies, which is what a wake-up on cold caches pays for.
_CACHES = "--I1=32768,8,64 --D1=32768,8,64 --LL=1048576,16,64"
_COUNTER = re.compile(r"^==\d+== (I|I1|LLi|D|D1|LLd) +(refs|misses): +([\d,]+)")
COUNTERS = ("I refs", "I1 misses", "LLi misses", "D refs", "D1 misses", "LLd misses")


def _valgrind_executable(folder: str) -> str:
    """A stand-in for the Python executable that runs the server process under cachegrind, its summary in
    `folder/vg.<pid>`, with a fixed hash seed so that runs repeat."""
    script = os.path.join(folder, "python-under-valgrind")
    with open(script, "w") as out:
        out.write(
            "#!/bin/sh\n"
            f"PYTHONHASHSEED=0 exec valgrind --tool=cachegrind --cache-sim=yes {_CACHES} "
            f'--cachegrind-out-file=/dev/null --log-file={folder}/vg.%p "{sys.executable}" "$@"\n'
        )
    os.chmod(script, 0o755)
    return script


def _counted(folder: str) -> dict[str, int]:
    """The server's counters: the log with the most instructions (multiprocessing's resource tracker runs
    under valgrind too)."""
    logs = []
    for log_name in (name for name in os.listdir(folder) if name.startswith("vg.")):
        counters = {}
        with open(os.path.join(folder, log_name)) as log_file:
            for line in log_file:
                if match := _COUNTER.match(line):
                    counters[f"{match[1]} {match[2]}"] = int(match[3].replace(",", ""))
        logs.append(counters)
    if not any(logs):
        raise RuntimeError(f"valgrind wrote no counts in {folder}")
    return max(logs, key=lambda counters: counters.get("I refs", 0))


async def counted_per_command(
    kind: str, ns: tuple[int, int], prompt: float, ramp: float
) -> tuple[dict[str, float], int]:
    """The server process's instructions, data reads and writes, and simulated cache misses per command, and
    the commands counted: two loads of different sizes, each in a fresh server process under valgrind, their
    counts' difference divided by their commands' (start-up and warm-up cancel out). Unlike CPU time, these
    do not move with what else the machine runs: they are what each server's own code costs."""
    runs = []
    for n in ns:
        with tempfile.TemporaryDirectory(prefix="ivrgraph-bench-vg-") as folder:
            multiprocessing.set_executable(_valgrind_executable(folder))
            try:
                figures = await run_load(kind, n, prompt, ramp)
            finally:
                multiprocessing.set_executable(sys.executable)
            runs.append((_counted(folder), figures.commands))
    (small, small_commands), (large, large_commands) = runs
    commands = large_commands - small_commands
    return {name: (large[name] - small[name]) / commands for name in COUNTERS}, commands


# -- the fake Asterisk side ------------------------------------------------------------------------------


@dataclass
class Load:
    gaps: list[float] = field(default_factory=list)  # answer sent -> next command received, seconds (steady)
    ramp_gaps: list[float] = field(default_factory=list)  # the same while calls still arrive
    commands: int = 0
    completed: int = 0
    failed: int = 0
    holding: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)


def _reply(line: bytes) -> tuple[bytes, float, bool]:
    """(response, delay key, is a prompt) for one command line."""
    if line.startswith(b"STREAM FILE"):
        key = b'"0123456789*#"' in line
        return (b"200 result=49 endpos=4000\n" if key else b"200 result=0 endpos=8000\n"), 0.0, True
    if line.startswith(b"HANGUP"):
        return b"200 result=1\n", 0.0002, False
    return b"200 result=0\n", 0.0002, False


async def one_call(port: int, n: int, load: Load, prompt: float, hold_first_prompt: bool) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        load.failed += 1
        return
    try:
        writer.write(ENV_HEAD.format(slug=SLUG, n=n).encode())
        await asyncio.sleep(0)
        writer.write(ENV_TAIL.encode())
        sent_at: float | None = None
        held = False
        while True:
            line = await reader.readline()
            if not line:  # the server half-closed: final HANGUP, then close (every transcript's ending)
                writer.write(b"HANGUP\n")
                load.completed += 1
                break
            now = time.perf_counter()
            if sent_at is not None:
                (load.gaps if load.release.is_set() else load.ramp_gaps).append(now - sent_at)
            load.commands += 1
            response, delay, is_prompt = _reply(line)
            if is_prompt and hold_first_prompt and not held:
                held = True
                load.holding += 1
                await load.release.wait()
            # Prompts of different lengths (0.5x..1.5x): real calls do not answer in lockstep.
            await asyncio.sleep(prompt * random.uniform(0.5, 1.5) if is_prompt else delay)
            writer.write(response)
            sent_at = time.perf_counter()
    except (OSError, asyncio.IncompleteReadError):
        load.failed += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


@dataclass
class Figures:
    kind: str
    n: int
    calls_per_second: float
    p50_ms: float
    p99_ms: float
    ramp_p99_ms: float
    cpu_per_command_us: float
    user_share: float  # of the CPU above, the part in user space (the rest is the kernel's, for our syscalls)
    sleeps_per_command: float  # times the server slept waiting for input, per command
    preempted_per_command: float  # times another process took the server's CPU mid-work, per command
    faults_per_command: float  # minor page faults per command (kernel time spent mapping memory in)
    rss_per_idle_call_kib: float
    completed: int
    failed: int
    recorded: dict[str, int]
    commands: int = 0


async def run_load(
    kind: str, n: int, prompt: float, ramp: float, profile: str | None = None, records: str = "memory"
) -> Figures:
    return (await run_loads((kind,), n, prompt, ramp, profile, records))[0]


@dataclass
class _Server:
    kind: str
    process: Any  # a multiprocessing Process
    pipe: Connection
    port: int
    pid: int


async def run_loads(
    kinds: tuple[str, ...], n: int, prompt: float, ramp: float, profile: str | None = None, records: str = "memory"
) -> list[Figures]:
    """N calls against each server in `kinds`. With several, they run at the same time, the calls to each
    arriving interleaved, so that whatever else the machine does in that window falls on all of them."""
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    servers = []
    for kind in kinds:
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(kind, child, profile, records), daemon=True)
        process.start()
        port = await loop.run_in_executor(None, parent.recv)
        assert process.pid is not None
        servers.append(_Server(kind, process, parent, port, process.pid))
    # Warm up (imports, first-call caches) so the RSS baseline is the server's steady state.
    for server in servers:
        warm = Load()
        await asyncio.gather(*(one_call(server.port, i, warm, 0.001, False) for i in range(20)))
    await asyncio.sleep(0.2)
    rss_before = [_rss_bytes(server.pid) for server in servers]

    loads = [Load() for _ in servers]
    cpu_before = [await _cpu_reading(server.pipe) for server in servers]
    started = time.perf_counter()
    tasks = []
    for i in range(n):
        for server, load in zip(servers, loads, strict=True):
            tasks.append(asyncio.create_task(one_call(server.port, 1000 + i, load, prompt, True)))
        if ramp and i % 50 == 49:
            await asyncio.sleep(ramp * 50 / n)
    while any(load.holding + load.failed < n for load in loads):  # every call waits on its first prompt: idle
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    rss_idle = [_rss_bytes(server.pid) for server in servers]
    for load in loads:
        load.release.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    cpus = [await _cpu_reading(server.pipe) - before for server, before in zip(servers, cpu_before, strict=True)]
    figures = []
    for server, load, cpu, before, idle in zip(servers, loads, cpus, rss_before, rss_idle, strict=True):
        server.pipe.send("stop")
        recorded = await loop.run_in_executor(None, server.pipe.recv)
        server.process.join(10)
        figures.append(_figures(server.kind, n, load, cpu, elapsed, max(0, idle - before), recorded))
    return figures


def _figures(kind: str, n: int, load: Load, cpu: _Cpu, elapsed: float, rss_growth: int, recorded: Any) -> Figures:
    gaps = sorted(load.gaps)
    commands = max(1, load.commands)
    quantiles = statistics.quantiles(gaps, n=100) if len(gaps) > 1 else [0.0] * 99
    ramp_quantiles = statistics.quantiles(load.ramp_gaps, n=100) if len(load.ramp_gaps) > 1 else [0.0] * 99
    return Figures(
        kind=kind,
        n=n,
        calls_per_second=load.completed / elapsed,
        p50_ms=statistics.median(gaps) * 1000 if gaps else 0.0,
        p99_ms=quantiles[98] * 1000,
        ramp_p99_ms=ramp_quantiles[98] * 1000,
        cpu_per_command_us=cpu.seconds / commands * 1e6,
        user_share=cpu.user / (cpu.user + cpu.system) if cpu.user + cpu.system else 0.0,
        sleeps_per_command=cpu.slept / commands,
        preempted_per_command=cpu.preempted / commands,
        faults_per_command=cpu.faulted / commands,
        rss_per_idle_call_kib=rss_growth / n / 1024,
        completed=load.completed,
        failed=load.failed,
        recorded=recorded,
        commands=load.commands,
    )


def _print(figures: list[Figures]) -> None:
    print(
        f"{'server':9} {'N':>5} {'calls/s':>8} {'added p50':>10} {'p99':>8} {'ramp p99':>9} {'CPU/cmd':>9} "
        f"{'user':>5} {'sleeps':>6} {'preempt':>7} {'faults':>6} {'RSS/idle':>9}  calls"
    )
    for f in figures:
        print(
            f"{f.kind:9} {f.n:5d} {f.calls_per_second:8.1f} {f.p50_ms:8.2f}ms {f.p99_ms:6.2f}ms {f.ramp_p99_ms:7.2f}ms "
            f"{f.cpu_per_command_us:7.0f}us {f.user_share:5.0%} {f.sleeps_per_command:6.2f} "
            f"{f.preempted_per_command:7.2f} {f.faults_per_command:6.2f} {f.rss_per_idle_call_kib:6.1f}KiB  "
            f"{f.completed} done, {f.failed} failed, records {f.recorded}"
        )


async def main_async(
    ns: list[int],
    prompt: float,
    ramp: float,
    profile: str | None = None,
    repeat: int = 1,
    records: str = "memory",
    together: bool = False,
) -> list[Figures]:
    results = []
    for n in ns:
        for _ in range(repeat):  # bare and ours alternate, so a busy moment of the machine hits both alike
            if together:
                runs = await run_loads(("bare", "ivrgraph"), n, prompt, ramp, profile, records)
            else:
                runs = [await run_load(kind, n, prompt, ramp, profile, records) for kind in ("bare", "ivrgraph")]
            for figures in runs:
                results.append(figures)
                _print([figures])
            sys.stdout.flush()
    return results


async def compare_trees(
    ns: list[int], prompt: float, ramp: float, repeat: int, other_tree: str, records: str = "memory"
) -> None:
    """This checkout's server against another checkout's, loaded together, the order swapped every round
    (the one started first comes out a little cheaper). Prints this one's CPU per command over the other's."""
    theirs = f"ivrgraph@{other_tree}"
    for n in ns:
        ratios = []
        for round_number in range(repeat):
            kinds = ("ivrgraph", theirs) if round_number % 2 else (theirs, "ivrgraph")
            by_kind = {f.kind: f for f in await run_loads(kinds, n, prompt, ramp, records=records)}
            ours, other = by_kind["ivrgraph"], by_kind[theirs]
            ratios.append(ours.cpu_per_command_us / other.cpu_per_command_us)
            print(
                f"N={n} round {round_number + 1}: this tree {ours.cpu_per_command_us:.0f} us/command, "
                f"{other_tree} {other.cpu_per_command_us:.0f} us: {ratios[-1]:.3f}x"
            )
            sys.stdout.flush()
        print(
            f"N={n}: this tree / {other_tree}: median {statistics.median(ratios):.3f}x "
            f"({min(ratios):.3f}-{max(ratios):.3f}x over {len(ratios)} rounds)"
        )


async def _print_counts(prompt: float, ramp: float) -> None:
    counts = {}
    print(f"{'server':9} " + " ".join(f"{name:>11}" for name in COUNTERS) + "  per command")
    for kind in ("bare", "ivrgraph"):
        counts[kind], commands = await counted_per_command(kind, (100, 300), prompt, ramp)
        print(f"{kind:9} " + " ".join(f"{counts[kind][name]:11,.0f}" for name in COUNTERS) + f"  ({commands} counted)")
        sys.stdout.flush()
    ratios = (counts["ivrgraph"][name] / counts["bare"][name] if counts["bare"][name] else 0.0 for name in COUNTERS)
    print(f"{'ours/bare':9} " + " ".join(f"{ratio:10.2f}x" for ratio in ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", default="100,1000,2000", help="comma list of concurrent call counts")
    parser.add_argument("--prompt", type=float, default=3.0, help="mean seconds a prompt plays (STREAM FILE)")
    parser.add_argument("--ramp", type=float, default=2.0, help="seconds over which the N calls arrive")
    parser.add_argument(
        "--records",
        choices=("memory", "sqlite"),
        default="memory",
        help="where our server writes call records: counted in memory (the server's own cost, the default), or "
        "the product's batch insert into a SQLite file",
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="load both servers at the same time (N calls each, interleaved) instead of one after the other",
    )
    parser.add_argument(
        "--against",
        metavar="TREE",
        help="instead of the bare responder, compare this checkout's server with the one of another checkout "
        "(e.g. a `git worktree` of the commit before a change), both loaded together",
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the ivrgraph server into FILE (slows it down)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per N and server; the summary takes the least CPU")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="instead of timing, count each server's instructions and simulated cache misses per command under "
        "valgrind (loads of 100 and 300 calls; about two minutes)",
    )
    args = parser.parse_args()
    if args.instructions:
        if shutil.which("valgrind") is None:  # the server process would never start, and the run would hang
            parser.error("--instructions needs valgrind (apt-get install valgrind)")
        asyncio.run(_print_counts(args.prompt, args.ramp))
        return
    ns = [int(n) for n in args.n.split(",") if n]
    if args.against:
        if args.profile:  # both servers are "ivrgraph": they would write one file over the other
            parser.error("--profile does not go with --against")
        asyncio.run(compare_trees(ns, args.prompt, args.ramp, args.repeat, args.against, args.records))
        return
    results = asyncio.run(
        main_async(ns, args.prompt, args.ramp, args.profile, args.repeat, args.records, args.together)
    )
    print("\nsummary")
    _print(results)
    for n in ns:
        # With --repeat, the least CPU each server needed: other load on the machine only ever adds.
        runs = {kind: [f for f in results if f.n == n and f.kind == kind] for kind in ("ivrgraph", "bare")}
        ours = min(runs["ivrgraph"], key=lambda f: f.cpu_per_command_us)
        bare = min(runs["bare"], key=lambda f: f.cpu_per_command_us)
        ratio = ours.cpu_per_command_us / bare.cpu_per_command_us if bare.cpu_per_command_us else float("inf")
        # Each of our runs against the bare run just before it: a busy spell of the machine hits both.
        pairs = [
            f.cpu_per_command_us / b.cpu_per_command_us for b, f in zip(runs["bare"], runs["ivrgraph"], strict=True)
        ]
        print(
            f"N={n}: ivrgraph p99 added {ours.p99_ms:.2f} ms (bare {bare.p99_ms:.2f} ms), "
            f"CPU/command {ratio:.2f}x bare (least CPU of each; median of {len(pairs)} paired runs "
            f"{statistics.median(pairs):.2f}x), RSS/idle call {ours.rss_per_idle_call_kib:.1f} KiB, "
            f"dropped {ours.failed}, recorded {sum(ours.recorded.values())}/{ours.completed}"
        )


if __name__ == "__main__":
    main()
