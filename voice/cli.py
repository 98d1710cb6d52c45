"""`ivrgraph voice ...`: speak a phrase or pre-render scenario files from the command line.

    ivrgraph voice say "Buenos días" --language es        prints the media name and its files
    ivrgraph voice prerender examples/*.json               exits 1 when a phrase cannot be spoken

Settings come from the environment (see `VoiceSettings.from_env`); `--media-root` overrides the folder.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

from voice.errors import SpeechError
from voice.prerender import prerender
from voice.service import TtsService
from voice.settings import VoiceSettings
from voice.templating import install_template_functions


def _service(args: argparse.Namespace) -> TtsService:
    settings = VoiceSettings.from_env()
    if args.media_root:
        settings = dataclasses.replace(settings, media_root=Path(args.media_root))
    return TtsService.from_settings(settings)


def cmd_say(args: argparse.Namespace) -> int:
    service = _service(args)
    try:
        name = asyncio.run(service.render(args.text, language=args.language, voice=args.voice, engine=args.engine))
    except SpeechError as error:
        print(f"cannot speak: {error}")
        return 1
    print(name)
    for fmt in service.formats:
        print(f"  {service.path(name, fmt)}")
    return 0


def cmd_prerender(args: argparse.Namespace) -> int:
    install_template_functions()
    service = _service(args)
    # One event loop for every file: the service's render slots (an asyncio.Semaphore) belong to the loop that
    # first waits on one, and a loop per file failed on the second file whenever the slots ran out.
    return asyncio.run(_prerender_files(service, args.files))


async def _prerender_files(service: TtsService, file_names: list[str]) -> int:
    failed = False
    for file_name in file_names:
        document: Any = json.loads(Path(file_name).read_text(encoding="utf-8"))
        report = await prerender(document, service, media=service.media)
        print(f"{file_name}: {len(report.rendered)} rendered, {len(report.deferred)} at run time, "
              f"{len(report.failed)} failed")  # fmt: skip
        for message in report.messages:
            print(f"  {message}")
        failed = failed or not report.ok
    return 1 if failed else 0


def add_parser(commands: Any) -> None:
    """Add `voice say` and `voice prerender` to the `ivrgraph` command."""
    voice = commands.add_parser("voice", help="speech: render a phrase, pre-render scenarios")
    sub = voice.add_subparsers(dest="voice_command", required=True)
    say = sub.add_parser("say", help="render one phrase and print its media name")
    say.add_argument("text")
    say.add_argument("--language", default="en")
    say.add_argument("--voice")
    say.add_argument("--engine")
    say.add_argument("--media-root")
    say.set_defaults(handler=cmd_say)
    pre = sub.add_parser("prerender", help="render every static phrase of scenario files")
    pre.add_argument("files", nargs="+")
    pre.add_argument("--media-root")
    pre.set_defaults(handler=cmd_prerender)
