"""Misbehaving servers on 127.0.0.1 for reachability/HTTP checks.

Each object has .host ("127.0.0.1:PORT"), .bind_host, .port, .address ((ip, port)) and .url (scheme://host).
"""

from __future__ import annotations

import socket
import threading
import time

from ._net import LOOPBACK, QuietHandler, ServerThread, ThreadingHTTPServer, assert_loopback
from .tls import CertFiles, TLSHTTPServer, registry_v2_handler

API_HEADER = {"Docker-Distribution-Api-Version": "registry/2.0"}


class _Endpoint:
    scheme = "http"
    bind_host = LOOPBACK
    port: int | None = None

    @property
    def host(self):
        return f"{self.bind_host}:{self.port}"

    @property
    def address(self):
        return (self.bind_host, self.port)

    @property
    def url(self):
        return f"{self.scheme}://{self.host}"


class SilentServer(_Endpoint):
    """Accepts TCP connections and never sends a byte (TCP connect OK, TLS/HTTP time out)."""

    def __init__(self, host: str = LOOPBACK):
        assert_loopback(host)
        self.bind_host = host
        self._sock = None
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = None
        self.accepted = 0

    def start(self):
        s = socket.socket(socket.AF_INET6 if ":" in self.bind_host else socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.bind_host, 0))
        s.listen(128)
        s.settimeout(0.1)
        self._sock, self.port = s, s.getsockname()[1]
        self._thread = threading.Thread(target=self._loop, daemon=True, name="silent-server")
        self._thread.start()
        return self

    def _loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._conns.append(conn)  # held open, never read from, never written to

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass
        if self._sock:
            self._sock.close()


class BlackholeServer(_Endpoint):
    """TCP connect never completes (like a firewall dropping SYNs): a listening socket with backlog 0 whose
    accept queue we fill ourselves and never accept, so Linux drops further SYNs -> connect() times out."""

    def __init__(self, host: str = LOOPBACK, max_fillers: int = 16):
        assert_loopback(host)
        self.bind_host = host
        self.max_fillers = max_fillers
        self._sock = None
        self._fillers: list[socket.socket] = []

    def start(self):
        fam = socket.AF_INET6 if ":" in self.bind_host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.bind((self.bind_host, 0))
        s.listen(0)
        self._sock, self.port = s, s.getsockname()[1]
        for _ in range(self.max_fillers):
            f = socket.socket(fam, socket.SOCK_STREAM)
            f.settimeout(0.2)
            try:
                f.connect(self.address)
            except TimeoutError:
                f.close()  # the queue is full: SYNs are being dropped now
                return self
            self._fillers.append(f)
        self.stop()
        raise RuntimeError("could not fill the accept queue: connects to the blackhole keep succeeding")

    def stop(self):
        for f in self._fillers:
            f.close()
        self._fillers = []
        if self._sock:
            self._sock.close()
            self._sock = None


class RefusedPort(_Endpoint):
    """A port that refuses connections: a TCP socket bound (so no one else gets the port) but not listening."""

    def __init__(self, host: str = LOOPBACK):
        assert_loopback(host)
        self.bind_host = host
        self._sock = None

    def start(self):
        s = socket.socket(socket.AF_INET6 if ":" in self.bind_host else socket.AF_INET, socket.SOCK_STREAM)
        s.bind((self.bind_host, 0))
        self._sock, self.port = s, s.getsockname()[1]
        return self

    def stop(self):
        if self._sock:
            self._sock.close()


def status_handler(
    status: int,
    body: str = "",
    content_type: str = "text/plain; charset=utf-8",
    headers: dict | None = None,
    delay: float = 0.0,
):
    class Handler(QuietHandler):
        def do_GET(self):
            if delay:
                time.sleep(delay)
            self.send_body(status, body, content_type, headers)

        do_HEAD = do_POST = do_PUT = do_GET

    return Handler


class HTTPServer(_Endpoint):
    """A plain-HTTP (or, with `cert`, HTTPS) server answering every path with HANDLER."""

    def __init__(self, handler, *, cert: CertFiles | None = None, host: str = LOOPBACK, name: str = "http"):
        assert_loopback(host)
        self.bind_host = host
        self.handler = handler
        self.cert = cert
        self.scheme = "https" if cert else "http"
        self.name = name
        self._thread = None

    def start(self):
        if self.cert:
            server = TLSHTTPServer((self.bind_host, 0), self.handler, self.cert.server_context())
        else:
            server = ThreadingHTTPServer((self.bind_host, 0), self.handler)
            server.block_on_close = False
        self.port = server.server_address[1]
        self._thread = ServerThread(server, self.name).start()
        return self

    def stop(self):
        if self._thread:
            self._thread.stop()
            self._thread = None


