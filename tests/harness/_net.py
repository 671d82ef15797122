"""Small shared helpers: loopback ports, waiting with a deadline, threaded HTTP servers."""

from __future__ import annotations

import http.server
import socket
import socketserver
import threading
import time

LOOPBACK = "127.0.0.1"
_ALLOWED_BIND = {"127.0.0.1", "::1", "localhost"}


def assert_loopback(host: str) -> None:
    if host not in _ALLOWED_BIND:
        raise ValueError(f"harness servers bind to loopback only, not {host!r}")


def free_port(host: str = LOOPBACK) -> int:
    """A port the OS picked as free on HOST (TCP). Small race: the caller binds it right after."""
    assert_loopback(host)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Call PREDICATE until it returns a truthy value or TIMEOUT seconds passed (then TimeoutError)."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - reported on timeout
            last_exc = exc
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"timed out after {timeout:.1f}s waiting for {what}"
                + (f" (last error: {last_exc!r})" if last_exc else "")
            )
        time.sleep(interval)


class ThreadingHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class ServerThread:
    """Run a socketserver-style server (serve_forever/shutdown/server_close) in a daemon thread."""

    def __init__(self, server, name: str):
        self.server = server
        self.thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        try:
            self.server.shutdown()
        finally:
            self.server.server_close()
        self.thread.join(timeout=5)


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """Base handler: HTTP/1.1, no stderr logging (it could include query strings; never credentials anyway)."""

    protocol_version = "HTTP/1.1"
    server_version = "harness"
    sys_version = ""

    def log_message(self, format, *args):  # stdlib signature
        pass

    def send_body(
        self,
        status: int,
        body: bytes | str,
        content_type: str = "text/plain; charset=utf-8",
        headers: dict | None = None,
    ):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
