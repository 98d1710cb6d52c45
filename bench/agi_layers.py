"""Benchmark: where a FastAGI call's CPU goes, layer by layer, in one process with no sockets.

    .venv/bin/python -m bench.agi_layers [--calls 2000] [--rounds 7] [--layers bare,conn,chan,engine,full]
    .venv/bin/python -m bench.agi_layers --cold 4096 --calls 200 --rounds 8 --layers bare,full

The same five-command call as `bench/agi_load.py` (ANSWER, greeting, menu, goodbye, HANGUP), driven through
a fake transport that answers every command at once, with the layers added one at a time:
  bare    the floor of bench/agi_load.py: asyncio streams send the five lines and parse nothing
  conn    AgiConnection only: env block, five commands, half-close (the part bare asyncio streams also do)
  chan    + AgiChannel (answer, play, read_digits, hangup)
  engine  + the engine's walk of the bench scenario (CallRun, blocks, trace, speech through the product's TTS)
  full    the AgiServer as `ivrgraph agi` runs it (routing, call record, metrics, record writer)
Prints CPU microseconds per call (least and median of `--rounds`) and, with `bare`, each layer's median
ratio to it over paired rounds. Warm code in a tight loop: the real server runs each event cold, so
bench/agi_load.py's figures are several times these; the differences between layers are what this is for.

`--cold KIB` copies a buffer of that size (larger than a core's L2 cache) before every answer reaches the
server, so each one is handled on cold caches, as at 100 calls in bench/agi_load.py, where other processes
run between two wake-ups; the copies' own CPU is left out. User-space work only (no sockets, no kernel), and
in one process, so a ratio repeats within about 1 % over 8 rounds where bench/agi_load.py's moves 5-10 %:
the way to see whether a change to the per-command path moves the cold cost at all.

For exact, repeatable figures count instructions instead (valgrind; the difference of two runs removes
start-up):
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python -m bench.agi_layers --layers full --calls 100 --rounds 1   # then --calls 600
(run once without valgrind first after editing, so byte-code compilation is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Any

from bench.agi_load import ENV_HEAD, ENV_TAIL, SLUG, _reply, _start_ivrgraph, bare_session, bench_document

LAYERS = ("bare", "conn", "chan", "engine", "full")
_PROMPTS = [f"tts/{n:032x}" for n in range(3)]


class FakeTransport(asyncio.Transport):
    """Answers each command line on the next loop pass, like an Asterisk that plays nothing."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, protocol: asyncio.Protocol, n: int, ended: asyncio.Future[None]
    ) -> None:
        super().__init__()
        self._loop, self._protocol, self._n, self._closing, self._ended = loop, protocol, n, False, ended

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000 + self._n % 20000) if name == "peername" else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        for line in bytes(data).split(b"\n")[:-1]:
            self._loop.call_soon(_deliver, self._protocol, _reply(line + b"\n")[0])

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self._loop.call_soon(self._goodbye)

    def _goodbye(self) -> None:  # the captures' ending: a HANGUP line, then EOF
        _evict()
        self._protocol.data_received(b"HANGUP\n")
        if not self._closing and not self._protocol.eof_received():
            self.close()

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self._lost)

    def _lost(self) -> None:  # as asyncio's transports do: tell the protocol, then let go of it
        self._protocol.connection_lost(None)
        self._ended.set_result(None)

    def abort(self) -> None:
        self.close()


class _Eviction:
    """`--cold`: before each answer reaches the server, copy a buffer larger than this core's L2 cache, so the
    answer is handled on cold caches as in the real server at 100 calls, where other processes run between two
    wake-ups; the copy's own CPU time is measured and left out."""

    def __init__(self) -> None:
        self.source = bytearray(0)
        self.target = bytearray(0)
        self.spent = 0

    def size(self, nbytes: int) -> None:
        self.source, self.target = bytearray(b"x" * nbytes), bytearray(nbytes)


_eviction = _Eviction()


def _evict() -> None:
    if _eviction.source:
        before = time.process_time_ns()
        _eviction.target[:] = _eviction.source
        _eviction.spent += time.process_time_ns() - before


def _deliver(protocol: asyncio.Protocol, data: bytes) -> None:
    _evict()
    protocol.data_received(data)


async def _drive(factory: Callable[[], asyncio.Protocol], calls: int, concurrency: int = 100) -> None:
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with slots:
            protocol = factory()
            ended: asyncio.Future[None] = loop.create_future()
            _evict()
            protocol.connection_made(FakeTransport(loop, protocol, n, ended))
            protocol.data_received(ENV_HEAD.format(slug=SLUG, n=n).encode())
            _evict()
            protocol.data_received(ENV_TAIL.encode())
            await ended

    await asyncio.gather(*(one(n) for n in range(calls)))


