"""A real HTTP receiver for webhook tests, and the Standard Webhooks check written independently."""

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """Check a webhook-signature as the Standard Webhooks reference does (any listed v1 matches)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for part in headers["webhook-signature"].split(" "):
        version, _, signature = part.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # parallel senders must not meet a full listen backlog
    daemon_threads = True


@dataclass
class Receiver:
    """What the receiver got, and the answers it gives next (status, headers), then 200."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.requests.append(Received(self.path, headers, body))
                    status, extra = receiver.answers.pop(0) if receiver.answers else (200, {})
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver(app):
    """Start a webhook receiver on 127.0.0.1, which the app's allow-list then admits."""
    found = Receiver()
    found.start()
    saved = app.config["WEBHOOK_ALLOWED_HOSTS"]
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ["127.0.0.1"]
    try:
        yield found
    finally:
        app.config["WEBHOOK_ALLOWED_HOSTS"] = saved
        found.stop()
