"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1, in a thread the test starts and stops.

It keeps every request it received (headers and raw body) and answers what `answer(request)` says (204 by
default). It verifies nothing itself: the tests check the signatures independently.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def message(self) -> dict:
        return json.loads(self.body)

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    answer: Callable[[Received], int] = lambda request: 204
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/eumam"

    def messages(self) -> list[dict]:
        with self.lock:
            return [request.message for request in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length", "0")), 1024 * 1024)
            request = Received({name.lower(): value for name, value in self.headers.items()}, self.rfile.read(length))
            with receiver.lock:
                receiver.received.append(request)
            status = receiver.answer(request)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args) -> None:  # keep the test output clean
            return

    return Handler


@contextlib.contextmanager
def serving(receiver: Receiver | None = None, *, port: int = 0) -> Iterator[Receiver]:
    """Serve on 127.0.0.1 (a free port, or `port` to come back on the same one) until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", port or (receiver.port if receiver else 0)), None)  # type: ignore[arg-type]
    if receiver is None:
        receiver = Receiver(port=server.server_address[1])
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
