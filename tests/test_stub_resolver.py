"""The stub resolver (diagnostics/stub_resolver.py) answers as dnspython's resolver does: both ask the tests' DNS
server the same questions; hostile replies are ignored or refused, never a crash; resolv.conf is read as dnspython
reads it; and net.resolve asks the servers resolv.conf names when no --nameserver is given."""

from __future__ import annotations

import socket
import struct
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.resolver
import dns.rrset
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics import net, stub_resolver
from tests.harness.dns_server import Zone

QUICK = [
    Zone.REGISTRY,
    Zone.ALIAS,
    Zone.DUAL,
    Zone.V6ONLY,
    Zone.PUBLIC,
    Zone.MIXED,
    Zone.INTERNAL_CNAME,
    Zone.DANGLING,
    Zone.NXDOMAIN,
    Zone.SERVFAIL,
    Zone.NODATA,
    Zone.TCR_PUBLIC,
    "ALIAS.tcr-doctor.TEST",  # names are case-insensitive
    "registry.tcr-doctor.test.",  # absolute
]


def by_dnspython(server, name: str, rdtype: str, timeout: float):
    try:
        answer = server.resolver(timeout).resolve(name, rdtype, search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return ("nxdomain",)
    except dns.exception.Timeout:
        return ("timeout",)
    except dns.resolver.NoNameservers:
        return ("servfail",)
    addresses = [rd.address for rd in answer.rrset] if answer.rrset is not None else []
    cnames = [rd.target.to_text().rstrip(".") for rrset in answer.response.answer if rrset.rdtype == 5 for rd in rrset]
    return ("ok", addresses, cnames if addresses else [])


def by_stub(servers, name: str, rdtype: str, timeout: float):
    try:
        answer = stub_resolver.resolve(name, rdtype, servers, timeout, timeout)
    except stub_resolver.NXDomain:
        return ("nxdomain",)
    except stub_resolver.Timeout:
        return ("timeout",)
    except stub_resolver.NoNameservers:
        return ("servfail",)
    return ("ok", answer.addresses, answer.cnames if answer.addresses else [])


@pytest.mark.parametrize("rdtype", ["A", "AAAA"])
@pytest.mark.parametrize("name", QUICK)
def test_the_stub_answers_as_dnspython_does(dns_server, name, rdtype):
    servers = [(dns_server.host, dns_server.port)]
    ours, reference = by_stub(servers, name, rdtype, 2.0), by_dnspython(dns_server, name, rdtype, 2.0)
    # the server shuffles an rrset's records on the wire (dnspython's to_wire); both keep the order received
    assert [sorted(x) if isinstance(x, list) else x for x in ours] == [
        sorted(x) if isinstance(x, list) else x for x in reference
    ]


def test_a_silent_server_is_a_timeout_for_both(dns_server):
    servers = [(dns_server.host, dns_server.port)]
    start = time.monotonic()
    assert by_stub(servers, Zone.TIMEOUT, "A", 0.4) == ("timeout",) == by_dnspython(dns_server, Zone.TIMEOUT, "A", 0.4)
    assert time.monotonic() - start < 5  # two lifetimes of 0.4 s, with room for a loaded machine


def test_a_failing_server_is_dropped_and_the_next_one_asked(dns_server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        refusing = _Server(lambda q: _reply(q, rcode=dns.rcode.REFUSED))
        try:
            servers = [("127.0.0.1", refusing.port), (dns_server.host, dns_server.port)]
            assert by_stub(servers, Zone.REGISTRY, "A", 2.0) == ("ok", ["127.0.0.1"], [])
            # a silent first server is waited for (timeout), then the next one answers
            servers = [silent.getsockname(), (dns_server.host, dns_server.port)]
            assert stub_resolver.resolve(Zone.REGISTRY, "A", servers, 0.3, 3.0).addresses == ["127.0.0.1"]
            with pytest.raises(stub_resolver.NoNameservers, match="answered REFUSED"):
                stub_resolver.resolve(Zone.REGISTRY, "A", [("127.0.0.1", refusing.port)], 1.0, 1.0)
        finally:
            refusing.stop()


def test_hostile_replies_are_ignored_and_a_truncated_one_is_asked_again_over_tcp():
    def answer(query: dns.message.Message) -> list[bytes]:
        good = _reply(query, address="127.0.0.9")
        wrong_id = bytearray(good)
        wrong_id[0] ^= 0xFF
        loop = good[:12] + b"\xc0\x0c"  # a name that points at itself
        truncated = bytearray(_reply(query, address="127.0.0.1"))
        truncated[2] |= 0x02
        return [b"\x00" * 5, bytes(wrong_id), loop, bytes(truncated)]  # over UDP; TCP gets `good`

    server = _Server(answer, tcp_answer=lambda q: _reply(q, address="127.0.0.9"))
    try:
        assert stub_resolver.resolve("x.test", "A", [("127.0.0.1", server.port)], 2.0, 2.0).addresses == ["127.0.0.9"]
        assert server.tcp_queries == 1
    finally:
        server.stop()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_refused_as_a_broken_reply(data):
    try:
        stub_resolver._parse(data)
    except stub_resolver._FormError:
        pass


def test_only_plain_host_names_are_left_to_the_stub():
    assert stub_resolver.handles("shop-tcr.tencentcloudcr.com") and stub_resolver.handles("a_b.example.")
    for name in ("例子.cn", "a..b", "x" * 64 + ".com", "a\\.b", "", "a b"):
        assert not stub_resolver.handles(name), name


def test_resolv_conf_is_read_as_dnspython_reads_it(tmp_path):
    conf = tmp_path / "resolv.conf"
    conf.write_text(
        "# comment\n; nameserver 9.9.9.9\nsearch a.example\noptions timeout:1 rotate\nnameserver 10.0.0.2\n"
        "nameserver   fe80::1%eth0\nnameserver\n"
    )
    assert stub_resolver.read_resolv_conf(str(conf)) == [("10.0.0.2", 53), ("fe80::1%eth0", 53)]
    resolver = dns.resolver.Resolver(filename=str(conf))
    assert [ip for ip, _ in stub_resolver.read_resolv_conf(str(conf))] == resolver.nameservers
    conf.write_text("search a.example\n")
    with pytest.raises(stub_resolver.NoConfiguration, match="no nameservers"):
        stub_resolver.read_resolv_conf(str(conf))
    with pytest.raises(stub_resolver.NoConfiguration, match="cannot open"):
        stub_resolver.read_resolv_conf(str(tmp_path / "missing"))


def test_without_a_nameserver_the_servers_of_resolv_conf_are_asked(dns_server, monkeypatch):
    conf = stub_resolver.Config([(dns_server.host, dns_server.port)], stub_resolver.Options(edns0=True))
    monkeypatch.setattr(stub_resolver, "read_config", lambda path=None: conf)
    r = net.resolve(Zone.ALIAS, None, net.Deadline(3))
    assert (r.addresses, r.cnames, r.nameserver, r.error) == (["127.0.0.1"], [Zone.REGISTRY], "127.0.0.1", None)
    assert net.resolve(Zone.NXDOMAIN, None, net.Deadline(3)).error == "nxdomain"
    monkeypatch.setattr(stub_resolver, "read_config", _no_configuration)
    r = net.resolve(Zone.NXDOMAIN, None, net.Deadline(3))
    assert (r.error, r.detail) == ("servfail", "no nameservers")


def _no_configuration(path=None):
    raise stub_resolver.NoConfiguration("no nameservers")


# ------------------------------------------------------------------------------------------------ helpers
def _reply(query: dns.message.Message, rcode: int = dns.rcode.NOERROR, address: str | None = None) -> bytes:
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    if address:
        response.answer.append(dns.rrset.from_text(query.question[0].name, 60, "IN", "A", address))
    return response.to_wire()


class _Server:
    """A loopback DNS server whose UDP answers are whatever ANSWER returns (one reply or several in a row)."""

    def __init__(self, answer, tcp_answer=None):
        # UDP and TCP on one port: the port the kernel picks for UDP may be taken for TCP by another test's socket
        # (seen in a full run: EADDRINUSE), so pick again until both bind
        for attempt in range(50):
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
                if attempt == 49:
                    raise
        self.tcp.listen()
        self.answer, self.tcp_answer, self.tcp_queries = answer, tcp_answer, 0
        threading.Thread(target=self._serve_udp, daemon=True).start()
        threading.Thread(target=self._serve_tcp, daemon=True).start()

    def _serve_udp(self):
        while True:
            try:
                data, peer = self.udp.recvfrom(4096)
            except OSError:
                return
            out = self.answer(dns.message.from_wire(data))
            for wire in out if isinstance(out, list) else [out]:
                self.udp.sendto(wire, peer)

    def _serve_tcp(self):
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            with conn:
                size = struct.unpack("!H", conn.recv(2))[0]
                query = dns.message.from_wire(conn.recv(size))
                self.tcp_queries += 1
                out = self.tcp_answer(query) if self.tcp_answer else b""
                conn.sendall(struct.pack("!H", len(out)) + out)

    def stop(self):
        self.udp.close()
        self.tcp.close()


def test_a_name_the_stub_leaves_to_dnspython_is_resolved_the_same_way(dns_server):
    name = "例子.tcr-doctor.test"  # an IDN: dnspython's encoding rules are the reference
    assert not stub_resolver.handles(name)
    r = net.resolve(name, dns_server.nameserver, net.Deadline(3))
    assert (r.error, r.nameserver) == ("nxdomain", dns_server.nameserver)
    assert net.resolve(Zone.ALIAS, dns_server.nameserver, net.Deadline(3)).cnames == [Zone.REGISTRY]


# ------------------------------------------------------------------------------------------------ resolv.conf options
def test_resolv_conf_options_are_read_as_the_clients_read_them(tmp_path):
    """resolv.conf(5) (glibc): at most MAXNS (3) nameservers; timeout capped to 30, attempts to 5; a later option
    overrides an earlier one; RES_OPTIONS amends the file. ndots and search are not applied (names are absolute)."""
    conf = tmp_path / "resolv.conf"
    conf.write_text(
        "nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n"
        "search svc.cluster.local\noptions ndots:5 timeout:99 attempts:9\noptions rotate edns0 bogus timeout:x\n"
    )
    got = stub_resolver.read_config(str(conf), env={})
    assert got.nameservers == [("10.0.0.1", 53), ("10.0.0.2", 53), ("10.0.0.3", 53)]
    assert got.options == stub_resolver.Options(timeout=30.0, attempts=5, rotate=True, edns0=True)
    got = stub_resolver.read_config(str(conf), env={"RES_OPTIONS": "timeout:1 attempts:1"})
    assert (got.options.timeout, got.options.attempts) == (1.0, 1)
    conf.write_text("nameserver 10.0.0.1\noptions timeout:3\n")
    got = stub_resolver.read_config(str(conf), env={})
    assert got.options == stub_resolver.Options(timeout=3.0)
    assert dns.resolver.Resolver(filename=str(conf)).timeout == got.options.timeout  # dnspython reads timeout too


def _two_servers(dns_server_factory):
    one = dns_server_factory(Zone(records={"rr.tcr-doctor.test": [("A", "127.0.0.1")]}))
    two = dns_server_factory(Zone(records={"rr.tcr-doctor.test": [("A", "127.0.0.2")]}))
    return one, two, [(one.host, one.port), (two.host, two.port)]


def _asked(server, name="rr.tcr-doctor.test."):
    return sum(1 for q in server.queries if q[0] == name)


def test_rotate_starts_each_query_at_the_next_server(dns_server_factory):
    one, two, servers = _two_servers(dns_server_factory)
    plain = [stub_resolver.resolve("rr.tcr-doctor.test", "A", servers, 1.0, 2.0).addresses[0] for _ in range(4)]
    assert plain == ["127.0.0.1"] * 4 and _asked(two) == 0  # in order: the first server answers every query
    rotate = stub_resolver.Options(rotate=True)
    seen = [stub_resolver.resolve("rr.tcr-doctor.test", "A", servers, 1.0, 2.0, rotate).addresses[0] for _ in range(4)]
    assert sorted(seen) == ["127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.2"]  # round-robin, as glibc's rotate
    assert (_asked(one), _asked(two)) == (6, 2)


@pytest.mark.parametrize("name", QUICK)
def test_with_edns0_the_stub_still_answers_as_dnspython_does(dns_server, name):
    servers = [(dns_server.host, dns_server.port)]
    try:
        ours = ("ok", stub_resolver.resolve(name, "A", servers, 2.0, 2.0, stub_resolver.Options(edns0=True)).addresses)
    except stub_resolver.NXDomain:
        ours = ("nxdomain",)
    except stub_resolver.NoNameservers:
        ours = ("servfail",)
    resolver = dns_server.resolver(2.0)
    resolver.use_edns(0, 0, stub_resolver.EDNS_PAYLOAD)
    try:
        answer = resolver.resolve(name, "A", search=False, raise_on_no_answer=False)
        reference = ("ok", [rd.address for rd in answer.rrset] if answer.rrset is not None else [])
    except dns.resolver.NXDOMAIN:
        reference = ("nxdomain",)
    except dns.resolver.NoNameservers:
        reference = ("servfail",)
    assert [sorted(x) if isinstance(x, list) else x for x in ours] == [
        sorted(x) if isinstance(x, list) else x for x in reference
    ]


def _big(query: dns.message.Message) -> dns.message.Message:
    response = dns.message.make_response(query)
    addresses = [f"127.0.1.{n}" for n in range(1, 41)]  # 40 A records: about 700 bytes, more than 512
    response.answer.append(dns.rrset.from_text_list(query.question[0].name, 60, "IN", "A", addresses))
    return response


def test_edns0_takes_a_large_answer_over_udp_and_falls_back_when_refused():
    """Without EDNS0 an answer over 512 bytes is truncated and asked again over TCP; with `options edns0` it comes
    over UDP, as the client gets it. A server that answers an EDNS0 query with FORMERR is asked again without it."""
    edns = []

    def answer(query):
        edns.append(query.edns >= 0 and query.payload == stub_resolver.EDNS_PAYLOAD)
        wire = _big(query).to_wire()
        if len(wire) <= (query.payload if query.edns >= 0 else 512):
            return wire
        cut = dns.message.make_response(query)  # does not fit: TC and no answer, as a server truncates
        cut.flags |= dns.flags.TC
        return cut.to_wire()

    server = _Server(answer, tcp_answer=lambda q: _big(q).to_wire())
    try:
        servers = [("127.0.0.1", server.port)]
        assert len(stub_resolver.resolve("big.test", "A", servers, 2.0, 2.0).addresses) == 40
        assert server.tcp_queries == 1 and edns == [False]
        got = stub_resolver.resolve("big.test", "A", servers, 2.0, 2.0, stub_resolver.Options(edns0=True))
        assert len(got.addresses) == 40 and server.tcp_queries == 1 and edns == [False, True]
    finally:
        server.stop()

    def old_server(query):
        if query.edns >= 0:
            response = dns.message.make_response(query)
            response.use_edns(-1)
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        return _reply(query, address="127.0.0.9")

    server = _Server(old_server)
    try:
        got = stub_resolver.resolve(
            "x.test", "A", [("127.0.0.1", server.port)], 2.0, 2.0, stub_resolver.Options(edns0=True)
        )
        assert got.addresses == ["127.0.0.9"]
    finally:
        server.stop()


def test_attempts_and_timeout_bound_a_silent_server():
    """`attempts:n` ends the resolution after n rounds over the servers (glibc), not when the diagnosis' lifetime
    runs out; `timeout:n` is how long each server is waited for."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.settimeout(0)
        servers = [silent.getsockname()]
        for attempts in (1, 2):
            start = time.monotonic()
            with pytest.raises(stub_resolver.Timeout, match=f"attempts:{attempts}"):
                stub_resolver.resolve("x.test", "A", servers, 0.2, 10.0, stub_resolver.Options(attempts=attempts))
            assert time.monotonic() - start < 3  # not the 10 s lifetime
            received = 0
            while True:
                try:
                    silent.recv(512)
                    received += 1
                except BlockingIOError:
                    break
            assert received == attempts
        start = time.monotonic()
        with pytest.raises(stub_resolver.Timeout):
            stub_resolver.resolve("x.test", "A", servers, 0.2, 10.0, stub_resolver.Options(timeout=1, attempts=1))
        assert 0.9 <= time.monotonic() - start < 6  # resolv.conf's timeout:1 replaces the caller's 0.2 s
