"""Low-level network helpers: a deadline, DNS (stub_resolver.py), pinned-address HTTP(S) connections.

Every connection goes to an address the DNS step resolved (pinned); TLS SNI and the Host header keep the
host name. Every blocking call has a timeout no longer than what is left of the diagnosis deadline.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import stub_resolver, truststore


class DeadlineExceeded(Exception):
    """The diagnosis deadline passed."""

    pass


class Deadline:
    """One deadline for the whole diagnosis, and the most one network step may take of it."""

    def __init__(self, seconds: float, step: float | None = None):
        self.total = float(seconds)
        self.start = time.monotonic()
        self.end = self.start + self.total
        # one network step may use at most `step` seconds, so a silent peer is reported by the step that
        # hit it (TLS_TIMEOUT, HTTP_TIMEOUT...) before the whole diagnosis runs out of time
        self.step = float(step) if step else max(0.5, min(5.0, self.total * 0.6))

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it passed)."""
        return self.end - time.monotonic()

    def timeout(self, step: float | None = None) -> float:
        """The timeout for one network step: STEP (default the per-step limit), no later than the deadline;
        DeadlineExceeded when it has passed."""
        left = self.remaining()
        if left <= 0.01:
            raise DeadlineExceeded()
        return max(0.01, min(step or self.step, left))

    def elapsed(self) -> float:
        """Seconds since the diagnosis started."""
        return time.monotonic() - self.start


# ------------------------------------------------------------------------------------------------ DNS
@dataclass
class Resolution:
    """What resolving HOST gave: its addresses and CNAME chain, or an error."""

    host: str
    addresses: list[str] = field(default_factory=list)
    cnames: list[str] = field(default_factory=list)
    source: str = "dns"
    nameserver: str = "system"
    error: str | None = None  # nxdomain | timeout | servfail | no_address | refused
    detail: object = ""


def parse_nameserver(value: str) -> tuple[str, int]:
    """IP[:PORT] or [IPv6]:PORT -> (ip, port). Raises ValueError."""
    v = value.strip()
    port = 53
    if v.startswith("["):
        host, _, rest = v[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"bad nameserver {value!r}")
            port = int(rest[1:])
    elif v.count(":") == 1:
        host, p = v.split(":")
        port = int(p)
    else:
        host = v
    ipaddress.ip_address(host)
    if not 0 < port < 65536:
        raise ValueError(f"bad port in {value!r}")
    return host, port


def _hosts_file_lookup(host: str, path: str = "/etc/hosts") -> list[str]:
    found = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for text in fh:
                fields = text.split("#", 1)[0].split()
                if len(fields) >= 2 and host in (n.lower() for n in fields[1:]):
                    try:
                        ipaddress.ip_address(fields[0])
                    except ValueError:
                        continue
                    if fields[0] not in found:
                        found.append(fields[0])
    except OSError:
        pass
    return found


Asker = Callable[[str, float], stub_resolver.Answer]  # (rdtype, lifetime) -> the answer; raises as stub_resolver


def resolve(host: str, nameserver: str | None, deadline: Deadline) -> Resolution:
    """A and AAAA (following CNAMEs); /etc/hosts first unless a nameserver was given. Plain host names are asked
    by the stub resolver (a tenth of dnspython's start-up), anything else by dnspython."""
    host = host.lower().rstrip(".")
    res = Resolution(host=host)
    if host == "localhost" or host.endswith(".localhost"):
        res.addresses, res.source, res.nameserver = ["127.0.0.1", "::1"], "localhost", "-"
        return res
    hosts = _hosts_file_lookup(host) if nameserver is None else []
    if hosts:
        res.addresses, res.source, res.nameserver = hosts, "/etc/hosts", "/etc/hosts"
        return res
    try:
        ask, res.nameserver = (_stub_asker if stub_resolver.handles(host) else _dnspython_asker)(host, nameserver)
    except (ValueError, stub_resolver.ResolverError) as exc:  # unreadable resolv.conf, bad nameserver
        res.error, res.detail = "servfail", str(exc)
        return res
    return _ask_both(res, ask, deadline)


def _ask_both(res: Resolution, ask: Asker, deadline: Deadline) -> Resolution:
    """A, then AAAA, into RES: addresses, CNAMEs, or why there are none."""
    saw_nodata = False
    timeouts = 0
    for rdtype in ("A", "AAAA"):
        try:
            answer = ask(rdtype, deadline.timeout())
        except DeadlineExceeded:
            res.error = res.error or "timeout"
            break
        except stub_resolver.NXDomain:
            res.error = "nxdomain"
            return res
        except stub_resolver.Timeout:
            timeouts += 1
            res.error = "timeout"
            if rdtype == "A":
                return res  # the server does not answer: asking again for AAAA would only double the wait
            continue
        except stub_resolver.ResolverError as exc:
            res.error, res.detail = "servfail", str(exc)[:300]
            return res
        if not answer.addresses:
            saw_nodata = True
            continue
        res.cnames.extend(c for c in answer.cnames if c not in res.cnames)
        res.addresses.extend(a for a in answer.addresses if a not in res.addresses)
    if res.addresses:
        res.error = None
    elif res.error is None:
        res.error = "no_address" if saw_nodata or timeouts == 0 else "timeout"
    return res


def _stub_asker(host: str, nameserver: str | None) -> tuple[Asker, str]:
    """Questions for HOST through the stub resolver, and the servers' name for the evidence."""
    if nameserver:
        ip, port = parse_nameserver(nameserver)
        servers = [(ip, port)]
        label = f"{ip}:{port}" if port != 53 else ip
        options = None  # a server given on the command line: no resolv.conf (dnspython's configure=False)
    else:
        conf = stub_resolver.read_config()
        servers, options = conf.nameservers, conf.options
        label = ",".join(ip for ip, _ in servers) or "system"

    def ask(rdtype: str, lifetime: float) -> stub_resolver.Answer:
        return stub_resolver.resolve(host, rdtype, servers, min(2.0, lifetime), lifetime, options)

    return ask, label


