"""Shared pytest configuration: the harness fixtures (tests/harness/README.md), a live WSGI server and the
headless browser the widget, accessibility and console tests drive, and the storage tests' database of each engine
(`storage_url`) and polling helper (`wait_for`)."""

import os
import pathlib
import shutil
import sys
import threading
import time

import pytest
from werkzeug.serving import make_server

_ROOT = str(pathlib.Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:  # so `from tests.harness import ...` works however pytest was started
    sys.path.insert(0, _ROOT)

from tests.harness.fixtures import *  # noqa: E402, F403

CHROMIUM = os.environ.get("TCR_DOCTOR_CHROMIUM", "/usr/bin/chromium")

# The variables the service reads its settings from (bot/settings.py). `serve` exports some of them on purpose, for
# the server processes it starts; run in-process by a test, that export outlived the test and changed what a later
# test's app read (test_web_api::test_env_config failed in whole-suite order three times, after different tests).
_SETTINGS_VARIABLES = ("TCR_DOCTOR_", "SLACK_", "DATABASE_URL", "WEB_CONCURRENCY", "WEB_THREADS", "PORT", "HOST")


@pytest.fixture(autouse=True)
def _settings_environment_restored():
    """Each test starts from the settings environment the previous one started from, whatever the code it ran
    exported."""
    before = {k: v for k, v in os.environ.items() if k.startswith(_SETTINGS_VARIABLES)}
    yield
    for name in [k for k in os.environ if k.startswith(_SETTINGS_VARIABLES) and k not in before]:
        del os.environ[name]
    os.environ.update(before)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """A WSGI app on 127.0.0.1:random in a thread (Werkzeug, threaded); `.url`, `.stop()`."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)


@pytest.fixture(scope="session")
def live_server():
    """live_server(app) -> a started LiveServer; every one still running is stopped at the end of the session."""
    started: list[LiveServer] = []

    def start(app) -> LiveServer:
        server = LiveServer(app)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright, one per test module."""
    # Imported here: only the browser tests pay for Playwright. scripts/bootstrap installs both, so a missing one
    # is a broken set-up, not a reason to pass quietly.
    from playwright.sync_api import sync_playwright

    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} is not installed (Debian package chromium; run scripts/bootstrap)")
    (pathlib.Path(_ROOT) / "artifacts").mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def pytest_collection_modifyitems(items):
    """A test marked `after_module` runs after the other tests of its module (they keep their order), so a check of
    what the module's scenarios covered holds under any order: file order, pytest-randomly's shuffle (which reorders
    before this hook runs), -p random-order."""
    first_of_module: dict[object, int] = {}
    for index, item in enumerate(items):
        first_of_module.setdefault(getattr(item, "module", None), index)
    order = {id(item): index for index, item in enumerate(items)}
    items.sort(
        key=lambda i: (
            first_of_module[getattr(i, "module", None)],
            i.get_closest_marker("after_module") is not None,
            order[id(i)],
        )
    )


# --- storage: the same tests on each database engine ------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request, tmp_path):
    """A fresh database of each engine: an SQLite file path, then a PostgreSQL URL (the session's server)."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite3")
    return request.getfixturevalue("pg_url")


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


@pytest.fixture
def wait_for():
    """wait_for(predicate, timeout=10.0) -> whether `predicate()` came true within `timeout` seconds (polled)."""
    return _wait_for
