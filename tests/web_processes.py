"""Start real web processes (gunicorn, as in production) on free ports for a test."""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(environment: Mapping[str, str], timeout: float = 120) -> Iterator[int]:
    """Run `gunicorn wsgi:app` with one worker and these CSTIER_* settings; yield its port."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environment}
    # A pipe nobody reads would block the server once full.
    log = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait_until_serving(process, port, timeout, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_serving(process: subprocess.Popen, port: int, timeout: float, log) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn stopped: {log.read().decode()[-2000:]}")
        try:
            status, _ = request(port, "GET", "/healthz")
        except OSError:
            time.sleep(0.2)
            continue
        if status in (200, 503):
            return
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout} s")


def request(port: int, method: str, path: str, form: Mapping[str, str] | None = None):
    """Send one request without following redirects; return (status, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = urlencode(form) if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()
