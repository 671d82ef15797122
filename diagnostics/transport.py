"""TLS contexts and HTTP(S) over pinned addresses: keep-alive connections a diagnosis shares between its checks.

Every connection goes to an address the DNS step resolved (pinned); TLS SNI and the Host header keep the host name.
Every blocking call has a timeout no longer than what is left of the diagnosis deadline (net.Deadline).
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import socket
import ssl
import sys
import threading
from urllib.parse import urlsplit

from . import truststore
from .net import Deadline, tcp_connect
from .value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any


# ------------------------------------------------------------------------------------------------ TLS
def tls_context(ca_file: str | None, verify: bool = True) -> ssl.SSLContext:
    """A client context (system CAs + CA_FILE). Verifying contexts are shared between diagnoses: loading the
    system CA store costs ~25 ms, and a context is safe to use from several threads."""
    if verify:
        key = (ca_file, truststore.file_stamp(ca_file))
        building = _building.pop(key, None)
        if building is not None:
            building.join()  # prewarm_tls_context() is loading it: wait rather than load it twice
        return _verifying_context(*key)
    return _make_context(ca_file, verify)


def prewarm_tls_context(ca_file: str | None) -> None:
    """Start loading the verifying context for CA_FILE in a background thread; tls_context() then takes it.

    OpenSSL releases the GIL while it reads the system CA store (20-40 ms with OpenSSL 3), so a command that will
    talk TLS can overlap that with its own start-up (imports) instead of paying it inside the TLS step."""
    key = (ca_file, truststore.file_stamp(ca_file))
    if key in _building:
        return
    # Not a daemon: the interpreter waits for it at exit. A daemon thread still inside OpenSSL when the process
    # exits (a usage error, an NXDOMAIN) crashes in OpenSSL's own clean-up (SIGSEGV).
    thread = threading.Thread(target=_load_quietly, args=key, name="tls-context", daemon=False)
    _building[key] = thread
    thread.start()


_building: dict[tuple[str | None, int], threading.Thread] = {}


def _load_quietly(ca_file: str | None, stamp: int) -> None:
    try:
        _verifying_context(ca_file, stamp)
    except Exception:  # noqa: BLE001 - tls_context() loads it again in the caller and raises there
        pass


@functools.lru_cache(maxsize=16)
def _verifying_context(ca_file: str | None, stamp: int) -> ssl.SSLContext:
    loaded = truststore.loaded_context(ca_file, stamp) if ca_file else None
    if loaded is not None:
        return _with_system_cas(loaded)
    return _make_context(ca_file, True)


def _with_system_cas(ctx: ssl.SSLContext) -> ssl.SSLContext:
    """CTX (a verifying client context holding the --ca-file: truststore.load_ca_file) made what _make_context makes
    for that file: the system's CAs added, as ssl.create_default_context adds them (and its key log)."""
    capath = truststore.lazy_capath()
    if capath is not None:
        ctx.load_verify_locations(capath=capath)
    else:
        ctx.load_default_certs()
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment and hasattr(ctx, "keylog_filename"):
        ctx.keylog_filename = keylog
    return ctx


def _make_context(ca_file: str | None, verify: bool) -> ssl.SSLContext:
    if not verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    capath = truststore.lazy_capath()
    if capath is not None:
        # the system CAs looked up on demand, not all read up front: the same trust (truststore.py), ~240 M
        # instructions less
        return ssl.create_default_context(cafile=ca_file, capath=capath)
    ctx = ssl.create_default_context()
    if ca_file:
        ctx.load_verify_locations(cafile=ca_file)
    return ctx


def server_name(host: str) -> str | bytes:
    """HOST as a TLS handshake takes it (SNI, and the name the certificate must match). ssl passes a str through the
    idna codec, whose first use imports encodings.idna, stringprep and unicodedata (~6 M instructions, valgrind); for
    an ASCII name that gives the same bytes, so those go as bytes. Other names still go through the codec."""
    return host.encode("ascii") if host.isascii() else host


def looks_like_plain_http(exc: BaseException) -> bool:
    """Whether a TLS error says the peer answered in plain HTTP."""
    text = str(exc).upper()
    return any(
        s in text
        for s in (
            "WRONG_VERSION_NUMBER",
            "WRONG VERSION NUMBER",
            "HTTP_REQUEST",
            "RECORD_LAYER_FAILURE",
            "PACKET_LENGTH_TOO_LONG",
            "UNKNOWN_PROTOCOL",
        )
    )


