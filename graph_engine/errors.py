"""Errors of the scenario core.

    EngineError
     ├── DocumentError            the scenario document cannot be read (not JSON, wrong structure)
     ├── BlockRegistrationError   a block type (plugin) is broken; names the plugin
     ├── TemplateError            a template or expression failed to compile or render
     ├── ServiceError             an injected service failed
     │    ├── DataSourceError     a data source query failed or timed out
     │    ├── TtsError            speech could not be rendered
     │    └── SchedulerError      the callback scheduler failed
     └── CallerHangup             the caller hung up; raised by a Channel, caught by the interpreter

Expected outcomes of a call (timeout, invalid key, no rows, busy) are exits, never exceptions.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error raised by graph_engine."""


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


class CallerHangup(EngineError):
    """The caller hung up. Channels raise it from any operation; the interpreter ends the walk cleanly."""
