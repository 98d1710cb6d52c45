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
falls on both: the way to compare them on a shared machine (bench/NOTES.md, 2026-12-04 late).
`--profile FILE` writes a cProfile of our server.

Where it stands (2026-12-05, `--n 100,1000,2000 --prompt 1.0 --repeat 3 --together`): CPU per command, paired
medians, 1.43-1.56x bare at 100 calls, 1.36-1.40x at 1,000, 1.30-1.35x at 2,000, the same code in one day; at 100
calls, where every command wakes the server on cold caches, the figure follows the machine's state (1.43x freshly
booted, 1.56x after an hour and a half of test suites). Counted under valgrind (`--instructions`) the ratio is
1.36-1.46x (1.41x that day). p99 added latency under 1 ms at 1,000 calls, 6-10 KiB per idle call, no call dropped.
Every measurement and every attempt to lower the ratio, with its figures: bench/NOTES.md.
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
from typing import Any, Final

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
    from agi_server.process_limits import tune_collector_for_serving
    from agi_server.records import CallRecord
    from agi_server.scenarios import CachedScenarioSource, PublishedScenario
    from agi_server.server import AgiServer, AgiServerConfig, SystemClock
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
    media = tempfile.mkdtemp(prefix="ivrgraph-bench-media-")  # removed by finish(): a run starts several servers
    os.environ["IVRGRAPH_MEDIA_ROOT"] = media
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
    stall_watch = _stall_watch()  # and their event-loop watch: its heartbeats wake the loop twice a second

    async def finish() -> dict[str, int]:
        await server.stop()
        if stall_watch is not None:
            stall_watch.stop()
        shutil.rmtree(media, ignore_errors=True)
        return outcomes

    return server.port, finish


def _stall_watch() -> Any:
    """The nodes' event-loop watch, started; None in a checkout from before it (`--against`)."""
    try:
        from agi_server.loop_watch import LoopStallWatch
    except ImportError:
        return None
    watch = LoopStallWatch()
    watch.start()
    return watch


# The floor's five lines, the media names as long as the TTS cache's (tts/<32 hex digits>).
BARE_LINES: Final = (
    b"ANSWER\n",
    b'STREAM FILE "ivrgraph/tts/00000000000000000000000000000000" ""\n',
    b'STREAM FILE "ivrgraph/tts/00000000000000000000000000000001" "0123456789*#"\n',
    b'STREAM FILE "ivrgraph/tts/00000000000000000000000000000002" ""\n',
    b"HANGUP\n",
)


async def bare_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The floor: read the env block, send the same five commands one by one, half-close."""
    await reader.readuntil(b"\n\n")
    for line in BARE_LINES:
        writer.write(line)
        await writer.drain()
        await reader.readuntil(b"\n")
    writer.write_eof()
    while await reader.read(1024):
        pass
    writer.close()


async def _start_bare() -> tuple[int, Any]:
    done = {"ended": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await bare_session(reader, writer)
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