NGINX_403 = (
    "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
NOT_A_REGISTRY_PAGE = (
    "<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1>"
    "<p>This is a plain web site, not a container registry.</p></body></html>"
)
TOO_MANY = '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit. Retry later."}]}'
UNAUTHORIZED = '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}'


class BadServers:
    """Every misbehaving server, started. Attributes (each an endpoint with .host/.port/.url/.address):

    silent        accepts TCP, never answers (TCP ok; TLS handshake / HTTP response time out)
    blackhole     TCP connect itself times out (SYNs dropped: full accept queue)
    refused       closed port (connection refused)
    forbidden     HTTP 403, nginx-style HTML page (access-control / whitelist block), no registry header
    rate_limited  HTTP 429 + Retry-After: 30, registry JSON error TOOMANYREQUESTS + registry header
    server_error  HTTP 500
    unavailable   HTTP 503 + Retry-After: 5
    not_registry  HTTP 200 text/html web page on every path incl. /v2/, no Docker-Distribution-Api-Version
    plain_http    a registry-ish plain-HTTP server (401 Bearer challenge at /v2/), for "HTTPS expected, got HTTP"
    https_only    an HTTPS registry-ish server (cert from the test CA, valid for 127.0.0.1) that answers plaintext
                  requests like Go/docker-registry: 400 "Client sent an HTTP request to an HTTPS server."
    redirect      HTTP 301 from any path to `redirect_to` + same path (default: https_only's URL)
    redirect_loop HTTP 302 to itself, forever
    slow          HTTP 200 registry-ish answer after `slow_delay` seconds (default 5)
    """

    def __init__(self, tls_material=None, *, redirect_to: str | None = None, slow_delay: float = 5.0):
        self._all = []
        self.silent = self._add(SilentServer())
        self.blackhole = self._add(BlackholeServer())
        self.refused = self._add(RefusedPort())
        self.forbidden = self._add(HTTPServer(status_handler(403, NGINX_403, "text/html"), name="forbidden"))
        self.rate_limited = self._add(
            HTTPServer(
                status_handler(429, TOO_MANY, "application/json", {"Retry-After": "30", **API_HEADER}),
                name="rate-limited",
            )
        )
        self.server_error = self._add(HTTPServer(status_handler(500, "internal server error\n"), name="500"))
        self.unavailable = self._add(
            HTTPServer(status_handler(503, "service unavailable\n", headers={"Retry-After": "5"}), name="503")
        )
        self.not_registry = self._add(
            HTTPServer(status_handler(200, NOT_A_REGISTRY_PAGE, "text/html; charset=utf-8"), name="not-registry")
        )
        self.plain_http = self._add(
            HTTPServer(
                registry_v2_handler(
                    401,
                    UNAUTHORIZED,
                    {"WWW-Authenticate": 'Bearer realm="http://127.0.0.1:1/token",service="plain-http"'},
                ),
                name="plain-http",
            )
        )
        if tls_material is None:
            import tempfile

            from .tls import TLSMaterial

            tls_material = TLSMaterial(tempfile.mkdtemp(prefix="harness-tls-"))
        self.ca_file = tls_material.ca_file
        self.https_only = self._add(HTTPServer(registry_v2_handler(), cert=tls_material.valid, name="https-only"))
        target = (redirect_to or self.https_only.url).rstrip("/")

        class Redirect(QuietHandler):
            def do_GET(self):
                self.send_body(301, "", headers={"Location": target + self.path})

            do_HEAD = do_GET

        self.redirect = self._add(HTTPServer(Redirect, name="redirect"))
        self.redirect_to = target

        class Loop(QuietHandler):
            def do_GET(self):
                self.send_body(302, "", headers={"Location": self.path})

            do_HEAD = do_GET

        self.redirect_loop = self._add(HTTPServer(Loop, name="redirect-loop"))
        self.slow_delay = slow_delay
        self.slow = self._add(
            HTTPServer(status_handler(200, "{}", "application/json", API_HEADER, delay=slow_delay), name="slow")
        )

    def _add(self, s):
        try:
            s.start()
        except BaseException:
            self.stop()
            raise
        self._all.append(s)
        return s

    def stop(self):
        for s in reversed(self._all):
            s.stop()
