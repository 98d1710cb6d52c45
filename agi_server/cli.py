"""`ivrgraph agi`: a FastAGI-only node (for extra nodes behind `hagi://` SRV records).

    ivrgraph agi --host 0.0.0.0 --port 4573 --allow 10.0.0.0/8 --scenarios ./scenarios --metrics-port 9573

Scenarios come from a folder of `<slug>.json` files for now (`scenario_source`); `ivrgraph serve` passes the
database source to `run_agi` instead. SIGTERM and SIGINT stop accepting, let calls finish up to the
shutdown deadline, cancel the rest (their partial traces are kept) and flush the call records.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agi_server.channel import ChannelSettings
from agi_server.records import WriteBatch
from agi_server.scenarios import ScenarioSource, SourceLoader, folder_source
from agi_server.server import AgiServer, AgiServerConfig, SystemClock
from graph_engine.services import Services

log = logging.getLogger(__name__)


def scenario_source(args: argparse.Namespace) -> ScenarioSource:
    """Where scenarios come from. The API engineer replaces this with the published-scenarios table."""
    return folder_source(Path(args.scenarios))


def default_services(source: ScenarioSource) -> Services:
    """A real clock, the voice package's TTS when it is installed, Go To Scenario through `source`."""
    services = Services(clock=SystemClock(), scenarios=SourceLoader(source))
    try:
        from voice.service import TtsService
        from voice.settings import VoiceSettings
    except ImportError:  # pragma: no cover - voice is part of the distribution
        return services
    services.tts = TtsService.from_settings(VoiceSettings.from_env())
    return services


async def run_agi(
    config: AgiServerConfig,
    *,
    source: ScenarioSource,
    services: Services | None = None,
    write_batch: WriteBatch | None = None,
    metrics_port: int | None = None,
    stop: asyncio.Event | None = None,
    ready: Callable[[AgiServer], None] | None = None,
) -> AgiServer:
    """Run a FastAGI server until `stop` is set (or SIGTERM/SIGINT), then shut it down gracefully."""
    from blocks import default_registry

    server = AgiServer(
        config,
        source=source,
        registry=default_registry(),
        services=services or default_services(source),
        write_batch=write_batch,
    )
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=config.host, registry=server.metrics.registry)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on the main thread
            loop.add_signal_handler(signum, stop.set)
    await server.start()
    if ready is not None:
        ready(server)
    await stop.wait()
    log.info("stopping FastAGI: letting calls finish for up to %g s", config.shutdown_deadline)
    await server.stop()
    return server


def cmd_agi(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = AgiServerConfig(
        host=args.host,
        port=args.port,
        allow=tuple(args.allow or AgiServerConfig().allow),
        max_calls=args.max_calls,
        idle_timeout=args.idle_timeout,
        shutdown_deadline=args.shutdown_deadline,
        channel=ChannelSettings(sounds_prefix=args.sounds_prefix, dial_options=args.dial_options),
    )
    asyncio.run(run_agi(config, source=scenario_source(args), metrics_port=args.metrics_port))
    return 0


def add_parser(commands: Any) -> None:
    """Add `agi` to the `ivrgraph` command."""
    defaults = AgiServerConfig()
    agi = commands.add_parser("agi", help="run a FastAGI server (no API): Asterisk calls AGI(agi://host/<slug>)")
    agi.add_argument("--host", default=defaults.host, help="listen address (default %(default)s)")
    agi.add_argument("--port", type=int, default=defaults.port, help="FastAGI port (default %(default)s)")
    agi.add_argument(
        "--allow",
        action="append",
        metavar="NETWORK",
        help="Asterisk peer network allowed to connect (repeatable; default 127.0.0.1/32 and ::1/128)",
    )
    agi.add_argument("--scenarios", default="scenarios", help="folder of <slug>.json scenario files")
    agi.add_argument("--max-calls", type=int, default=defaults.max_calls)
    agi.add_argument("--idle-timeout", type=float, default=defaults.idle_timeout)
    agi.add_argument("--shutdown-deadline", type=float, default=defaults.shutdown_deadline)
    agi.add_argument("--sounds-prefix", default=defaults.channel.sounds_prefix, help="media folder under sounds/")
    agi.add_argument("--dial-options", default="", help="fixed Dial flags from 'grtThHkK', e.g. g")
    agi.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on this port")
    agi.add_argument("--log-level", default="INFO")
    agi.set_defaults(handler=cmd_agi)
