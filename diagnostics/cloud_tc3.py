"""A small client for Tencent Cloud API 3.0: TC3-HMAC-SHA256 signed JSON POSTs over kept-alive connections.

Why not Tencent's SDK (tencentcloud-sdk-python-common): every SDK call costs about 1.5-6 ms of CPU in requests
(the per-call environment-proxy lookup alone is ~0.8 ms), the SDK's header assembly and its logging; a full
diagnosis sends about ten calls at once and they queue on the GIL behind the wire checks. This client signs with
hashlib/hmac and sends with http.client: 0.33 vs 1.21 ms of CPU per call (benchmarks/bench_cloud_client.py).
The protocol is the one the SDK speaks; tests/test_cloud_api.py checks that a signature made here is the one the
SDK makes for the same request, and tests/harness/tcr_api.py verifies every request as the service does.

Signing (https://cloud.tencent.com/document/api/1141/41895, "签名方法 v3"):
    CanonicalRequest = POST \\n / \\n \\n content-type:...\\nhost:...\\nx-tc-action:...\\n \\n SignedHeaders \\n
                       hex(sha256(body))
    StringToSign     = TC3-HMAC-SHA256 \\n timestamp \\n <date>/<service>/tc3_request \\n hex(sha256(CanonicalRequest))
    key              = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")

Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read once per client (as the SDK does through requests, but not
once per call): https goes through a CONNECT tunnel, http by absolute URL. Nothing here logs a header, the
signature or a credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import select
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from . import transport

ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host;x-tc-action"
_IDLE_MAX = 16  # idle connections kept per client


class TC3Error(Exception):
    """The API answered with an error: CODE and MESSAGE as the service gave them, and its RequestId."""

    def __init__(self, code: str, message: str = "", request_id: str = ""):
        super().__init__(code)
        self.code, self.message, self.request_id = code, message, request_id


class TransportError(Exception):
    """No API answer: KIND is "timeout", "connection", "http_status" or "not_api" (a body that is not the API's)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind)
        self.kind, self.detail = kind, detail


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signature(secret_key: str, service: str, host: str, action: str, body: bytes, timestamp: int) -> tuple[str, str]:
    """(credential scope, hex signature) of a POST to / with the headers in SIGNED_HEADERS."""
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    canonical = "\n".join(
        (
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n",
            SIGNED_HEADERS,
            hashlib.sha256(body).hexdigest(),
        )
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return scope, hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _proxy_for(scheme: str, host: str, env: Mapping[str, str] | None) -> tuple[str, int, dict[str, str]] | None:
    """(host, port, headers) of the HTTP proxy the environment sets for SCHEME://HOST (headers: Proxy-Authorization
    when the proxy URL carries user:password), or None (no proxy, NO_PROXY, or a proxy scheme other than http://,
    which the SDK's requests would not tunnel through either without extras)."""
    proxies = _env_proxies(os.environ if env is None else env)
    url = proxies.get(scheme)
    if not url:
        return None
    hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
    no_proxy = proxies.get("no")
    if no_proxy and _bypass(hostname, no_proxy):
        return None
    u = urlsplit(url if "://" in url else "http://" + url)
    if u.scheme != "http" or not u.hostname:
        return None
    auth: dict[str, str] = {}
    if u.username:
        pair = f"{unquote(u.username)}:{unquote(u.password or '')}".encode()
        auth["Proxy-Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    return u.hostname, u.port or 80, auth


def _env_proxies(env: Mapping[str, str]) -> dict[str, str]:
    """{scheme: proxy URL} as urllib.request.getproxies_environment reads it: lowercase names win over uppercase,
    and HTTP_PROXY is ignored under CGI (REQUEST_METHOD set), where a client can set it through a header."""
    out: dict[str, str] = {}
    for upper_first in (True, False):
        for name, value in env.items():
            low = name.lower()
            if value and low.endswith("_proxy") and (name == low) != upper_first:
                out[low[: -len("_proxy")]] = value
    if "REQUEST_METHOD" in env:
        out.pop("http", None)
    return out


def _bypass(hostname: str, no_proxy: str) -> bool:
    hostname = hostname.strip("[]").lower()
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.lstrip(".").rsplit(":", 1)[0] if entry.count(":") == 1 else entry.lstrip(".")
        if hostname == entry or hostname.endswith("." + entry):
            return True
    return False


_TLS: list[ssl.SSLContext] = []
_TLS_LOCK = threading.Lock()


def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: the one the wire checks use for the system's CAs, which looks them up
    on demand where that trusts the same set (transport.tls_context, truststore.py) instead of reading all of them up
    front (~240 M instructions with OpenSSL 3, valgrind)."""
    with _TLS_LOCK:
        if not _TLS:
            _TLS.append(transport.tls_context(None))
        return _TLS[0]


def warm(tls: bool) -> None:
    """Do the one-time work before a diagnosis' clock starts: the TLS context for an https endpoint."""
    if tls:
        _tls_context()


class TC3Client:
    """Signed calls to one API endpoint (SCHEME://HOST) of one SERVICE. Thread-safe: idle connections are pooled
    and each call holds its own."""

    def __init__(
        self,
        endpoint: str,
        secret_id: str,
        secret_key: str,
        token: str | None = None,
        *,
        service: str,
        version: str,
        language: str = "en-US",
        env: Mapping[str, str] | None = None,
    ):
        u = urlsplit(endpoint)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError("the endpoint must be http(s)://HOST[:PORT]")
        self.scheme, self.host = u.scheme, u.netloc.lower()
        self._port = u.port or (443 if u.scheme == "https" else 80)
        self._hostname = u.hostname
        self._secret_id, self._secret_key, self._token = secret_id, secret_key, token
        self.service, self.version, self.language = service, version, language
        self._proxy = _proxy_for(self.scheme, self.host, env)
        self._ssl = _tls_context() if self.scheme == "https" else None
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the credentials
        return f"TC3Client({self.scheme}://{self.host}, service={self.service})"

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        if self._proxy is None:
            if self._ssl is not None:
                return http.client.HTTPSConnection(self._hostname, self._port, timeout=timeout, context=self._ssl)
            return http.client.HTTPConnection(self._hostname, self._port, timeout=timeout)
        phost, pport, auth = self._proxy
        if self._ssl is not None:
            conn = http.client.HTTPSConnection(phost, pport, timeout=timeout, context=self._ssl)
            conn.set_tunnel(self._hostname, self._port, headers=auth or None)
            return conn
        return http.client.HTTPConnection(phost, pport, timeout=timeout)

    def _take(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect(timeout), False
            try:
                # an idle connection that is readable has been closed by the server (or holds garbage): drop it
                if conn.sock is None or select.select([conn.sock], [], [], 0)[0]:
                    raise OSError("stale")
                conn.sock.settimeout(timeout)
            except (OSError, ValueError):
                conn.close()
                continue
            conn.timeout = timeout
            return conn, True

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < _IDLE_MAX:
                self._idle.append(conn)
                return
        conn.close()

    def warm(self, count: int, timeout: float) -> None:
        """Open up to COUNT connections in the background (TCP, and TLS for https) and keep them idle in the pool, so
        calls sent together later do not each pay a connection set-up (on the real API a TLS handshake: two round
        trips and milliseconds of CPU). Best effort: a connection that fails is dropped."""
        with self._lock:
            count -= len(self._idle)
        for _ in range(max(0, min(count, _IDLE_MAX))):
            threading.Thread(target=self._warm_one, args=(timeout,), daemon=True, name="tc3-warm").start()

    def _warm_one(self, timeout: float) -> None:
        conn = self._connect(timeout)
        try:
            conn.connect()
        except (OSError, http.client.HTTPException):
            conn.close()
            return
        self._give_back(conn)

    def __del__(self) -> None:  # a diagnosis' client goes with its diagnosis: so do its kept-alive connections
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def headers(self, action: str, region: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """The request headers of ACTION in REGION with BODY, signed."""
        ts = int(time.time()) if timestamp is None else timestamp
        scope, sig = signature(self._secret_key, self.service, self.host, action, body, ts)
        h = {
            "Authorization": f"{ALGORITHM} Credential={self._secret_id}/{scope}, "
            f"SignedHeaders={SIGNED_HEADERS}, Signature={sig}",
            "Content-Type": CONTENT_TYPE,
            "Host": self.host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(ts),
            "X-TC-Version": self.version,
            "X-TC-Region": region,
            "X-TC-Language": self.language,
        }
        if self._token:
            h["X-TC-Token"] = self._token
        return h

    def call(self, action: str, region: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        """The `Response` object of ACTION (RequestId included). Raises TC3Error or TransportError."""
        body = json.dumps(params, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers = self.headers(action, region, body)
        path = "/"
        if self._proxy is not None and self._ssl is None:  # plain http through a proxy: the absolute URI
            path = f"http://{self.host}/"
            headers.update(self._proxy[2])
        status, data = self._post(path, body, headers, timeout)
        return _answer(status, data)

    def _post(self, path: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
        """(status, body) of one POST on a pooled connection; sent again once on a fresh connection when a kept-alive
        one turns out to have been closed by the server (every action is read-only). Raises TransportError."""
        for attempt in (0, 1):
            conn, reused = self._take(max(0.001, timeout))
            try:
                conn.request("POST", path, body, headers)
                resp = conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                conn.close()
                if reused and attempt == 0:
                    continue
                raise TransportError("connection", type(exc).__name__) from None
            except TimeoutError:
                conn.close()
                raise TransportError("timeout", "timed out") from None
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise TransportError("connection", type(exc).__name__) from None
            if resp.will_close:
                conn.close()
            else:
                self._give_back(conn)
            return resp.status, data
        raise TransportError("connection", "RemoteDisconnected")  # not reached: attempt 1 returns or raises


def _answer(status: int, data: bytes) -> dict[str, Any]:
    """The `Response` object of an API answer. Raises TransportError (not the API) or TC3Error (its Error)."""
    if status != 200:
        raise TransportError("http_status", str(status))
    try:
        doc = json.loads(data)
    except ValueError:
        raise TransportError("not_api", "the body is not JSON") from None
    answer = doc.get("Response") if isinstance(doc, dict) else None
    if not isinstance(answer, dict):
        raise TransportError("not_api", "no Response object")
    err = answer.get("Error")
    if isinstance(err, dict):
        raise TC3Error(str(err.get("Code") or ""), str(err.get("Message") or ""), str(answer.get("RequestId") or ""))
    return answer
