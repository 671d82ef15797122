"""Low-level network helpers: a deadline, DNS (stub_resolver.py), address classes and TCP connections.

TLS and HTTP are in transport.py: a diagnosis whose DNS step fails never loads ssl or http.client (about 25 ms of
start-up, python -X importtime), so this module does not import them. Every connection goes to an address the DNS
step resolved (pinned). Every blocking call has a timeout no longer than what is left of the diagnosis deadline.
"""

from __future__ import annotations

import _thread
import functools
import time
from collections.abc import Callable

from . import stub_resolver
from .ip_literal import check_ip, is_ip
from .value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    import ipaddress
    import socket


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
        self.stopped_seconds = 0.0
        self._stop_lock = _thread.RLock()  # (threading's RLock; see diagnostics.runner on why not threading)
        self._stop_depth = 0

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

    def stopped(self) -> Stopped:
        """The clock stops meanwhile: for loading code (a check's module, the TLS/HTTP half), which is not network
        time. The deadline moves by the time spent and `elapsed()` leaves it out. One stop at a time (nested ones
        count once), so concurrent loads are not counted twice."""
        return Stopped(self)

    def elapsed(self) -> float:
        """Seconds since the diagnosis started, without the time the clock was stopped."""
        return time.monotonic() - self.start - self.stopped_seconds


class Stopped:
    """`with deadline.stopped():` (see Deadline.stopped). A class, not a @contextlib.contextmanager generator:
    contextlib is ~2.9 M instructions of a diagnosis's start-up (valgrind, benchmarks/bench_startup.py) and nothing
    else a diagnosis that ends at its DNS step runs needs it."""

    __slots__ = ("deadline", "start")

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.start = 0.0

    def __enter__(self) -> None:
        deadline = self.deadline
        deadline._stop_lock.acquire()
        deadline._stop_depth += 1
        self.start = time.monotonic()

    def __exit__(self, *exc_info: object) -> None:
        deadline = self.deadline
        try:
            deadline._stop_depth -= 1
            if not deadline._stop_depth:
                spent = time.monotonic() - self.start
                deadline.end += spent
                deadline.stopped_seconds += spent
        finally:
            deadline._stop_lock.release()


# ------------------------------------------------------------------------------------------------ DNS
class Resolution(Record):
    """What resolving HOST gave: its addresses and CNAME chain, or an error (a plain class, not a dataclass: see
    diagnostics.findings.Finding)."""

    def __init__(
        self,
        host: str,
        addresses: list[str] | None = None,
        cnames: list[str] | None = None,
        source: str = "dns",
        nameserver: str = "system",
        error: str | None = None,  # nxdomain | timeout | servfail | no_address | refused
        detail: object = "",
    ) -> None:
        self.host = host
        self.addresses: list[str] = [] if addresses is None else addresses
        self.cnames: list[str] = [] if cnames is None else cnames
        self.source = source
        self.nameserver = nameserver
        self.error = error
        self.detail = detail


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
    check_ip(host)
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
                    if not is_ip(fields[0]):
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
TENCENT_INTERNAL = ("10.0.0.0/8", "100.0.0.0/8", "169.254.0.0/16")
PRIVATE = ("172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10")


def classify_address(ip: str) -> str:
    """loopback | internal | public (Tencent: 10.*, 100.*, 169.254.* and any RFC1918 VPC link IP are internal)."""
    # ipaddress here, not at the top, and the networks parsed on first use: a diagnosis that ends at its DNS step
    # classifies no address and so never imports ipaddress (~6 M instructions, see diagnostics.ip_literal)
    import ipaddress

    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return "loopback"
    if any(addr in n for n in _networks() if n.version == addr.version):
        return "internal"
    if addr.is_unspecified or addr.is_reserved or addr.is_multicast:
        return "internal"
    return "public"


@functools.cache
def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    import ipaddress  # see classify_address

    return [ipaddress.ip_network(n) for n in TENCENT_INTERNAL + PRIVATE]


# ------------------------------------------------------------------------------------------------ TCP
def tcp_connect(ip: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to IP:PORT within TIMEOUT seconds (OSError when refused or unreachable)."""
    # socket here, not at the top: a diagnosis that ends at its DNS step opens no connection, and the module is ~15 M
    # instructions of its start-up (the stub resolver uses the socket type itself: see there)
    import socket

    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((ip, port))
    except BaseException:
        sock.close()
        raise
    return sock
