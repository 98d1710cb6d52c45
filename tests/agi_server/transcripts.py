"""Reads the FastAGI probe transcripts in ../shared/asterisk/ into (direction, bytes) chunks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CAPTURES = Path(__file__).resolve().parents[3] / "shared" / "asterisk"
_ENTRY = re.compile(r"^\s+(?P<t>[\d.]+)\s+(?P<dir>A>S|S>A|##)\s+(?P<rest>.*)$")
_ESCAPE = re.compile(rb"\\(\\|n|r|t|x[0-9a-fA-F]{2})")


@dataclass(frozen=True, slots=True)
class Chunk:
    at: float
    direction: str  # "A>S" (Asterisk -> server), "S>A", "EOF" (Asterisk closed), "HALFCLOSE" (probe's note)
    data: bytes


def _unescape(text: str) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        return {b"\\": b"\\", b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(code) or bytes([int(code[1:], 16)])

    return _ESCAPE.sub(one, text.encode("latin-1"))


def read_transcript(name: str) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[bytes] | None = None
    for line in (CAPTURES / name).read_text(encoding="latin-1").splitlines():
        if line.startswith("#"):
            current = None
            continue
        match = _ENTRY.match(line)
        if match:
            current = None
            at, direction, rest = float(match["t"]), match["dir"], match["rest"]
            if direction == "##":
                if "shutting down write side" in rest:
                    chunks.append(Chunk(at, "HALFCLOSE", b""))
                continue
            if "EOF" in rest:
                chunks.append(Chunk(at, "EOF", b""))
                continue
            current = []
            chunks.append(Chunk(at, direction, b""))
            continue
        if line.startswith("            | ") and current is not None:
            last = chunks[-1]
            chunks[-1] = Chunk(last.at, last.direction, last.data + _unescape(line[14:]))
    return chunks


def env_of(chunks: list[Chunk]) -> tuple[bytes, list[bytes]]:
    """The env block and its segments as Asterisk sent them."""
    data, segments = b"", []
    for chunk in chunks:
        if chunk.direction != "A>S":
            break
        data += chunk.data
        segments.append(chunk.data)
        if data.endswith(b"\n\n"):
            break
    return data, segments
