"""A live server and Debian's Chromium for the browser tests."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Return the system Chromium (Debian's package), or None."""
    candidates = [os.environ.get("CSTIER_CHROMIUM"), "chromium", "chromium-browser"]
    for candidate in filter(None, candidates):
        path = shutil.which(candidate)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium: Playwright's own browser download does not work here."""
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium installed: `apt-get install chromium` to run the browser tests")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def live_server(app, database_url, instance_path):
    """Serve a CSRF-protected app on a free local port for the whole session."""
    served = make_app(database_url, instance_path, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def signed_in(page, live_server):
    """Return a function that signs the browser page in as a user."""

    def sign_in(email: str, password: str = "correct-horse-42"):
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        return page

    return sign_in
