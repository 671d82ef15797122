"""The production server: gunicorn's master (workers, restarts, hooks in bot/gunicorn_conf.py) with waitress inside
each worker (`--worker-class bot.server.WaitressWorker`).

Why: gunicorn's own thread worker (gthread) hands a connection to a thread as soon as it is readable, and that
thread then blocks reading the body, so a few dozen clients that send headers and part of a body hold every thread
and the service stops answering (issue 9: 40 stalled uploads, /healthz answered 0 of 6). waitress reads each
request whole — headers and body — in its event loop before a thread sees it; a stalled upload costs one socket
and a buffer, never a thread, and is closed after `channel_timeout` seconds without a byte. gunicorn stays for what
it is good at: the master that restarts a killed worker, the multiprocess-metrics and start-up hooks, and the
Procfile's familiar flags (`--workers`, `--threads`, `--bind`).

`tcr-doctor serve` runs exactly this (see `serve`); `tcr-doctor serve --dev` runs Werkzeug's development server.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.util import import_app
from gunicorn.workers.base import Worker

import knowledge
from bot.settings import Settings
from diagnostics import LANGS

# Largest request body waitress accepts (it answers 413 above): the Slack endpoint's limit, the largest any route
# has; the API routes apply their own smaller limit.
MAX_REQUEST_BODY = (1 << 20) + 4096
# Idle seconds after which waitress closes a connection that sends nothing (a stalled upload, an idle keep-alive).
CHANNEL_TIMEOUT = 30
# Connections one worker holds open at once (stalled ones included) before it stops accepting for a while.
CONNECTION_LIMIT = 1000


# waitress's own refusals (before the app sees a request) -> the API's error codes (bot/api.py ERRORS).
_WAITRESS_ERRORS = {400: "bad_request", 413: "too_large", 431: "too_large", 500: "internal"}


def channel_class() -> type:
    """waitress's HTTP channel with two changes.

    - The responses waitress makes itself — a body over `MAX_REQUEST_BODY` (413), headers too large (431), a
      request it cannot parse (400) — are the project's JSON error (the same `{"error", "message", "messages"}`
      body, in both languages, as every other error) instead of waitress's plain text.
    - No busy loop while a request's task writes: waitress's channel says it is writable whenever output is
      buffered, but while the task holds the output lock (appending and sending its own output) the event loop
      cannot take it and sends nothing, so poll() returned at once, again and again (about 36 polls per /api/ask,
      each visiting every connection, competing with the task for the GIL). It now says so only when the lock is
      free; the task wakes the loop itself when it leaves output unsent and when it ends (`pull_trigger`)."""
    # waitress is imported by the worker that serves with it: gunicorn's master imports this module for the worker
    # class and never serves.
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class JSONErrorTask(ErrorTask):  # type: ignore[misc]  # waitress ships no type hints
        def execute(self) -> None:
            from bot.api import ERRORS  # the app's modules: in the worker, not in the master

            error = self.request.error
            status = int(getattr(error, "code", 400) or 400)
            code = _WAITRESS_ERRORS.get(status, "http_error")
            headers = getattr(self.request, "headers", None) or {}
            lang = "zh" if str(headers.get("ACCEPT_LANGUAGE", "")).lower().lstrip().startswith("zh") else "en"
            messages = {k: ERRORS[code][k] for k in LANGS}
            body = json.dumps({"error": code, "message": messages[lang], "messages": messages}, ensure_ascii=False)
            payload = body.encode("utf-8")
            self.status = f"{status} {getattr(error, 'reason', '') or 'Error'}"
            self.response_headers.extend(
                [
                    ("Content-Type", "application/json"),
                    ("X-Content-Type-Options", "nosniff"),
                    ("Cache-Control", "no-store"),
                ]
            )
            self.set_close_on_finish()
            self.content_length = len(payload)
            self.write(payload)

    class Channel(HTTPChannel):  # type: ignore[misc]
        error_task_class = JSONErrorTask

        def writable(self) -> bool:
            if self.will_close or self.close_when_flushed:
                return True
            if self.total_outbufs_len and self.requests:
                # The running task holds outbuf_lock while it appends and sends its output itself (write_soon);
                # handle_write would only fail to take the lock. The task pulls the trigger when it leaves output
                # unsent and when it ends, so the loop asks again then.
                if not self.outbuf_lock.acquire(False):
                    return False
                self.outbuf_lock.release()
            return bool(self.total_outbufs_len)

    return Channel


class WaitressWorker(Worker):  # type: ignore[misc]  # nor does gunicorn
    """A gunicorn worker that serves its listening sockets with waitress: whole requests are buffered by an event
    loop before one of `--threads` threads runs the app."""

    def run(self) -> None:
        """Serve until the master stops the worker: waitress's event loop on the inherited sockets, a heartbeat to the
        master every second, and a graceful shutdown of the threads."""
        from waitress import create_server, wasyncore  # in the worker only, as above

        socket_map: dict[Any, Any] = {}
        server = create_server(
            self.wsgi,
            map=socket_map,
            sockets=[listener.sock for listener in self.sockets],
            threads=max(1, int(self.cfg.threads)),
            channel_timeout=CHANNEL_TIMEOUT,
            connection_limit=CONNECTION_LIMIT,
            max_request_body_size=MAX_REQUEST_BODY,
            backlog=int(self.cfg.backlog),
            ident="tcr-doctor",
            clear_untrusted_proxy_headers=False,  # the app's ProxyFix decides (TCR_DOCTOR_TRUSTED_PROXIES)
            expose_tracebacks=False,
        )
        server.channel_class = channel_class()
        last_notify = 0.0
        try:
            while self.alive:
                wasyncore.loop(timeout=1.0, map=socket_map, use_poll=True, count=1)
                now = time.monotonic()
                if now - last_notify >= 1.0:
                    self.notify()  # the master's heartbeat: a stuck worker is killed after --timeout seconds
                    last_notify = now
                    if self.ppid != os.getppid():  # the master is gone: stop serving
                        self.log.info("Parent changed, shutting down: %s", self)
                        break
        finally:
            server.task_dispatcher.shutdown(timeout=max(1, int(self.cfg.graceful_timeout)))
            wasyncore.close_all(socket_map)


def configure_logging(level: str | None = None) -> None:
    """Log to stderr at `level` (default: the TCR_DOCTOR_LOG_LEVEL setting) with every record — at every level,
    DEBUG included — passed through the one secret redactor."""
    if level is None:
        level = Settings.from_env().log_level
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("", "gunicorn.error", "gunicorn.access"):
        knowledge.install_log_redaction(logging.getLogger(name))
    # waitress warns "Task queue depth is N" on every request that finds all threads busy: under a steady load that
    # is a line per request (formatting and writing it cost a worker about a tenth of its CPU in bench_scale).
    # Busy threads are the normal state of a loaded server; the request-duration histogram shows when they hurt.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def gunicorn_options(host: str, port: int, workers: int, threads: int, log_level: str) -> dict[str, Any]:
    """The Procfile's gunicorn settings as a dict (for `serve`)."""
    return {
        "bind": f"{host}:{port}" if ":" not in host else f"[{host}]:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "bot.server.WaitressWorker",
        "loglevel": log_level.lower(),
        "accesslog": None,
        "errorlog": "-",
        "timeout": 30,
        "graceful_timeout": 10,
    }


def serve(app_uri: str, options: dict[str, Any]) -> None:
    """Run gunicorn (with WaitressWorker and the hooks of bot/gunicorn_conf.py) in this process, as the Procfile
    runs it."""
    from bot import gunicorn_conf  # the Procfile's hooks: only `serve` runs gunicorn in this process

    class _Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name in ("on_starting", "child_exit", "post_fork", "worker_exit", "when_ready"):
                hook = getattr(gunicorn_conf, name, None)
                if hook is not None:
                    self.cfg.set(name, hook)
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return import_app(app_uri)

    _Application().run()
