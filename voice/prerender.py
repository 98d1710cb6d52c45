"""Pre-rendering at publish: every static phrase of a scenario is spoken once, before any call needs it.

Phrases are found generically: the `text` of a speaking block's config (Say Phrase), and the `text` of any
prompt object (a config key named `prompt` or ending in `_prompt`, at any depth, in any block). A phrase with
template syntax (`{{`, `{%`, `{#`) depends on the call and is rendered at run time; it is listed as deferred.
A phrase that cannot be rendered fails the publish, and the report names its node.

Language, voice and engine follow what a block does at run time: the prompt's own `language`/`voice`, else
the scenario's `language` and `voice: {engine, name}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph_engine.errors import TtsError
from graph_engine.services import TextToSpeech

SPEAKING_BLOCK_TYPES = frozenset({"say_phrase"})
_TEMPLATE_MARKS = ("{{", "{%", "{#")


@dataclass(frozen=True, slots=True)
class Phrase:
    node_id: str
    path: tuple[str | int, ...]  # inside the node's config, e.g. ("prompt", "text")
    text: str
    language: str
    voice: str | None
    engine: str | None

    @property
    def where(self) -> str:
        return f"node {self.node_id!r} config.{'.'.join(str(p) for p in self.path)}"


@dataclass(frozen=True, slots=True)
class PhraseFailure:
    phrase: Phrase
    reason: str

    @property
    def message(self) -> str:
        return f"{self.phrase.where}: the phrase {self.phrase.text[:60]!r} cannot be spoken: {self.reason}"


@dataclass(slots=True)
class PrerenderReport:
    rendered: list[tuple[Phrase, str]] = field(default_factory=list)  # phrase and its media name
    deferred: list[Phrase] = field(default_factory=list)  # templated: rendered during the call
    failed: list[PhraseFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def failed_nodes(self) -> list[str]:
        return sorted({failure.phrase.node_id for failure in self.failed})


def is_template(text: str) -> bool:
    return any(mark in text for mark in _TEMPLATE_MARKS)


def _is_prompt_key(key: str) -> bool:
    return key in ("prompt", "prompts") or key.endswith("_prompt")


def _texts(value: Any, path: tuple[str | int, ...], in_prompt: bool) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(path, the object holding `text`) for every prompt object under `value`."""
    if isinstance(value, Mapping):
        if in_prompt and isinstance(value.get("text"), str):
            yield path, value
        for key, child in value.items():
            if isinstance(child, (Mapping, list)):
                yield from _texts(child, (*path, str(key)), in_prompt or _is_prompt_key(str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _texts(child, (*path, index), in_prompt)


def find_phrases(document: Mapping[str, Any]) -> list[Phrase]:
    """Every spoken phrase of a scenario document, static or templated, in document order."""
    language = str(document.get("language") or "en")
    raw_voice = document.get("voice")
    voice_spec: Mapping[str, Any] = raw_voice if isinstance(raw_voice, Mapping) else {}
    default_voice = voice_spec.get("name") if isinstance(voice_spec.get("name"), str) else None
    engine = voice_spec.get("engine") if isinstance(voice_spec.get("engine"), str) else None
    phrases: list[Phrase] = []
    for node in document.get("nodes") or []:
        if not isinstance(node, Mapping) or not isinstance(node.get("config"), Mapping):
            continue
        config = node["config"]
        found = list(_texts(config, (), in_prompt=node.get("type") in SPEAKING_BLOCK_TYPES))
        for path, holder in found:
            text = holder["text"]
            if not text.strip():
                continue  # an empty optional prompt says nothing; the block schema decides if it may be empty
            phrases.append(
                Phrase(
                    node_id=str(node.get("id")),
                    path=(*path, "text"),
                    text=text,
                    language=str(holder.get("language") or language),
                    voice=holder["voice"]
                    if isinstance(holder.get("voice"), str) and holder["voice"]
                    else default_voice,
                    engine=engine,
                )
            )
    return phrases


async def prerender(document: Mapping[str, Any], tts: TextToSpeech, *, concurrency: int = 2) -> PrerenderReport:
    """Render every static phrase of `document` through `tts`; never raises for a phrase that fails."""
    report = PrerenderReport()
    slots = asyncio.Semaphore(concurrency)

    async def one(phrase: Phrase) -> None:
        async with slots:
            try:
                media = await tts.render(
                    phrase.text, language=phrase.language, voice=phrase.voice, engine=phrase.engine
                )
            except TtsError as error:
                report.failed.append(PhraseFailure(phrase, str(error)))
            else:
                report.rendered.append((phrase, media))

    static: list[Phrase] = []
    for phrase in find_phrases(document):
        (report.deferred if is_template(phrase.text) else static).append(phrase)
    await asyncio.gather(*(one(phrase) for phrase in static))
    order = {id(p): i for i, p in enumerate(static)}
    report.rendered.sort(key=lambda item: order[id(item[0])])
    report.failed.sort(key=lambda failure: order[id(failure.phrase)])
    return report
