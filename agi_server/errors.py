"""Errors of the FastAGI runtime.

    AgiError
     ├── ProtocolError              bytes from Asterisk that do not follow the AGI protocol
     │    ├── EnvBlockError          the env block is malformed, too big or incomplete
     │    └── ResponseError          a response line cannot be read
     ├── CommandRefused             we refuse to put this command on the wire (nothing was sent)
     │    ├── UnsafeArgument         CR, LF or NUL in an argument, or the line is too long
     │    └── ExecNotAllowed         EXEC of an application (or arguments) outside the allow-list
     ├── CommandFailed              Asterisk answered, but not with 200
     │    ├── InvalidCommand         510: unknown command (a bug on our side)
     │    ├── UsageError             520: bad arguments; carries Asterisk's usage text
     │    └── DeadChannel            511, or refused locally: the channel hung up, only bookkeeping works
     ├── MediaNotPlayed             STREAM FILE returned -1 on a live channel (missing sound file); also a
     │                              graph_engine ChannelError, code "media_not_played"
     ├── ScenarioLookupFailed       the scenario store could not say whether a slug is published (the database
     │                              down or silent); also a graph_engine ServiceError
     └── ConnectionLost             EOF, reset or idle timeout: Asterisk is gone
          └── AnswerTimeout         no answer to a command within its deadline (we closed the session)

The channel turns DeadChannel and ConnectionLost into `graph_engine.errors.CallerHangup`; everything else
reaches the block as a failure (its `error` exit). Expected outcomes (digits, timeouts, busy) are results.
The two that are also engine errors reach a block as the engine's own kinds: a missing sound is the channel's
failure (one log line, a failure the designer words), a failed lookup (Go To Scenario) a service's.

What stops a node from starting, apart from the tree above (`agi_server.cli.run_or_explain` makes each one line):

    SettingError (ValueError)      an environment value that cannot work (IVRGRAPH_AMI_PORT=abc); names the
                                   variable and what it expects
    CannotListen (OSError)         a server of the node cannot bind its address; names what and where
    ServicePluginError             a plugin's service (entry point `ivrgraph.services`) cannot be built; names
                                   the plugin and why (its factory's error: often its own setting)
"""

from __future__ import annotations

from graph_engine.errors import ChannelError, ServiceError


class AgiError(Exception):
    """Base of every error raised by agi_server."""


class ProtocolError(AgiError):
    """Asterisk sent bytes we cannot read as AGI."""


class EnvBlockError(ProtocolError):
    """The agi_* environment block is malformed, too large, or did not arrive in time."""


class ResponseError(ProtocolError):
    """A response line from Asterisk has no known shape."""

    def __init__(self, message: str, line: str = "") -> None:
        super().__init__(message)
        self.line = line


class CommandRefused(AgiError):
    """A command was refused before anything reached the wire."""


class UnsafeArgument(CommandRefused):
    """An argument holds CR, LF or NUL, or the encoded line is longer than Asterisk reads in one go."""


class ExecNotAllowed(CommandRefused):
    """EXEC of an application outside the allow-list, or with arguments its validator rejects."""


class CommandFailed(AgiError):
    """Asterisk answered the command with a non-200 code."""

    def __init__(self, code: int, text: str, command: str = "") -> None:
        super().__init__(f"{command or 'command'} -> {code} {text}".strip())
        self.code = code
        self.text = text
        self.command = command


class InvalidCommand(CommandFailed):
    """510 Invalid or unknown command."""


class UsageError(CommandFailed):
    """520 Invalid command syntax; `text` carries the usage Asterisk printed."""


class DeadChannel(CommandFailed):
    """511 Command Not Permitted on a dead channel (or refused locally once we know the caller hung up)."""


class MediaNotPlayed(AgiError, ChannelError):
    """STREAM FILE (or GET DATA) returned -1 while the channel is still up: the sound file does not exist.
    `media` is the name Asterisk was asked to play (`ivrgraph/welcome`: sounds/ivrgraph/welcome.* is missing)."""

    def __init__(self, media: str) -> None:
        super().__init__(
            f"Asterisk could not play {media!r} (missing sound file?)",
            code="media_not_played",
            params={"media": media},
        )
        self.media = media


class ScenarioLookupFailed(AgiError, ServiceError):
    """The scenario store could not say whether `slug` is published (the database down, or silent past its
    timeout): not an unknown scenario. The message names the store's error by its kind only: it goes into call
    records and traces, which every API user reads, and a driver's text names the database's host, port and user
    (security review, 2026-12-05); `detail`, its first line, is for the node's log."""

    def __init__(self, slug: str, cause: BaseException) -> None:
        super().__init__(f"scenario {slug!r} could not be looked up: {type(cause).__name__}")
        self.slug = slug
        self.detail = first_line(cause)


class ConnectionLost(AgiError):
    """The AGI socket closed, reset or stayed silent past the idle timeout."""


class AnswerTimeout(ConnectionLost):
    """Asterisk did not answer a command within its deadline, so we gave the session up."""


class SettingError(ValueError):
    """A configuration value that cannot work. The message names the variable and what it expects."""


class ServicePluginError(Exception):
    """A plugin's service cannot be built at start (agi_server.plugin_services): `plugin` is its entry point and
    distribution, `reason` what went wrong."""

    def __init__(self, plugin: str, reason: str) -> None:
        super().__init__(f"service plugin {plugin!r} cannot start: {reason}")
        self.plugin = plugin
        self.reason = reason


def _bind_reason(error: OSError) -> str:
    """What the OS said, without asyncio's "error while attempting to bind on address (...): " in front."""
    reason = error.strerror or str(error)
    prefix, found, rest = reason.partition("): ")
    return rest if found and prefix.startswith("error while attempting to bind") else reason


class CannotListen(OSError):
    """A server of this node cannot bind its address: taken, not an address of this host, or no right to it."""

    def __init__(self, what: str, host: str, port: int, reason: OSError) -> None:
        super().__init__(reason.errno, _bind_reason(reason))
        self.what, self.host, self.port = what, host, port

    def __str__(self) -> str:
        where = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        return f"cannot listen for {self.what} on {where}: {self.strerror}"


def first_line(said: object) -> str:
    """What `said` (an error, or the driver's error it wraps) says up to its first line break; "" when it says
    nothing. A driver's error goes on with lines of background (the statement, a link) that a log line splits on
    and a record need not carry."""
    return next(iter(str(said).splitlines()), "")


def told(error: BaseException) -> str:
    """What `error` says, for one line of a message: the driver's own error when it wraps one (SQLAlchemy's text
    adds the statement), its first line, else the name of its type when it says nothing."""
    said = getattr(error, "orig", None) or error
    return first_line(said) or type(said).__name__