# ------------------------------------------------------------------------------------------------ HTTP
class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to HOST (the Host header) over a connection to the pinned address IP."""

    def __init__(self, host: str, port: int, ip: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip
        self._timeout = timeout

    def connect(self) -> None:
        self.sock = tcp_connect(self._ip, self.port, self.timeout or self._timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to HOST (SNI and the Host header) over a connection to the pinned address IP."""

    def __init__(self, host: str, port: int, ip: str, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._ip = ip
        self._timeout = timeout
        self._tls = context

    def connect(self) -> None:
        sock = tcp_connect(self._ip, self.port, self.timeout or self._timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=server_name(self.host))
        except BaseException:
            sock.close()
            raise


class Response(Record):
    """An HTTP answer, read whole (up to the body limit). A plain class, not a dataclass: see
    diagnostics.findings.Finding."""

    def __init__(
        self, status: int, reason: str, headers: dict[str, str], body: bytes, url: str, truncated: bool = False
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-case names; repeated headers joined with ", "
        self.body = body
        self.url = url
        self.truncated = truncated

    def __repr__(self) -> str:
        return f"Response({self.status} {self.reason!r}, {self.url!r}, {len(self.body)} bytes)"

    def header(self, name: str, default: str | None = None) -> str | None:
        """The header NAME (any case), repeated ones joined with ", "."""
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return json.loads(self.body.decode("utf-8"))


Origin = tuple[str, str, int, str]  # (scheme, host, port, pinned ip): what a kept-alive connection is good for


class ConnectionPool:
    """Idle kept-alive connections of one diagnosis, by origin, so the checks share them: the TLS check's verified
    connection serves `/v2/`, the token flow and the image look-ups, and one handshake is paid instead of one per
    check. A connection is in the pool only between requests (never two users at once); after `close()` the pool
    keeps nothing (a check still running past the deadline closes what it gives back)."""

    def __init__(self) -> None:
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def take(self, origin: Origin) -> http.client.HTTPConnection | None:
        """An idle connection to ORIGIN (the most recently used), or None."""
        with self._lock:
            idle = self._idle.get(origin)
            return idle.pop() if idle else None

    def give(self, origin: Origin, conn: http.client.HTTPConnection) -> None:
        """Keep CONN, idle and open, for the next request to ORIGIN."""
        with self._lock:
            if not self._closed:
                self._idle.setdefault(origin, []).append(conn)
                return
        conn.close()

    def adopt(self, origin: Origin, sock: socket.socket, context: ssl.SSLContext | None, timeout: float) -> None:
        """Keep SOCK (connected to ORIGIN; for https, after a verified handshake with CONTEXT) as an idle
        connection."""
        scheme, host, port, ip = origin
        conn = _new_connection(scheme, host, port, ip, timeout, context)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.sock = sock
        self.give(origin, conn)

    def close(self) -> None:
        """Close every idle connection; connections given back later are closed at once."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()


def _new_connection(
    scheme: str, host: str, port: int, ip: str, timeout: float, context: ssl.SSLContext | None
) -> http.client.HTTPConnection:
    if scheme == "https":
        assert context is not None
        return _PinnedHTTPS(host, port, ip, timeout, context)
    return _PinnedHTTP(host, port, ip, timeout)


class HTTPClient:
    """Requests over one keep-alive connection to one pinned (scheme, host, port, ip). With a POOL the connection
    is taken from it (when one is idle) and given back to it by `close()`."""

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int,
        ip: str,
        deadline: Deadline,
        ssl_context: ssl.SSLContext | None,
        pool: ConnectionPool | None = None,
    ):
        self.scheme, self.host, self.port, self.ip = scheme, host, port, ip
        self.deadline = deadline
        self.ssl_context = ssl_context
        self.pool = pool
        self._conn: http.client.HTTPConnection | None = None

    @property
    def origin(self) -> Origin:
        """(scheme, host, port, ip): the connections this client may use."""
        return (self.scheme, self.host, self.port, self.ip)

    def close(self) -> None:
        """Done with the connection: back to the pool when there is one (it is idle and open), else closed. A later
        request takes or opens another."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self.pool is not None and conn.sock is not None:
            self.pool.give(self.origin, conn)
        else:
            conn.close()

    def _discard(self) -> None:
        """Close the connection (a failed or unfinished exchange leaves it unusable)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _connection(self, timeout: float, fresh: bool) -> tuple[http.client.HTTPConnection, bool]:
        """(connection, whether it served requests before): this client's, an idle one of the pool, or (FRESH) a new
        one."""
        if self._conn is not None:
            return self._conn, True
        pooled = self.pool.take(self.origin) if self.pool is not None and not fresh else None
        self._conn = pooled or _new_connection(self.scheme, self.host, self.port, self.ip, timeout, self.ssl_context)
        return self._conn, pooled is not None

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        max_body: int = 4 << 20,
        step: float | None = None,
    ) -> Response:
        """One request on the kept-alive connection (retried once on a fresh one when the server had closed it);
        at most MAX_BODY bytes of the body are kept (`truncated` says so)."""
        timeout = self.deadline.timeout(step)
        for attempt in (0, 1):
            conn, reused = self._connection(timeout, fresh=attempt == 1)
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            try:
                hdrs = {"User-Agent": "tcr-doctor", "Accept-Encoding": "identity"}
                hdrs.update(headers or {})
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read(max_body + 1)
                truncated = len(data) > max_body
                if truncated or resp.will_close or not resp.isclosed():
                    self._discard()  # only a connection whose answer was read whole can serve another request
                hdr: dict[str, str] = {}
                for k, v in resp.getheaders():
                    k = k.lower()
                    hdr[k] = f"{hdr[k]}, {v}" if k in hdr else v
                url = f"{self.scheme}://{_hostport(self.host, self.port, self.scheme)}{path}"
                return Response(resp.status, resp.reason, hdr, data[:max_body], url, truncated)
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.CannotSendRequest,
            ):
                self._discard()
                if reused and attempt == 0:
                    continue  # a kept-alive connection the server had closed: retry once on a fresh one
                raise
            except BaseException:
                self._discard()
                raise
        raise RuntimeError("unreachable")


def _hostport(host: str, port: int, scheme: str) -> str:
    h = f"[{host}]" if ":" in host else host
    return h if port == (443 if scheme == "https" else 80) else f"{h}:{port}"


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of an http(s) URL; ValueError for anything else."""
    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"unsupported URL {url!r}")
    port = u.port or (443 if u.scheme == "https" else 80)
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    return u.scheme, u.hostname.lower(), port, path
