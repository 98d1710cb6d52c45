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
     ├── MediaNotPlayed             STREAM FILE returned -1 on a live channel (missing sound file)
     └── ConnectionLost             EOF, reset or idle timeout: Asterisk is gone
          └── AnswerTimeout         no answer to a command within its deadline (we closed the session)

The channel turns DeadChannel and ConnectionLost into `graph_engine.errors.CallerHangup`; everything else
reaches the block as a failure (its `error` exit). Expected outcomes (digits, timeouts, busy) are results.
"""

from __future__ import annotations


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


class MediaNotPlayed(AgiError):
    """STREAM FILE returned -1 while the channel is still up: the sound file does not exist."""


class ConnectionLost(AgiError):
    """The AGI socket closed, reset or stayed silent past the idle timeout."""


class AnswerTimeout(ConnectionLost):
    """Asterisk did not answer a command within its deadline, so we gave the session up."""
