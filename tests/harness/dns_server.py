"""A real DNS server on 127.0.0.1:<port> over UDP and TCP (dnspython message API), serving a configurable zone.

    zone = Zone.default(registry_ip="127.0.0.1")
    with DNSServer(zone) as dns:           # dns.port, dns.nameserver ("127.0.0.1:PORT"), dns.resolver()
        ...

Behaviour per name (case-insensitive, trailing dot optional):
* records:   {"name": [("A", "10.1.2.3"), ("AAAA", "::1"), ("CNAME", "other.name")]} -> NOERROR answers,
             CNAMEs chased inside the zone (the chain is in the answer section); a name with records but none of
             the asked type -> NOERROR, empty answer (NODATA).
* servfail:  names answered with SERVFAIL.
* drop:      names whose queries are never answered (UDP ignored; TCP held open, no reply) -> client timeout.
* delay:     {"name": seconds} answered after a delay.
* anything else -> NXDOMAIN (with an SOA in the authority section).
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

from ._net import LOOPBACK, assert_loopback
from .tls import DNS_DOMAIN

TTL = 60

# Addresses used by the default zone. Tests must NEVER connect to the non-loopback ones (run --only dns,endpoint).
PRIVATE_10 = "10.12.3.4"
LINK_LOCAL = "169.254.10.20"
PRIVATE_192 = "192.168.31.7"
CGNAT_100 = "100.64.8.9"  # Tencent's internal 100.* range (also RFC 6598 shared space)
PUBLIC_V4 = "129.226.100.200"  # a public address (never connected to)
PUBLIC_V6 = "2402:4e00:1::100"  # a public IPv6 address (never connected to)


def _n(name: str) -> str:
    return name.lower().rstrip(".") + "."


@dataclass
class Zone:
    records: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    servfail: set[str] = field(default_factory=set)
    drop: set[str] = field(default_factory=set)
    delay: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        self.records = {_n(k): [(t.upper(), v) for t, v in vs] for k, vs in self.records.items()}
        self.servfail = {_n(x) for x in self.servfail}
        self.drop = {_n(x) for x in self.drop}
        self.delay = {_n(k): v for k, v in self.delay.items()}

    def add(self, name: str, rtype: str, value: str) -> Zone:
        self.records.setdefault(_n(name), []).append((rtype.upper(), value))
        return self

    # Names of the default zone (all under tcr-doctor.test unless noted).
    REGISTRY = f"registry.{DNS_DOMAIN}"  # A registry_ip (127.0.0.1): the real registry, port from fixture
    ALIAS = f"alias.{DNS_DOMAIN}"  # CNAME -> registry.tcr-doctor.test
    DUAL = f"dual.{DNS_DOMAIN}"  # A 127.0.0.1 + AAAA ::1
    V6ONLY = f"v6only.{DNS_DOMAIN}"  # AAAA ::1 only
    INTERNAL = f"internal.{DNS_DOMAIN}"  # A 10.12.3.4
    LINKLOCAL = f"linklocal.{DNS_DOMAIN}"  # A 169.254.10.20
    PRIVATE192 = f"lan.{DNS_DOMAIN}"  # A 192.168.31.7
    CGNAT = f"cgnat.{DNS_DOMAIN}"  # A 100.64.8.9
    PUBLIC = f"public.{DNS_DOMAIN}"  # A 129.226.100.200 + AAAA 2402:4e00:1::100
    MIXED = f"mixed.{DNS_DOMAIN}"  # A 10.12.3.4 + A 129.226.100.200
    INTERNAL_CNAME = f"vpc-alias.{DNS_DOMAIN}"  # CNAME -> internal.tcr-doctor.test
    DANGLING = f"dangling.{DNS_DOMAIN}"  # CNAME -> missing.tcr-doctor.test (NXDOMAIN)
    NXDOMAIN = f"nxdomain.{DNS_DOMAIN}"  # NXDOMAIN (as is any unlisted name)
    SERVFAIL = f"servfail.{DNS_DOMAIN}"  # SERVFAIL
    TIMEOUT = f"timeout.{DNS_DOMAIN}"  # never answered
    SLOW = f"slow.{DNS_DOMAIN}"  # A 127.0.0.1 after 1.0 s
    NODATA = f"nodata.{DNS_DOMAIN}"  # exists (TXT only): NOERROR, no A/AAAA
    # TCR-looking names (their real counterparts are never queried: only this server is asked)
    TCR_PUBLIC = "shop-tcr.tencentcloudcr.com"  # A 129.226.100.200 (public endpoint)
    TCR_INTERNAL = "shop-tcr-vpc.tencentcloudcr.com"  # A 10.12.3.4 (VPC endpoint via private DNS)
    TCR_LOCAL = "local-tcr.tencentcloudcr.com"  # A 127.0.0.1 (a TCR-looking name for the real registry)
    TCR_MISSING = "no-such-instance.tencentcloudcr.com"  # NXDOMAIN

    @classmethod
    def default(cls, registry_ip: str = "127.0.0.1") -> Zone:
        return cls(
            records={
                cls.REGISTRY: [("A", registry_ip)],
                cls.ALIAS: [("CNAME", cls.REGISTRY)],
                cls.DUAL: [("A", "127.0.0.1"), ("AAAA", "::1")],
                cls.V6ONLY: [("AAAA", "::1")],
                cls.INTERNAL: [("A", PRIVATE_10)],
                cls.LINKLOCAL: [("A", LINK_LOCAL)],
                cls.PRIVATE192: [("A", PRIVATE_192)],
                cls.CGNAT: [("A", CGNAT_100)],
                cls.PUBLIC: [("A", PUBLIC_V4), ("AAAA", PUBLIC_V6)],
                cls.MIXED: [("A", PRIVATE_10), ("A", PUBLIC_V4)],
                cls.INTERNAL_CNAME: [("CNAME", cls.INTERNAL)],
                cls.DANGLING: [("CNAME", f"missing.{DNS_DOMAIN}")],
                cls.SLOW: [("A", "127.0.0.1")],
                cls.NODATA: [("TXT", '"no addresses here"')],
                cls.TCR_PUBLIC: [("A", PUBLIC_V4)],
                cls.TCR_INTERNAL: [("A", PRIVATE_10)],
                cls.TCR_LOCAL: [("A", registry_ip)],
            },
            servfail={cls.SERVFAIL},
            drop={cls.TIMEOUT},
            delay={cls.SLOW: 1.0},
        )

    # ---- answering ------------------------------------------------------------------------------------------
    def answer(self, wire: bytes) -> bytes | None:
        """Wire query -> wire response, or None to drop."""
        try:
            q = dns.message.from_wire(wire)
        except Exception:  # noqa: BLE001 - garbage: FORMERR is not worth it, drop
            return None
        resp = dns.message.make_response(q)
        resp.flags |= dns.flags.AA | dns.flags.RA
        if not q.question:
            resp.set_rcode(dns.rcode.FORMERR)
            return resp.to_wire()
        question = q.question[0]
        name = question.name.to_text().lower()
        if name in self.drop:
            return None
        if name in self.delay:
            time.sleep(self.delay[name])
        if name in self.servfail:
            resp.set_rcode(dns.rcode.SERVFAIL)
            return resp.to_wire()
        qtype = dns.rdatatype.to_text(question.rdtype)
        current = name
        for _ in range(10):
            recs = self.records.get(current)
            if recs is None:
                resp.set_rcode(dns.rcode.NXDOMAIN)
                self._soa(resp, current)
                break
            cname = [v for t, v in recs if t == "CNAME"]
            if cname and qtype != "CNAME":
                self._add(resp, current, "CNAME", [cname[0]])
                current = _n(cname[0])
                continue
            values = [v for t, v in recs if t == qtype or qtype == "ANY"]
            if values:
                self._add(resp, current, qtype, values)
            else:
                self._soa(resp, current)  # NODATA
            break
        return resp.to_wire()

    @staticmethod
    def _add(resp, name, rtype, values):
        rrset = dns.rrset.from_text_list(
            name, TTL, dns.rdataclass.IN, rtype, [v if rtype != "CNAME" else _n(v) for v in values]
        )
        resp.answer.append(rrset)

    @staticmethod
    def _soa(resp, name):
        labels = name.rstrip(".").split(".")
        apex = ".".join(labels[-2:]) + "." if len(labels) >= 2 else name
        resp.authority.append(
            dns.rrset.from_text(apex, TTL, "IN", "SOA", f"ns.{apex} hostmaster.{apex} 1 3600 600 86400 {TTL}")
        )


class DNSServer:
    """UDP + TCP DNS server on one loopback port. Attributes: host, port, nameserver ("IP:PORT"), queries."""

    def __init__(self, zone: Zone | None = None, host: str = LOOPBACK):
        assert_loopback(host)
        self.zone = zone or Zone.default()
        self.bind_host = host
        self.port: int | None = None
        self.queries: list[tuple[str, str, str]] = []  # (name, type, "udp"|"tcp")
        self._lock = threading.Lock()
        self._servers = []
        self._threads = []
        self._stop = threading.Event()

    @property
    def host(self):
        return self.bind_host

    @property
    def nameserver(self) -> str:
        return f"{self.bind_host}:{self.port}"

    def resolver(self, timeout: float = 2.0) -> dns.resolver.Resolver:
        """A dnspython resolver asking only this server (no /etc/resolv.conf)."""
        r = dns.resolver.Resolver(configure=False)
        r.nameservers = [self.bind_host]
        r.port = self.port
        r.timeout = r.lifetime = timeout
        r.cache = None
        return r

    def _log(self, wire: bytes, proto: str):
        try:
            q = dns.message.from_wire(wire).question[0]
            with self._lock:
                self.queries.append((q.name.to_text().lower(), dns.rdatatype.to_text(q.rdtype), proto))
        except Exception:  # noqa: BLE001
            pass

    def start(self) -> DNSServer:
        last = None
        for _ in range(20):
            udp = _UDP((self.bind_host, 0), _UDPHandler, self)
            port = udp.server_address[1]
            try:
                tcp = _TCP((self.bind_host, port), _TCPHandler, self)
            except OSError as exc:
                last = exc
                udp.server_close()
                continue
            self.port = port
            self._servers = [udp, tcp]
            break
        else:
            raise RuntimeError(f"could not bind UDP+TCP on one port: {last}")
        for s in self._servers:
            t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="dns")
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()
        for s in self._servers:
            s.shutdown()
            s.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _UDPHandler(socketserver.BaseRequestHandler):
    """One query over UDP: answered by the zone, or dropped (no reply)."""

    def handle(self):
        data, sock = self.request
        dnsserver: DNSServer = self.server.dns_server
        dnsserver._log(data, "udp")
        out = dnsserver.zone.answer(data)
        if out is not None:
            sock.sendto(out, self.client_address)


class _TCPHandler(socketserver.BaseRequestHandler):
    """Length-prefixed queries over one TCP connection; a dropped one holds the connection and never answers."""

    def handle(self):
        dnsserver: DNSServer = self.server.dns_server
        self.request.settimeout(30)
        try:
            while not dnsserver._stop.is_set():
                data = self._message()
                if data is None:
                    return
                dnsserver._log(data, "tcp")
                out = dnsserver.zone.answer(data)
                if out is None:  # dropped: hold the connection, never answer
                    dnsserver._stop.wait(30)
                    return
                self.request.sendall(struct.pack("!H", len(out)) + out)
        except OSError:
            return

    def _message(self):
        hdr = self._recv(2)
        return None if hdr is None else self._recv(struct.unpack("!H", hdr)[0])

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf


class _Serving:
    """What both of the DNS server's sockets share: the address family of their address, the DNSServer their handler
    answers from, and threads that never hold a stop."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address, handler, dns_server: DNSServer):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.dns_server = dns_server
        super().__init__(address, handler)


class _UDP(_Serving, socketserver.ThreadingUDPServer):
    pass


class _TCP(_Serving, socketserver.ThreadingTCPServer):
    allow_reuse_address = True
