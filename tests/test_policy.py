"""The SSRF guard (diagnostics/policy.py): every probe below must be refused, allowed public names must pass.

Probes come in four groups: host strings as a user could type them (IP literals in every notation, user@host,
trailing dots, look-alike domains), resolved addresses (every internal range, also wrapped in IPv6), names that a
real DNS server on loopback resolves to internal addresses, and redirects served by a real HTTP server on loopback.
"""
from __future__ import annotations

import http.server
import socket
import socketserver
import threading

import pytest
import requests

from diagnostics.policy import AddressPolicy, Refusal, classify_address, looks_like_ip_literal

POLICY = AddressPolicy.public_registry()

# --- 1. host strings -------------------------------------------------------------------------------------
REFUSED_HOSTS = [
    # IP literals in every notation inet_aton(), browsers and curl accept
    ("127.0.0.1", "ip_literal"),
    ("2130706433", "ip_literal"),            # decimal 127.0.0.1
    ("017700000001", "ip_literal"),          # octal integer
    ("0x7f000001", "ip_literal"),            # hex integer
    ("0x7f.1", "ip_literal"),                # hex short form
    ("0x7f.0x0.0x0.0x1", "ip_literal"),
    ("0177.0.0.1", "ip_literal"),            # octal part
    ("0177.1", "ip_literal"),
    ("127.1", "ip_literal"),                 # short form
    ("127.0.1", "ip_literal"),
    ("169.254.169.254", "ip_literal"),       # metadata service
    ("2852039166", "ip_literal"),            # decimal 169.254.169.254
    ("0xa9fea9fe", "ip_literal"),            # hex 169.254.169.254
    ("10.0.0.1", "ip_literal"),
    ("8.8.8.8", "ip_literal"),               # even a public literal: names only
    ("[::1]", "ip_literal"),
    ("::1", "ip_literal"),
    ("[::ffff:127.0.0.1]", "ip_literal"),    # IPv4-mapped IPv6
    ("[::ffff:7f00:1]", "ip_literal"),
    ("[0:0:0:0:0:ffff:169.254.169.254]", "ip_literal"),
    ("[fe80::1%25eth0]", "ip_literal"),
    ("[64:ff9b::a9fe:a9fe]", "ip_literal"),  # NAT64 of the metadata service
    ("x.tencentcloudcr.com.0x7f", "ip_literal"),  # numeric last label
    ("tcr.1", "ip_literal"),
    # user@host tricks
    ("user@127.0.0.1", "userinfo"),
    ("shop.tencentcloudcr.com@169.254.169.254", "userinfo"),
    ("user:pass@shop.tencentcloudcr.com", "userinfo"),
    ("shop.tencentcloudcr.com%40evil.example", "syntax"),
    # trailing dots (bypass suffix checks, different cache keys)
    ("shop.tencentcloudcr.com.", "trailing_dot"),
    ("localhost.", "trailing_dot"),
    ("127.0.0.1.", "ip_literal"),
    # outside the allowed domains / look-alikes
    ("localhost", "syntax"),
    ("metadata.google.internal", "domain"),
    ("tencentcloudcr.com", "domain"),                     # the apex itself is not a registry
    ("shop.tencentcloudcr.com.evil.example", "domain"),
    ("shop-tencentcloudcr.com", "domain"),
    ("eviltencentcloudcr.com", "domain"),
    ("shop.tencentcloudcr.co", "domain"),
    # malformed / smuggling
    ("", "empty"),
    ("   ", "empty"),
    ("shop.tencentcloudcr.com/evil", "syntax"),
    ("shop.tencentcloudcr.com\\@evil", "userinfo"),
    ("shop.tencentcloudcr.com#@evil", "userinfo"),
    ("shop.tencentcloudcr.com\r\nHost: evil", "syntax"),
    (" shop.tencentcloudcr.com", "syntax"),
    ("shop\u3002tencentcloudcr\u3002com", "syntax"),      # ideographic full stops
    ("shop.tencentcloudcr.com\x00.evil", "syntax"),
    ("-shop.tencentcloudcr.com", "syntax"),
    ("a..tencentcloudcr.com", "syntax"),
    ("a" * 64 + ".tencentcloudcr.com", "syntax"),
]


@pytest.mark.parametrize("host,code", REFUSED_HOSTS, ids=[repr(h) for h, _ in REFUSED_HOSTS])
def test_host_refused(host, code):
    reason = POLICY.check_host(host)
    assert isinstance(reason, Refusal), f"{host!r} got through"
    assert reason.code == code
    assert reason.zh and reason.en and reason.zh != reason.en


ALLOWED_HOSTS = [
    "shop-tcr.tencentcloudcr.com",
    "SHOP-TCR.TencentCloudCR.com",
    "shop-tcr-vpc.tencentcloudcr.com",
    "ccr.ccs.tencentyun.com",
    "hkccr.ccs.tencentyun.com",
    "mirror.ccs.tencentyun.com",
    "1.2.3.4.tencentcloudcr.com",   # a name; its address is checked after resolution
]


