"""The FastAGI options `ivrgraph agi` and `ivrgraph serve` share, each checked as it is read.

A value that cannot work (a port over 65535, an allow-list entry that is not a network, a cap of 0 calls,
repeated Dial flags) stops the command at once with one line naming it (argparse's exit 2), instead of a
traceback, or a server that starts and then refuses every call.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import logging
import os
from collections.abc import Callable, Mapping
from typing import TypeVar

from agi_server.channel import ChannelSettings
from agi_server.errors import ExecNotAllowed, SettingError
from agi_server.metrics import METRICS_HOST
from agi_server.protocol import check_dial_options
from agi_server.server import AgiServerConfig

ALLOW_ENV = "IVRGRAPH_AGI_ALLOW"  # Asterisk peers allowed to connect, e.g. "10.0.0.0/24,10.0.1.5/32"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL")
_N = TypeVar("_N", int, float)
_S = TypeVar("_S")

log = logging.getLogger(__name__)


def port(text: str) -> int:
    number = _number(int, text, "a port")
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535)")
    return number


def positive_int(text: str) -> int:
    number = _number(int, text, "a whole number")
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return number


def positive_seconds(text: str) -> float:
    seconds = _number(float, text, "a number of seconds")
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds above 0")
    return seconds


def seconds_or_zero(text: str) -> float:
    seconds = _number(float, text, "a number of seconds")
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds, 0 or more")
    return seconds


def network(text: str) -> str:
    """An allow-list entry: an address or a network. An entry with host bits (10.0.0.5/24) means its network, as
    it always did; the line logged says so, since the address alone may have been meant."""
    entry = text.strip()
    try:
        meant = ipaddress.ip_network(entry, strict=False)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a network such as 10.0.0.0/8 ({error})") from error
    if str(meant) != entry and meant.prefixlen != meant.max_prefixlen:
        log.warning("allow-list entry %s has host bits set: it allows all of %s", entry, meant)
    return entry


def node_id(text: str) -> str:
    """A node's name: what a call record's `node` column (100 characters) holds."""
    name = text.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise argparse.ArgumentTypeError(f"{text!r} is not a node name (1-100 printable characters)")
    return name


def dial_options(text: str) -> str:
    try:
        check_dial_options(text)
    except ExecNotAllowed as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return text


def _number(kind: Callable[[str], _N], text: str, what: str) -> _N:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def add_fastagi_options(parser: argparse.ArgumentParser) -> None:
    """The options of the FastAGI server (its address and port stay each command's own)."""
    defaults = AgiServerConfig()
    parser.add_argument(
        "--allow",
        action="append",
        type=network,
        metavar="NETWORK",
        help=f"Asterisk peer network allowed to connect (repeatable; default {ALLOW_ENV}, else loopback)",
    )
    parser.add_argument("--max-calls", type=positive_int, default=defaults.max_calls, help="(default %(default)s)")
    parser.add_argument(
        "--idle-timeout", type=positive_seconds, default=defaults.idle_timeout, help="(default %(default)s)"
    )
    parser.add_argument(
        "--shutdown-deadline",
        type=seconds_or_zero,
        default=defaults.shutdown_deadline,
        help="seconds calls get to finish on SIGTERM (default %(default)s)",
    )
    parser.add_argument("--sounds-prefix", default=defaults.channel.sounds_prefix, help="media folder under sounds/")
    parser.add_argument("--dial-options", type=dial_options, default="", help="fixed Dial flags from 'grtThHkK'")
    parser.add_argument(
        "--node-id",
        type=node_id,
        help="this node's name in the call records it writes (default: the host name, here %(default)s)",
        default=defaults.node_id,
    )
    parser.add_argument("--metrics-port", type=port, help="serve Prometheus metrics on this port")
    parser.add_argument(
        "--metrics-host", default=METRICS_HOST, help="address the metrics answer on (default %(default)s)"
    )


def fastagi_config(
    args: argparse.Namespace, *, host: str, port: int, environ: Mapping[str, str] | None = None
) -> AgiServerConfig:
    """The server's configuration from the options; raises ValueError for a bad IVRGRAPH_AGI_ALLOW."""
    config = AgiServerConfig(
        host=host,
        port=port,
        max_calls=args.max_calls,
        idle_timeout=args.idle_timeout,
        shutdown_deadline=args.shutdown_deadline,
        channel=ChannelSettings(sounds_prefix=args.sounds_prefix, dial_options=args.dial_options),
        node_id=args.node_id,
    )
    if args.allow:
        return dataclasses.replace(config, allow=tuple(args.allow))
    return allowed_peers(config, environ)


def allowed_peers(config: AgiServerConfig, environ: Mapping[str, str] | None = None) -> AgiServerConfig:
    """`config` with the peer networks of IVRGRAPH_AGI_ALLOW, when it is set (ValueError naming a bad entry)."""
    env = os.environ if environ is None else environ
    allow = []
    for entry in (part.strip() for part in env.get(ALLOW_ENV, "").split(",")):
        if entry:
            try:
                allow.append(network(entry))
            except argparse.ArgumentTypeError as error:
                raise ValueError(f"{ALLOW_ENV}: {error}") from error
    return dataclasses.replace(config, allow=tuple(allow)) if allow else config


def voice_settings(read: Callable[[], _S]) -> _S:
    """The voice package's settings, `read()` from the environment; a value it cannot use is a SettingError."""
    try:
        return read()
    except ValueError as error:
        raise SettingError(f"text-to-speech setting (IVRGRAPH_TTS_*, IVRGRAPH_GTTS_*): {error}") from error
