"""Benchmark: run-time latency of a typical templated phrase with espeak-ng, cold and cached.

    .venv/bin/python -m bench.tts_bench [--cold 20] [--cached 500] [--converter sox|ffmpeg]

Cold: a phrase never heard before (the amount changes each time): template -> espeak-ng -> four Asterisk
formats (.sln, .sln16, .ulaw, .wav) -> atomic store. Cached: the same phrase again (hash, stat, utime).
Also: 20 calls asking for one new phrase at once (single flight renders it once).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from voice.engines.espeak import EspeakEngine
from voice.formats import Converter
from voice.media import MediaRoot
from voice.service import TtsService
from voice.spoken import TEMPLATE_FUNCTIONS

PHRASES = {
    "es": "Su saldo es de {{ money(balance, 'EUR', language) }} a fecha de {{ spoken_date(day, language) }}.",
    "ru": "Ваш баланс {{ money(balance, 'RUB', language) }} на {{ spoken_date(day, language) }}.",
    "en": "Your balance is {{ money(balance, 'USD', language) }} as of {{ spoken_date(day, language) }}.",
    "kk": "Сіздің балансыңыз {{ money(balance, 'KZT', language) }}.",
}


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


async def bench(cold: int, cached: int, converter: Converter) -> None:
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    env.globals.update(TEMPLATE_FUNCTIONS)
    with tempfile.TemporaryDirectory() as folder:
        media = MediaRoot(Path(folder))
        service = TtsService(media, {"espeak-ng": EspeakEngine()}, converter=converter)
        print(f"tts: espeak-ng, converter {converter}, formats {', '.join(f.name for f in service.formats)}")
        for language, source in PHRASES.items():
            template = env.from_string(source)
            cold_times: list[float] = []
            for i in range(cold):
                started = time.perf_counter()
                text = template.render(balance=1234.5 + i, day=date(2026, 3, 5), language=language)
                await service.render(text, language=language)
                cold_times.append(time.perf_counter() - started)
            text = template.render(balance=1234.5, day=date(2026, 3, 5), language=language)
            cached_times: list[float] = []
            for _ in range(cached):
                started = time.perf_counter()
                await service.render(
                    template.render(balance=1234.5, day=date(2026, 3, 5), language=language), language=language
                )
                cached_times.append(time.perf_counter() - started)
            print(f"  {language} cold   ({cold:4d}): {ms(cold_times)}   e.g. {text[:60]!r}")
            print(f"  {language} cached ({cached:4d}): {ms(cached_times)}")
        renders = service.renders
        started = time.perf_counter()
        await asyncio.gather(*(service.render("Un momento, por favor.", language="es") for _ in range(20)))
        wall = time.perf_counter() - started
        print(f"  20 concurrent calls, one new phrase: {wall * 1000:.1f} ms wall, {service.renders - renders} render")
        size = service.cache.total_bytes / len(service.cache.keys())
        print(f"  cache: {len(service.cache.keys())} phrases, {size / 1024:.0f} KiB per phrase (all formats)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", type=int, default=20)
    parser.add_argument("--cached", type=int, default=500)
    parser.add_argument("--converter", choices=["sox", "ffmpeg"], default="sox")
    args = parser.parse_args()
    asyncio.run(bench(args.cold, args.cached, args.converter))


if __name__ == "__main__":
    main()
