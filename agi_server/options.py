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
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from agi_server.channel import ChannelSettings
from agi_server.errors import ExecNotAllowed, SettingError
from agi_server.logs import LOG_FORMATS, LOG_LEVELS, PHONE_NUMBER_MODES, LogSettings
from agi_server.metrics import METRICS_HOST
from agi_server.protocol import check_dial_options
from agi_server.server import FALLBACK_PHRASES, AgiServerConfig
from persistence.phone_numbers import default_country

ALLOW_ENV = "IVRGRAPH_AGI_ALLOW"  # Asterisk peers allowed to connect, e.g. "10.0.0.0/24,10.0.1.5/32"
LOG_LEVEL_ENV = "IVRGRAPH_LOG_LEVEL"
LOG_FORMAT_ENV = "IVRGRAPH_LOG_FORMAT"
LOG_PHONE_NUMBERS_ENV = "IVRGRAPH_LOG_PHONE_NUMBERS"
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
    it always did; `fastagi_config` says so (`warn_of_host_bits`), since the address alone may have been meant."""
    entry = text.strip()
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a network such as 10.0.0.0/8 ({error})") from error
    return entry


def warn_of_host_bits(entries: Iterable[str]) -> None:
    """Log the allow-list entries with host bits set. Not while argparse reads them (`network`): logging is set
    up after that, from the options read, and a line said before went out bare, without time or level."""
    for entry in entries:
        meant = ipaddress.ip_network(entry, strict=False)
        if str(meant) != entry and meant.prefixlen != meant.max_prefixlen:
            log.warning("allow-list entry %s has host bits set: it allows all of %s", entry, meant)


def node_id(text: str) -> str:
    """A node's name: what a call record's `node` column (100 characters) holds."""
    name = text.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise argparse.ArgumentTypeError(f"{text!r} is not a node name (1-100 printable characters)")
    return name


def default_node_id(host_name: str, port: int) -> str:
    """A node's name when it is not given one: the host's with the FastAGI port, unique among the nodes of one host
    as its listening port is, and the same again when the node restarts. The host name alone was shared by an
    `ivrgraph serve` and an `ivrgraph agi` on one host, and a restarted node takes back the callback jobs its name
    left dialling (persistence.callbacks.recover_own_jobs): the other's, still ringing, would be rung again."""
    return f"{host_name}:{port}"


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
        help="this node's name in the call records it writes and the callback jobs it dials; must differ between "
        f"nodes (default: the host name and the FastAGI port, here {defaults.node_id}:PORT)",
    )
    parser.add_argument("--metrics-port", type=port, help="serve Prometheus metrics on this port")
    parser.add_argument(
        "--metrics-host", default=METRICS_HOST, help="address the metrics answer on (default %(default)s)"
    )


def add_logging_options(parser: argparse.ArgumentParser) -> None:
    """--log-level, --log-format and --log-phone-numbers; `log_settings` falls back on the environment, then on
    INFO, text and full."""
    defaults = LogSettings()
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help=f"the least severe records logged (default {LOG_LEVEL_ENV}, else {defaults.level})",
    )
    parser.add_argument(
        "--log-format",
        type=str.lower,
        choices=LOG_FORMATS,
        help=f"json: one JSON object a line, for a log shipper (default {LOG_FORMAT_ENV}, else {defaults.format})",
    )
    parser.add_argument(
        "--log-phone-numbers",
        type=str.lower,
        choices=PHONE_NUMBER_MODES,
        help="callers' and callees' numbers in the log: full, masked (the last 2 digits) or none "
        f"(default {LOG_PHONE_NUMBERS_ENV}, else {defaults.phone_numbers})",
    )


def log_settings(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> LogSettings:
    """The level, format and phone-number mode of the options, else of the environment; raises ValueError naming
    a bad variable."""
    env = os.environ if environ is None else environ
    defaults = LogSettings()
    phone_numbers = args.log_phone_numbers or _chosen(env, LOG_PHONE_NUMBERS_ENV, PHONE_NUMBER_MODES, str.lower)
    return LogSettings(
        level=args.log_level or _chosen(env, LOG_LEVEL_ENV, LOG_LEVELS, str.upper) or defaults.level,
        format=args.log_format or _chosen(env, LOG_FORMAT_ENV, LOG_FORMATS, str.lower) or defaults.format,
        phone_numbers=phone_numbers or defaults.phone_numbers,
    )


def _chosen(env: Mapping[str, str], name: str, choices: tuple[str, ...], normal: Callable[[str], str]) -> str:
    """The variable `name` of `env`, one of `choices` once `normal`ised; "" when it is not set."""
    text = env.get(name, "").strip()
    if text and normal(text) not in choices:
        raise ValueError(f"{name}: {text!r} is not one of {', '.join(choices)}")
    return normal(text)


def fastagi_config(
    args: argparse.Namespace, *, host: str, port: int, environ: Mapping[str, str] | None = None
) -> AgiServerConfig:
    """The server's configuration from the options; ValueError for a bad IVRGRAPH_AGI_ALLOW or IVRGRAPH_FALLBACK_*."""
    config = AgiServerConfig(
        host=host,
        port=port,
        max_calls=args.max_calls,
        idle_timeout=args.idle_timeout,
        shutdown_deadline=args.shutdown_deadline,
        channel=ChannelSettings(sounds_prefix=args.sounds_prefix, dial_options=args.dial_options),
        node_id=args.node_id or default_node_id(socket.gethostname(), port),
    )
    config = fallback_speech(config, environ)
    config = dataclasses.replace(config, allow=tuple(args.allow)) if args.allow else allowed_peers(config, environ)
    warn_of_host_bits(config.allow)
    return config


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


FALLBACK_LANGUAGE_ENV = "IVRGRAPH_FALLBACK_LANGUAGE"
FALLBACK_PHRASE_ENV = "IVRGRAPH_FALLBACK_PHRASE"
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # as a scenario's `language`


def fallback_speech(config: AgiServerConfig, environ: Mapping[str, str] | None = None) -> AgiServerConfig:
    """`config` with what its fallback prompt says, and in which language (`AgiServerConfig.fallback_phrase`):
    IVRGRAPH_FALLBACK_LANGUAGE (default en), IVRGRAPH_FALLBACK_PHRASE (default: ours in es, ru or en; empty: the
    prompt is not spoken, e.g. a recording is in its place). ValueError naming the variable that cannot work."""
    env = os.environ if environ is None else environ
    language = env.get(FALLBACK_LANGUAGE_ENV, "").strip() or "en"
    if not _LANGUAGE_TAG.match(language):
        raise ValueError(f"{FALLBACK_LANGUAGE_ENV}={language!r}: expected a language tag such as es, ru or en")
    phrase = env.get(FALLBACK_PHRASE_ENV, FALLBACK_PHRASES.get(language))
    if phrase is None:
        raise ValueError(f"{FALLBACK_LANGUAGE_ENV}={language}: no phrase of ours in it; set {FALLBACK_PHRASE_ENV}")
    return dataclasses.replace(config, fallback_phrase=phrase.strip(), fallback_language=language)


def default_country_setting(environ: Mapping[str, str] | None = None) -> str | None:
    """IVRGRAPH_DEFAULT_COUNTRY, the country whose national numbers are one phone with their international form
    (`persistence.phone_numbers`), read as `ivrgraph serve` reads it (`api.settings.Settings`): a node comparing
    numbers otherwise would ring a client the API's node had found waiting. ValueError naming a bad value."""
    return default_country(os.environ if environ is None else environ)