async def _factories() -> dict[str, Callable[[], asyncio.Protocol]]:
    from agi_server.channel import AgiChannel
    from agi_server.connection import AgiConnection
    from agi_server.protocol import parse_env_block
    from agi_server.server import AgiServer
    from agi_server.watchdog import Watchdog
    from blocks import default_registry
    from graph_engine.channel import Prompt
    from graph_engine.document import parse_document
    from graph_engine.interpreter import CallRun

    loop = asyncio.get_running_loop()
    started: list[AgiServer] = []
    start = AgiServer.start

    async def keep(self: AgiServer) -> None:
        started.append(self)
        await start(self)

    AgiServer.start = keep  # type: ignore[method-assign]
    await _start_ivrgraph()  # the server bench/agi_load.py measures, with the product's TTS
    AgiServer.start = start  # type: ignore[method-assign]
    server = started[0]
    server.records._flush_interval = 0  # no wall-clock-dependent batching: repeatable instruction counts
    running: set[asyncio.Task[None]] = set()
    scenario, registry, watchdog = parse_document(bench_document()), default_registry(), Watchdog()
    commands = [
        ("ANSWER",),
        *(("STREAM FILE", f"ivrgraph/{p}", "0123456789*#" if i == 1 else "") for i, p in enumerate(_PROMPTS)),
        ("HANGUP",),
    ]

    async def conn(connection: AgiConnection) -> None:
        parse_env_block(await connection.read_env_block(5.0))
        for command in commands:
            await connection.command(*command)
        await connection.close()

    async def chan(connection: AgiConnection) -> None:
        parse_env_block(await connection.read_env_block(5.0))
        channel = AgiChannel(connection)
        await channel.answer()
        await channel.play(Prompt(audio=_PROMPTS[0]))
        await channel.read_digits(Prompt(audio=_PROMPTS[1]), timeout=5, max_digits=1, terminator="")
        await channel.play(Prompt(audio=_PROMPTS[2]))
        await channel.hangup()
        await connection.close()

    async def engine(connection: AgiConnection) -> None:
        parse_env_block(await connection.read_env_block(5.0))
        run = CallRun(
            scenario,
            channel=AgiChannel(connection),
            registry=registry,
            services=server.services,
            call_id="bench",
            facts={"caller_name": "Bench"},
            inputs={},
        )
        await run.run()
        await connection.close()

    def sessions(handler: Callable[[AgiConnection], Coroutine[Any, Any, None]]) -> Callable[[], asyncio.Protocol]:
        def on_connect(connection: AgiConnection, transport: asyncio.Transport) -> None:
            task = loop.create_task(handler(connection))
            running.add(task)  # a task nobody references may be collected mid-call
            task.add_done_callback(running.discard)

        return lambda: AgiConnection(on_connect=on_connect, watchdog=watchdog, loop=loop)

    def bare() -> asyncio.Protocol:
        return asyncio.StreamReaderProtocol(asyncio.StreamReader(loop=loop), bare_session, loop=loop)

    return {
        "bare": bare,
        "conn": sessions(conn),
        "chan": sessions(chan),
        "engine": sessions(engine),
        "full": server._new_connection,
    }


async def main_async(layers: list[str], calls: int, rounds: int) -> None:
    factories = await _factories()
    for layer in layers:
        await _drive(factories[layer], 200)  # warm-up: first-call caches, the TTS phrases rendered
    results: dict[str, list[float]] = {layer: [] for layer in layers}
    for _ in range(rounds):  # layers alternate, so a busy moment of the machine hits them alike
        for layer in layers:
            before, _eviction.spent = time.process_time_ns(), 0
            await _drive(factories[layer], calls)
            results[layer].append((time.process_time_ns() - before - _eviction.spent) / calls / 1e3)
    for layer in layers:
        runs = results[layer]
        print(f"{layer:7} {min(runs):7.1f} us/call (least of {rounds}), median {statistics.median(runs):7.1f}")
    if "bare" in layers:  # each round's layers ran one after the other: their ratios share the machine's moment
        for layer in layers:
            if layer != "bare":
                paired = [a / b for a, b in zip(results[layer], results["bare"], strict=True)]
                print(f"{layer:7} {statistics.median(paired):7.3f}x bare (median of {rounds} paired rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", default=",".join(LAYERS), help="comma list of: " + ", ".join(LAYERS))
    parser.add_argument("--calls", type=int, default=2000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per layer; the least CPU is reported")
    parser.add_argument("--cold", type=int, default=0, metavar="KIB", help="evict caches before each answer")
    args = parser.parse_args()
    if args.cold:
        _eviction.size(args.cold * 1024)
    layers = [layer for layer in args.layers.split(",") if layer]
    if unknown := set(layers) - set(LAYERS):
        parser.error(f"unknown layers: {', '.join(sorted(unknown))}")
    asyncio.run(main_async(layers, args.calls, args.rounds))


if __name__ == "__main__":
    main()
