"""A local stand-in for Google Translate's speech endpoint, the one the gTTS package posts to.

It answers `POST /_/TranslateWebserverUi/data/batchexecute` with a form field `f.req` the way the real service
does: a `)]}'` guard line, then length-prefixed JSON chunks, the first holding the MP3 as base64 inside the
`jQ1olc` RPC result. It can also answer 429 (rate limited), 5xx, 200 without audio, or never answer (a hang).

    with FakeGtts(mp3_bytes) as fake:
        fake.script("rate_limited", "audio")      # next answers, in order; then `fake.default`
        url = fake.base_url                        # http://127.0.0.1:<port>
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

Answer = Literal["audio", "rate_limited", "server_error", "no_audio", "hang"]
RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    text: str
    language: str
    answer: Answer


def batchexecute_body(audio: bytes) -> bytes:
    """The body Google sends for one spoken chunk (shape captured from the live service)."""
    payload = json.dumps([base64.b64encode(audio).decode("ascii")], separators=(",", ":"))
    first = json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 57], ["af.httprm", 56,
                        "-2876491520093178045", 3]], separators=(",", ":"))  # fmt: skip
    second = json.dumps([["e", 4, None, None, len(first) + 60]], separators=(",", ":"))
    return f")]}}'\n\n{len(first)}\n{first}\n{len(second)}\n{second}\n".encode()


class FakeGtts:
    def __init__(self, audio: bytes, *, default: Answer = "audio", retry_after: str | None = None) -> None:
        self.audio = audio
        self.default: Answer = default
        self.retry_after = retry_after  # sent with 429 answers when set
        self.requests: list[SpeechRequest] = []
        self._script: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()  # lets hanging handlers go when the server stops
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-gtts", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *answers: Answer) -> None:
        """The next answers, in order; after them the server answers `default` again."""
        with self._lock:
            self._script.extend(answers)

    def _next(self, text: str, language: str) -> Answer:
        with self._lock:
            answer = self._script.popleft() if self._script else self.default
            self.requests.append(SpeechRequest(text, language, answer))
            return answer

    def __enter__(self) -> FakeGtts:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
                if urllib.parse.urlsplit(self.path).path != RPC_PATH:
                    self._send(404, b"<html>Not Found</html>", "text/html")
                    return
                try:
                    rpc = json.loads(form["f.req"][0])
                    text, language = json.loads(rpc[0][0][1])[:2]
                except (KeyError, IndexError, ValueError):
                    self._send(400, b"<html>Bad Request</html>", "text/html")
                    return
                answer = fake._next(text, language)
                json_type = "application/json; charset=utf-8"
                if answer == "audio":
                    self._send(200, batchexecute_body(fake.audio), json_type)
                elif answer == "no_audio":
                    self._send(200, b')]}\'\n\n25\n[["e",4,null,null,115]]\n', json_type)
                elif answer == "rate_limited":
                    extra = {"Retry-After": fake.retry_after} if fake.retry_after else None
                    self._send(429, b"<html><title>429 Too Many Requests</title></html>", "text/html", extra)
                elif answer == "server_error":
                    self._send(503, b"<html>Service Unavailable</html>", "text/html")
                else:  # hang: read the request, never answer, until the test ends
                    fake._release.wait(timeout=60)

        return Handler