def _dnspython_asker(host: str, nameserver: str | None) -> tuple[Asker, str]:
    """The same through dnspython, for names the stub leaves to it (IDN, escapes, odd labels): the reference."""
    import dns.exception
    import dns.rdatatype
    import dns.resolver

    try:
        if nameserver:
            ip, port = parse_nameserver(nameserver)
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [ip]
            resolver.port = port
            label = f"{ip}:{port}" if port != 53 else ip
        else:
            resolver = dns.resolver.Resolver()
            label = ",".join(str(n) for n in resolver.nameservers) or "system"
    except Exception as exc:  # noqa: BLE001 - unreadable resolv.conf, bad nameserver
        raise stub_resolver.ResolverError(str(exc)) from None
    resolver.cache = None

    def ask(rdtype: str, lifetime: float) -> stub_resolver.Answer:
        resolver.timeout = min(2.0, lifetime)
        resolver.lifetime = lifetime
        try:
            answer = resolver.resolve(host, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            raise stub_resolver.NXDomain(host) from None
        except dns.exception.Timeout:  # LifetimeTimeout too
            raise stub_resolver.Timeout(host) from None
        except dns.exception.DNSException as exc:  # NoNameservers, YXDOMAIN, ...
            raise stub_resolver.ResolverError(str(exc)) from None
        if answer.rrset is None:
            return stub_resolver.Answer()
        cnames = [
            rd.target.to_text().rstrip(".")
            for rrset in answer.response.answer
            if rrset.rdtype == dns.rdatatype.CNAME
            for rd in rrset
        ]
        return stub_resolver.Answer(addresses=[rd.address for rd in answer.rrset], cnames=cnames)

    return ask, label


# ------------------------------------------------------------------------------------------------ address classes
TENCENT_INTERNAL = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "100.0.0.0/8", "169.254.0.0/16")]
PRIVATE = [ipaddress.ip_network(n) for n in ("172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10")]


def classify_address(ip: str) -> str:
    """loopback | internal | public (Tencent: 10.*, 100.*, 169.254.* and any RFC1918 VPC link IP are internal)."""
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return "loopback"
    if any(addr in n for n in TENCENT_INTERNAL + PRIVATE if n.version == addr.version):
        return "internal"
    if addr.is_unspecified or addr.is_reserved or addr.is_multicast:
        return "internal"
    return "public"


# ------------------------------------------------------------------------------------------------ TCP
def tcp_connect(ip: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to IP:PORT within TIMEOUT seconds (OSError when refused or unreachable)."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((ip, port))
    except BaseException:
        sock.close()
        raise
    return sock


# ------------------------------------------------------------------------------------------------ TLS
def tls_context(ca_file: str | None, verify: bool = True) -> ssl.SSLContext:
    """A client context (system CAs + CA_FILE). Verifying contexts are shared between diagnoses: loading the
    system CA store costs ~25 ms, and a context is safe to use from several threads."""
    if verify:
        key = (ca_file, _stamp(ca_file))
        building = _building.pop(key, None)
        if building is not None:
            building.join()  # prewarm_tls_context() is loading it: wait rather than load it twice
        return _verifying_context(*key)
    return _make_context(ca_file, verify)


def prewarm_tls_context(ca_file: str | None) -> None:
    """Start loading the verifying context for CA_FILE in a background thread; tls_context() then takes it.

    OpenSSL releases the GIL while it reads the system CA store (20-40 ms with OpenSSL 3), so a command that will
    talk TLS can overlap that with its own start-up (imports) instead of paying it inside the TLS step."""
    key = (ca_file, _stamp(ca_file))
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


def _stamp(ca_file: str | None) -> int:
    try:
        return os.stat(ca_file).st_mtime_ns if ca_file else 0
    except OSError:
        return -1


@functools.lru_cache(maxsize=16)
def _verifying_context(ca_file: str | None, stamp: int) -> ssl.SSLContext:
    return _make_context(ca_file, True)


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
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


@dataclass
class Response:
    """An HTTP answer, read whole (up to the body limit)."""

    status: int
    reason: str
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    url: str
    truncated: bool = False

    def header(self, name: str, default: str | None = None) -> str | None:
        """The header NAME (any case), repeated ones joined with ", "."""
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        import json

        return json.loads(self.body.decode("utf-8"))


class HTTPClient:
    """Requests over one keep-alive connection to one pinned (scheme, host, port, ip)."""

    def __init__(
        self, scheme: str, host: str, port: int, ip: str, deadline: Deadline, ssl_context: ssl.SSLContext | None
    ):
        self.scheme, self.host, self.port, self.ip = scheme, host, port, ip
        self.deadline = deadline
        self.ssl_context = ssl_context
        self._conn: http.client.HTTPConnection | None = None

    def _new(self, timeout: float) -> http.client.HTTPConnection:
        if self.scheme == "https":
            assert self.ssl_context is not None
            return _PinnedHTTPS(self.host, self.port, self.ip, timeout, self.ssl_context)
        return _PinnedHTTP(self.host, self.port, self.ip, timeout)

    def close(self) -> None:
        """Close the kept-alive connection (a later request opens a new one)."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

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
            reused = self._conn is not None
            conn = self._conn = self._conn or self._new(timeout)
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
                if truncated or resp.will_close:
                    self.close()
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
                self.close()
                if reused and attempt == 0:
                    continue  # a kept-alive connection the server had closed: retry once on a fresh one
                raise
            except BaseException:
                self.close()
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
