"""A forward HTTP proxy on loopback, as docker's HTTPS_PROXY / HTTP_PROXY would use it: CONNECT tunnels for https
targets and absolute-URI requests for http ones. It forwards to loopback addresses only.

    with ForwardProxy(auth=("u", "p")) as proxy:      # proxy.url == "http://127.0.0.1:PORT"
        ...                                           # proxy.requests: [(method, target, had_valid_auth)]
"""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import threading
from urllib.parse import urlsplit

from ._net import LOOPBACK, assert_loopback


class ForwardProxy:
    def __init__(self, auth: tuple[str, str] | None = None):
        self.auth = auth
        self.requests: list[tuple[str, str, bool]] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = self.connection.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                header, _, rest = head.partition(b"\r\n\r\n")
                lines = header.decode("latin-1").split("\r\n")
                method, target, _ = (lines[0].split(" ") + ["", ""])[:3]
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
                ok = proxy._authorised(headers.get("proxy-authorization", ""))
                proxy.requests.append((method, target, ok))
                if not ok:
                    self.connection.sendall(
                        b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\n'
                        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    return
                if method == "CONNECT":
                    host, _, port = target.rpartition(":")
                    upstream = proxy._connect(host, int(port))
                    self.connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    if rest:
                        upstream.sendall(rest)
                else:
                    u = urlsplit(target)
                    upstream = proxy._connect(u.hostname or "", u.port or 80)
                    path = (u.path or "/") + (f"?{u.query}" if u.query else "")
                    kept = [ln for ln in lines[1:] if not ln.lower().startswith("proxy-")]
                    upstream.sendall(
                        f"{method} {path} HTTP/1.1\r\n".encode() + "\r\n".join(kept).encode() + b"\r\n\r\n" + rest
                    )
                proxy._pipe(self.connection, upstream)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((LOOPBACK, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{LOOPBACK}:{self.port}"

    def _authorised(self, value: str) -> bool:
        if self.auth is None:
            return True
        expected = "Basic " + base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        return value == expected

    @staticmethod
    def _connect(host: str, port: int) -> socket.socket:
        ip = socket.gethostbyname(host) if host == "localhost" else host
        assert_loopback(ip)
        return socket.create_connection((ip, port), timeout=10)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 10)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            return
        finally:
            b.close()

    def __enter__(self) -> ForwardProxy:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