@pytest.mark.parametrize("host", ALLOWED_HOSTS)
def test_public_registry_names_pass(host):
    assert POLICY.check_host(host) is None


def test_custom_domains_and_exact_names():
    policy = AddressPolicy.public_registry(domains=["*.example.test", "registry.other.test"])
    assert policy.check_host("a.example.test") is None
    assert policy.check_host("registry.other.test") is None
    assert policy.check_host("x.registry.other.test").code == "domain"
    assert policy.check_host("shop.tencentcloudcr.com").code == "domain"


def test_looks_like_ip_literal_does_not_flag_names():
    for name in ("shop.tencentcloudcr.com", "0x.tencentcloudcr.com", "123abc.ccs.tencentyun.com", "a1.b2.c3d"):
        assert not looks_like_ip_literal(name), name


# --- 2. resolved addresses -------------------------------------------------------------------------------
REFUSED_ADDRESSES = [
    ("127.0.0.1", "loopback"), ("127.255.255.254", "loopback"), ("::1", "loopback"),
    ("169.254.169.254", "metadata"), ("169.254.0.1", "link_local"), ("fe80::1", "link_local"),
    ("fe80::1%eth0", "link_local"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
    ("192.168.1.1", "private"), ("fd12:3456::1", "private"), ("fc00::1", "private"), ("fec0::1", "private"),
    ("100.64.0.1", "cgnat"), ("100.127.255.255", "cgnat"), ("100.100.100.200", "metadata"),
    ("224.0.0.251", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("0.1.2.3", "unspecified"), ("::", "unspecified"),
    ("255.255.255.255", "broadcast"), ("240.0.0.1", "reserved"), ("192.0.2.10", "reserved"),
    ("198.18.0.1", "reserved"), ("2001:db8::1", "reserved"),
    # IPv4 wrapped in IPv6
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "metadata"), ("::ffff:10.0.0.1", "private"),
    ("::127.0.0.1", "loopback"),                       # IPv4-compatible (deprecated)
    ("64:ff9b::7f00:1", "loopback"),                   # NAT64 well-known prefix
    ("64:ff9b::a9fe:a9fe", "metadata"),
    ("64:ff9b:1::c0a8:101", "private"),                # NAT64 local-use prefix
    ("2002:7f00:1::1", "loopback"),                    # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", "metadata"),                 # 6to4 of 169.254.169.254
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"),  # Teredo
    ("not-an-ip", "bad_address"),
]


@pytest.mark.parametrize("ip,code", REFUSED_ADDRESSES, ids=[ip for ip, _ in REFUSED_ADDRESSES])
def test_address_refused(ip, code):
    reason = POLICY.check_address(ip, "shop.tencentcloudcr.com")
    assert isinstance(reason, Refusal), f"{ip} got through"
    assert reason.code == code


@pytest.mark.parametrize("ip", ["1.1.1.1", "8.8.8.8", "119.28.0.1", "2606:4700:4700::1111",
                                "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses_pass(ip):
    assert POLICY.check_address(ip) is None
    assert classify_address(ip) is None


def test_private_reason_explains_vpc_in_both_languages():
    reason = POLICY.check_address("10.0.0.5", "shop-tcr.tencentcloudcr.com")
    assert "VPC" in reason.en and "VPC" in reason.zh
    assert "tcr-doctor diagnose shop-tcr.tencentcloudcr.com" in reason.en
    assert "内网" in reason.zh
    assert reason.to_dict()["code"] == "private"


def test_allow_loopback_is_only_loopback():
    policy = AddressPolicy.public_registry(domains=["*.tcr.test"], allow_loopback=True, ports=())
    assert policy.check_address("127.0.0.1") is None
    assert policy.check_address("::1") is None
    for ip in ("::ffff:127.0.0.1", "10.0.0.1", "169.254.169.254", "0.0.0.0", "100.64.0.1"):
        assert policy.check_address(ip) is not None, ip
    assert policy.check_host("127.0.0.1").code == "ip_literal"


def test_mixed_answers_are_refused():
    reason = POLICY.check_addresses(["1.1.1.1", "10.0.0.1"], "shop.tencentcloudcr.com")
    assert reason.code == "private"
    assert POLICY.check_addresses([], "shop.tencentcloudcr.com").code == "no_address"


# --- 3. names resolving to internal addresses: a real DNS server on loopback -----------------------------
class _DNSServer:
    """A tiny authoritative DNS server on 127.0.0.1 (UDP) answering from a {name: [addresses]} table."""

    def __init__(self, records: dict[str, list[str]]):
        import dns.message
        import dns.rcode
        import dns.rrset

        self.records = {k.lower().rstrip("."): v for k, v in records.items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self._stop = threading.Event()
        self.queries: list[str] = []

        def serve():
            while not self._stop.is_set():
                try:
                    data, peer = self.sock.recvfrom(4096)
                except OSError:
                    continue
                query = dns.message.from_wire(data)
                response = dns.message.make_response(query)
                question = query.question[0]
                name = question.name.to_text().rstrip(".").lower()
                rdtype = dns.rdatatype.to_text(question.rdtype)
                self.queries.append(name)
                addresses = self.records.get(name)
                if addresses is None:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                else:
                    wanted = [a for a in addresses if (":" in a) == (rdtype == "AAAA")]
                    if wanted:
                        response.answer.append(dns.rrset.from_text(question.name, 30, "IN", rdtype, *wanted))
                self.sock.sendto(response.to_wire(), peer)

        import dns.rdatatype  # noqa: F401  (used in serve)

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()

    def close(self):
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


INTERNAL_NAMES = {
    "loop.tencentcloudcr.com": ["127.0.0.1"],
    "meta.tencentcloudcr.com": ["169.254.169.254"],
    "vpc.tencentcloudcr.com": ["10.0.0.8"],
    "home.ccs.tencentyun.com": ["192.168.0.1"],
    "cgnat.tencentyun.com": ["100.64.1.1"],
    "v6loop.tencentcloudcr.com": ["::1"],
    "mapped.tencentcloudcr.com": ["::ffff:169.254.169.254"],
    "ula.tencentcloudcr.com": ["fd00::5"],
    "mixed.tencentcloudcr.com": ["1.1.1.1", "10.0.0.1"],   # rebinding-style mixed answer
    "zero.tencentcloudcr.com": ["0.0.0.0"],
}


@pytest.fixture(scope="module")
def dns_server():
    server = _DNSServer({**INTERNAL_NAMES, "public.tencentcloudcr.com": ["1.1.1.1", "2606:4700:4700::1111"]})
    yield server
    server.close()


@pytest.mark.parametrize("name", sorted(INTERNAL_NAMES))
def test_names_resolving_to_internal_addresses_are_refused(dns_server, name):
    addresses, reason = POLICY.resolve(name, nameserver=dns_server.address, timeout=3)
    assert addresses == []
    assert reason is not None and reason.code not in ("resolve_failed", "no_address"), reason
    assert name in dns_server.queries  # the answer really came from the DNS server


def test_public_name_resolves_and_passes(dns_server):
    addresses, reason = POLICY.resolve("public.tencentcloudcr.com", nameserver=dns_server.address, timeout=3)
    assert reason is None
    assert set(addresses) == {"1.1.1.1", "2606:4700:4700::1111"}


def test_unknown_name_is_a_refusal_not_an_exception(dns_server):
    addresses, reason = POLICY.resolve("nope.tencentcloudcr.com", nameserver=dns_server.address, timeout=3)
    assert addresses == [] and reason.code == "resolve_failed"


def test_disallowed_name_is_never_looked_up(dns_server):
    before = len(dns_server.queries)
    _, reason = POLICY.resolve("metadata.google.internal", nameserver=dns_server.address, timeout=3)
    assert reason.code == "domain"
    assert len(dns_server.queries) == before


def test_resolver_stand_in():
    _, reason = POLICY.resolve("x.tencentcloudcr.com", resolver=lambda host: ["172.17.0.1"])
    assert reason.code == "private"


# --- 4. redirects: a real HTTP server on loopback that redirects to internal targets ---------------------
REDIRECT_TARGETS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:5000/v2/",
    "http://localhost/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://[::1]:8080/",
    "http://[::ffff:169.254.169.254]/",
    "https://shop.tencentcloudcr.com@10.0.0.1/",
    "https://shop.tencentcloudcr.com.evil.example/v2/",
    "https://shop.tencentcloudcr.com./v2/",
    "https://shop.tencentcloudcr.com:22/",
    "file:///etc/passwd",
    "gopher://shop.tencentcloudcr.com:6379/_FLUSHALL",
    "//169.254.169.254/latest",                 # scheme-relative
    "http:\\\\169.254.169.254\\",
]


@pytest.fixture(scope="module")
def redirect_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            index = int(self.path.strip("/").split("/")[0])
            self.send_response(302)
            self.send_header("Location", REDIRECT_TARGETS[index])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("index", range(len(REDIRECT_TARGETS)), ids=REDIRECT_TARGETS)
def test_redirects_to_internal_targets_are_refused(redirect_server, index):
    url = f"{redirect_server}/{index}"
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    location = response.headers["Location"]
    reason = POLICY.check_redirect("https://shop.tencentcloudcr.com/v2/", location)
    assert reason is not None, f"redirect to {location!r} got through"


def test_redirect_within_registry_domain_passes():
    assert POLICY.check_redirect("https://shop.tencentcloudcr.com/v2/", "/service/token?x=1") is None
    assert POLICY.check_redirect("https://shop.tencentcloudcr.com/v2/",
                                 "https://shop.tencentcloudcr.com/service/token") is None
    assert POLICY.check_url("https://ccr.ccs.tencentyun.com:443/v2/") is None
