"""Errors of the scenario core.

    EngineError
     ├── DocumentError            the scenario document cannot be read (not JSON, wrong structure)
     ├── BlockRegistrationError   a block type (plugin) is broken; names the plugin
     ├── TemplateError            a template or expression failed to compile or render
     ├── ServiceError             an injected service failed
     │    ├── DataSourceError     a data source query failed or timed out
     │    ├── TtsError            speech could not be rendered
     │    └── SchedulerError      the callback scheduler failed
     ├── ChannelError             the channel could not do what a block asked, the caller still on the line
     │                            (a sound file missing): the installation's fault, logged in one line
     └── CallerHangup             the caller hung up; raised by a Channel, caught by the interpreter

Expected outcomes of a call (timeout, invalid key, no rows, busy) are exits, never exceptions.

A block's failure the analyst is expected to meet (an unknown time zone, a variable without a value, a destination
that cannot be dialed) carries a stable `code` and the `params` its message is built from, beside the English
message, which stays as it is for API clients and logs: the interpreter notes them in the step's trace as a
`{"kind": "failure", "code": ..., **params}` event, which the designer words in the analyst's language.
"""

from __future__ import annotations

from collections.abc import Mapping


class EngineError(Exception):
    """Base of every error raised by graph_engine.

    `code` and `params`: the failure named for the designer's words (see the module docstring); None for a failure
    nobody expects, told by its message alone. Params are plain JSON values and never use the keys `kind`/`code`.
    """

    def __init__(self, *args: object, code: str | None = None, params: Mapping[str, object] | None = None) -> None:
        super().__init__(*args)
        self.code = code
        self.params: dict[str, object] = dict(params or {})

    def named(self, code: str, params: Mapping[str, object]) -> None:
        """This error named `code` with `params` unless its raiser named it already (it knew better): for a block
        passing on a service's failure, which it can name only as a whole."""
        if getattr(self, "code", None) is None:  # a plugin's subclass may skip our __init__
            self.code = code
            self.params = dict(params)


class DocumentError(EngineError):
    """The document is not a readable scenario; `problems` lists what is wrong."""

    def __init__(self, message: str, problems: list[object] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class BlockRegistrationError(EngineError):
    """A block type cannot be registered; the message names the plugin and what is wrong."""

    def __init__(self, plugin: str, reason: str) -> None:
        super().__init__(f"block plugin {plugin!r} is broken: {reason}")
        self.plugin = plugin
        self.reason = reason


class TemplateError(EngineError):
    """A template or expression could not be compiled or rendered."""


class ServiceError(EngineError):
    """An injected service (data source, TTS, scheduler) failed."""


class DataSourceError(ServiceError):
    """A data source query failed or timed out."""


class TtsError(ServiceError):
    """Speech could not be rendered."""


class SchedulerError(ServiceError):
    """The callback scheduler failed."""


class ChannelError(EngineError):
    """The channel could not do what a block asked, with the caller still on the line: Asterisk could not play a
    sound file (`code` "media_not_played"). A fault of the installation, not of the scenario or of our code: the
    block takes its `error` exit and the interpreter logs one line, without a traceback. A host's channel raises
    it (agi_server's `MediaNotPlayed`)."""


class UnusableValue(ValueError):
    """A template helper's refusal of a value it cannot use (`money(None, ...)`, `spoken_date("soon", ...)`), named:
    `reason` a stable code (not_a_number, ambiguous_number, not_a_date, not_a_time) and `value` the value as the
    English message shows it (its repr: `None`, `'12.000'`). The template engine passes both on in its
    `template_failed` failure, so the designer words the refusal rather than quote the English. A ValueError, as a
    helper's refusal has always been: what catches one catches this too."""

    def __init__(self, message: str, *, reason: str, value: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.value = repr(value)


class CallerHangup(EngineError):
    """The caller hung up. Channels raise it from any operation; the interpreter ends the walk cleanly."""
