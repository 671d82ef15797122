"""The SSRF guard (diagnostics/policy.py): every probe below must be refused, allowed public names must pass.

Probes come in four groups: host strings as a user could type them (IP literals in every notation, user@host,
trailing dots, look-alike domains), resolved addresses (every internal range, also wrapped in IPv6), names that a
real DNS server on loopback resolves to internal addresses, and redirects served by a real HTTP server on loopback.
"""

from __future__ import annotations

import http.server
import json
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
    ("2130706433", "ip_literal"),  # decimal 127.0.0.1
    ("017700000001", "ip_literal"),  # octal integer
    ("0x7f000001", "ip_literal"),  # hex integer
    ("0x7f.1", "ip_literal"),  # hex short form
    ("0x7f.0x0.0x0.0x1", "ip_literal"),
    ("0177.0.0.1", "ip_literal"),  # octal part
    ("0177.1", "ip_literal"),
    ("127.1", "ip_literal"),  # short form
    ("127.0.1", "ip_literal"),
    ("169.254.169.254", "ip_literal"),  # metadata service
    ("2852039166", "ip_literal"),  # decimal 169.254.169.254
    ("0xa9fea9fe", "ip_literal"),  # hex 169.254.169.254
    ("10.0.0.1", "ip_literal"),
    ("8.8.8.8", "ip_literal"),  # even a public literal: names only
    ("[::1]", "ip_literal"),
    ("::1", "ip_literal"),
    ("[::ffff:127.0.0.1]", "ip_literal"),  # IPv4-mapped IPv6
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
    ("tencentcloudcr.com", "domain"),  # the apex itself is not a registry
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
    ("shop\u3002tencentcloudcr\u3002com", "syntax"),  # ideographic full stops
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
    "1.2.3.4.tencentcloudcr.com",  # a name; its address is checked after resolution
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
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("169.254.169.254", "metadata"),
    ("169.254.0.1", "link_local"),
    ("fe80::1", "link_local"),
    ("fe80::1%eth0", "link_local"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"),
    ("fc00::1", "private"),
    ("fec0::1", "private"),
    ("100.64.0.1", "cgnat"),
    ("100.127.255.255", "cgnat"),
    ("100.100.100.200", "metadata"),
    # Tencent Cloud's internal 100.* beyond CGNAT (where a TCR or COS domain resolves inside Tencent Cloud)
    ("100.1.2.3", "internal"),
    ("100.200.0.1", "internal"),
    ("::ffff:100.1.2.3", "internal"),
    ("224.0.0.251", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("192.0.2.10", "reserved"),
    ("198.18.0.1", "reserved"),
    ("2001:db8::1", "reserved"),
    # IPv4 wrapped in IPv6
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "metadata"),
    ("::ffff:10.0.0.1", "private"),
    ("::127.0.0.1", "loopback"),  # IPv4-compatible (deprecated)
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 well-known prefix
    ("64:ff9b::a9fe:a9fe", "metadata"),
    ("64:ff9b:1::c0a8:101", "private"),  # NAT64 local-use prefix
    ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", "metadata"),  # 6to4 of 169.254.169.254
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"),  # Teredo
    ("::ffff:0:7f00:1", "loopback"),  # SIIT IPv4-translated (RFC 2765) of 127.0.0.1
    ("::ffff:0:a9fe:a9fe", "metadata"),
    ("not-an-ip", "bad_address"),
]


@pytest.mark.parametrize("ip,code", REFUSED_ADDRESSES, ids=[ip for ip, _ in REFUSED_ADDRESSES])
def test_address_refused(ip, code):
    reason = POLICY.check_address(ip, "shop.tencentcloudcr.com")
    assert isinstance(reason, Refusal), f"{ip} got through"
    assert reason.code == code


@pytest.mark.parametrize(
    "ip",
    [
        "1.1.1.1",
        "8.8.8.8",
        "119.28.0.1",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ],
)
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
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
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

        import dns.rdatatype  # used in serve

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
    "cgnat.ccs.tencentyun.com": ["100.64.1.1"],
    "inside.ccs.tencentyun.com": ["100.1.2.3"],
    "v6loop.tencentcloudcr.com": ["::1"],
    "mapped.tencentcloudcr.com": ["::ffff:169.254.169.254"],
    "ula.tencentcloudcr.com": ["fd00::5"],
    "mixed.tencentcloudcr.com": ["1.1.1.1", "10.0.0.1"],  # rebinding-style mixed answer
    "zero.tencentcloudcr.com": ["0.0.0.0"],
}


@pytest.fixture(scope="module")
def policy_dns():
    server = _DNSServer({**INTERNAL_NAMES, "public.tencentcloudcr.com": ["1.1.1.1", "2606:4700:4700::1111"]})
    yield server
    server.close()


@pytest.mark.parametrize("name", sorted(INTERNAL_NAMES))
def test_names_resolving_to_internal_addresses_are_refused(policy_dns, name):
    addresses, reason = POLICY.resolve(name, nameserver=policy_dns.address, timeout=3)
    assert addresses == []
    assert reason is not None and reason.code not in ("resolve_failed", "no_address"), reason
    assert name in policy_dns.queries  # the answer really came from the DNS server


def test_public_name_resolves_and_passes(policy_dns):
    addresses, reason = POLICY.resolve("public.tencentcloudcr.com", nameserver=policy_dns.address, timeout=3)
    assert reason is None
    assert set(addresses) == {"1.1.1.1", "2606:4700:4700::1111"}


def test_unknown_name_is_a_refusal_not_an_exception(policy_dns):
    addresses, reason = POLICY.resolve("nope.tencentcloudcr.com", nameserver=policy_dns.address, timeout=3)
    assert addresses == [] and reason.code == "resolve_failed"


def test_disallowed_name_is_never_looked_up(policy_dns):
    before = len(policy_dns.queries)
    _, reason = POLICY.resolve("metadata.google.internal", nameserver=policy_dns.address, timeout=3)
    assert reason.code == "domain"
    assert len(policy_dns.queries) == before


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
    "//169.254.169.254/latest",  # scheme-relative
    "http:\\\\169.254.169.254\\",
]


@pytest.fixture(scope="module")
def redirect_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
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
    yield f"http://127.0.0.1:{server.server_address[1]}"
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
    assert (
        POLICY.check_redirect("https://shop.tencentcloudcr.com/v2/", "https://shop.tencentcloudcr.com/service/token")
        is None
    )
    assert POLICY.check_url("https://ccr.ccs.tencentyun.com:443/v2/") is None


# --- 5. the real diagnostics engine with the policy: harness DNS names and redirects -------------------------
def _engine():
    from diagnostics import DiagnoseOptions, diagnose  # a broken import is a failure, not a skip

    return DiagnoseOptions, diagnose


HARNESS_INTERNAL = ["TCR_INTERNAL", "INTERNAL", "LINKLOCAL", "PRIVATE192", "CGNAT", "INTERNAL_CNAME"]


@pytest.mark.parametrize("attr", HARNESS_INTERNAL)
def test_engine_refuses_names_the_harness_dns_resolves_to_internal_addresses(dns_server, attr):
    """Only dns,endpoint run: an internal answer is never connected to, even if the guard were broken."""
    from tests.harness.dns_server import Zone

    DiagnoseOptions, diagnose = _engine()
    name = getattr(Zone, attr)
    policy = AddressPolicy.public_registry(domains=["*.tencentcloudcr.com", "*.tcr-doctor.test"])
    report = diagnose(
        name, DiagnoseOptions(timeout=5, only=["dns", "endpoint"], nameserver=dns_server.nameserver, policy=policy)
    )
    codes = [f.code for f in report.findings]
    assert "TARGET_REFUSED" in codes, codes
    assert report.exit_code == 1


def test_engine_mixed_answer_never_uses_the_internal_address(dns_server):
    from tests.harness.dns_server import Zone

    DiagnoseOptions, diagnose = _engine()
    policy = AddressPolicy.public_registry(domains=["*.tcr-doctor.test"])
    report = diagnose(
        Zone.MIXED, DiagnoseOptions(timeout=5, only=["dns"], nameserver=dns_server.nameserver, policy=policy)
    )
    text = json.dumps([f.to_dict() for f in report.findings])
    # One internal address among the answers refuses the whole name (no DNS_OK whose addresses later steps
    # would connect to), and the refusal names the internal address as the reason.
    assert [f.code for f in report.findings] == ["TARGET_REFUSED"], text
    assert "10.12.3.4" in report.findings[0].evidence["reason"]["en"]
    assert not any(f.code == "DNS_OK" for f in report.findings)


class _Canary:
    """An HTTPS server on loopback that counts every request: a redirect the guard refuses must never reach it."""

    def __init__(self, cert):
        from tests.harness.servers import HTTPServer

        self.hits = 0
        canary = self

        from tests.harness._net import QuietHandler

        class Handler(QuietHandler):
            def do_GET(self):
                canary.hits += 1
                self.send_body(200, "{}", "application/json", {"Docker-Distribution-Api-Version": "registry/2.0"})

        self.server = HTTPServer(Handler, cert=cert, name="canary").start()
        self.port = self.server.port

    def stop(self):
        self.server.stop()


def _redirector(cert, location, *, as_realm=False):
    """A registry stand-in on loopback: GET /v2/ -> 401 with a Bearer challenge. Its token realm is either
    LOCATION itself (as_realm) or /token on this server, which answers 302 -> LOCATION."""
    from tests.harness._net import QuietHandler
    from tests.harness.dns_server import Zone
    from tests.harness.servers import HTTPServer

    box = {}

    class Handler(QuietHandler):
        def do_GET(self):
            if self.path.startswith("/v2/"):
                realm = location if as_realm else f"https://{Zone.TCR_LOCAL}:{box['port']}/token"
                self.send_body(
                    401,
                    '{"errors":[{"code":"UNAUTHORIZED"}]}',
                    "application/json",
                    {
                        "WWW-Authenticate": f'Bearer realm="{realm}",service="registry"',
                        "Docker-Distribution-Api-Version": "registry/2.0",
                    },
                )
            else:
                self.send_body(302, "", headers={"Location": location})

    server = HTTPServer(Handler, cert=cert, name="redirector").start()
    box["port"] = server.port
    return server


# Redirect targets on loopback (so even a broken guard would send nothing off this machine); {p} = canary port
ENGINE_REDIRECTS = [
    "https://127.0.0.1:{p}/v2/",
    "https://2130706433:{p}/v2/",
    "https://0x7f.1:{p}/v2/",
    "https://0177.0.0.1:{p}/v2/",
    "https://127.1:{p}/v2/",
    "https://[::1]:{p}/v2/",
    "https://[::ffff:127.0.0.1]:{p}/v2/",
    "https://localhost:{p}/v2/",
    "https://registry.tcr-doctor.test:{p}/v2/",  # resolves to 127.0.0.1 but outside the allowed domains
    "https://local-tcr.tencentcloudcr.com.:{p}/v2/",  # trailing dot
    "https://local-tcr.tencentcloudcr.com@127.0.0.1:{p}/v2/",  # allowed-looking name before the @
    "https://local-tcr.tencentcloudcr.com:{p}@127.0.0.1:{p}/v2/",
    "https://user@local-tcr.tencentcloudcr.com:{p}/v2/",  # user info, even before an allowed host
    "ftp://local-tcr.tencentcloudcr.com:{p}/v2/",  # not http(s)
]


CHECKS = ["dns", "endpoint", "tcp", "tls", "http", "credentials"]


@pytest.mark.parametrize("as_realm", [False, True], ids=["redirect", "realm"])
@pytest.mark.parametrize("location", ENGINE_REDIRECTS)
def test_engine_does_not_follow_redirects_the_policy_refuses(dns_server, tls_material, location, as_realm):
    from tests.harness.dns_server import Zone

    DiagnoseOptions, diagnose = _engine()
    canary = _Canary(tls_material.valid)
    redirector = _redirector(tls_material.valid, location.format(p=canary.port), as_realm=as_realm)
    try:
        # loopback allowed (tests only) so the engine can reach the redirector itself, by its TCR-looking name
        policy = AddressPolicy.public_registry(domains=["*.tencentcloudcr.com"], ports=(), allow_loopback=True)
        target = f"{Zone.TCR_LOCAL}:{redirector.port}"
        report = diagnose(
            target,
            DiagnoseOptions(
                timeout=8, only=CHECKS, nameserver=dns_server.nameserver, ca_file=tls_material.ca_file, policy=policy
            ),
        )
        assert canary.hits == 0, f"redirect to {location} reached the canary"
        assert report.exit_code == 1 or any(f.status in ("fail", "warn") for f in report.findings)
    finally:
        redirector.stop()
        canary.stop()


@pytest.mark.parametrize("as_realm", [False, True], ids=["redirect", "realm"])
def test_engine_follows_an_allowed_redirect(dns_server, tls_material, as_realm):
    """The control case: a redirect the policy allows does reach the canary (so the probes above are meaningful)."""
    from tests.harness.dns_server import Zone

    DiagnoseOptions, diagnose = _engine()
    canary = _Canary(tls_material.valid)
    redirector = _redirector(tls_material.valid, f"https://{Zone.TCR_LOCAL}:{canary.port}/token", as_realm=as_realm)
    try:
        policy = AddressPolicy.public_registry(domains=["*.tencentcloudcr.com"], ports=(), allow_loopback=True)
        diagnose(
            f"{Zone.TCR_LOCAL}:{redirector.port}",
            DiagnoseOptions(
                timeout=8, only=CHECKS, nameserver=dns_server.nameserver, ca_file=tls_material.ca_file, policy=policy
            ),
        )
        assert canary.hits >= 1
    finally:
        redirector.stop()
        canary.stop()


# --- 5. one resolution: what the guard checked is what the diagnosis connects to ---------------------------
class _Listener:
    """A TCP listener on HOST:PORT that counts the connections it accepts."""

    def __init__(self, host: str, port: int = 0):
        self.sock = socket.socket()
        self.sock.bind((host, port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        self.sock.close()


def _listener_pair() -> tuple[_Listener, _Listener]:
    for _ in range(20):
        first = _Listener("127.0.0.1")
        try:
            return first, _Listener("127.0.0.2", first.port)
        except OSError:
            first.close()
    pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")


def test_a_name_rebound_after_the_check_is_not_resolved_again(dns_server_factory, wait_for):
    """DNS rebinding: the name answers 127.0.0.1 (allowed), and the moment the guard has checked that answer the
    server starts answering 127.0.0.2 (refused). The diagnosis resolves once, checks every address of that one
    answer, and connects only to an address that passed: the second answer is never asked for or connected to."""
    from diagnostics import DiagnoseOptions, diagnose
    from tests.harness.dns_server import Zone

    name = "rebind.tcr-doctor.test"
    zone = Zone(records={name: [("A", "127.0.0.1")]})
    dns = dns_server_factory(zone)
    allowed, rebound = _listener_pair()

    class Guard(AddressPolicy):
        checked: list[str] = []

        def check_address(self, ip, host=""):
            self.checked.append(str(ip))
            zone.records[name + "."] = [("A", "127.0.0.2")]  # rebinds as soon as an answer was checked
            return "rebound address" if str(ip) == "127.0.0.2" else None

    guard = Guard(["*.tcr-doctor.test"], ports=[allowed.port], allow_loopback=True)
    try:
        report = diagnose(
            f"{name}:{allowed.port}/team/app:1",
            DiagnoseOptions(
                only=["dns", "endpoint", "tcp"], nameserver=dns.nameserver, env={}, policy=guard, timeout=5
            ),
        )
        assert wait_for(lambda: allowed.accepted >= 1, 5)  # the kernel completed it; the accept thread counts it
    finally:
        allowed.close()
        rebound.close()
    assert [f.code for f in report.findings if f.check == "tcp"] == ["TCP_OK"]
    assert Guard.checked == ["127.0.0.1"]
    assert rebound.accepted == 0
    assert [q for q in dns.queries if q[0] == name + "." and q[1] == "A"] == [(name + ".", "A", "udp")]


def test_the_guard_resolves_as_the_diagnosis_does(policy_dns):
    """`dns_resolver` is the diagnosis's DNS path (diagnostics.net.resolve), not a second DNS client: a plain host
    name goes through the stub resolver, and dnspython is not even imported for it."""
    import subprocess
    import sys

    code = (
        "import sys; from diagnostics.policy import AddressPolicy\n"
        f"print(AddressPolicy.public_registry().resolve('public.tencentcloudcr.com', nameserver={policy_dns.address!r}))\n"
        "print('dns.resolver' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True).stdout
    assert "1.1.1.1" in out and out.strip().endswith("False"), out


@pytest.mark.parametrize(
    "refuse",
    [
        lambda: POLICY.check_target("admin:Pl4nted-Pw-1@shop.tencentcloudcr.com/ns/app")[1],
        lambda: POLICY.check_url("https://admin:Pl4nted-Pw-1@shop.tencentcloudcr.com/v2/"),
        lambda: POLICY.check_host("admin:Pl4nted-Pw-1@shop.tencentcloudcr.com"),
    ],
)
def test_a_userinfo_refusal_does_not_echo_the_password(refuse):
    reason = refuse()
    assert reason.code == "userinfo"
    assert "Pl4nted-Pw-1" not in reason.en + reason.zh and "admin" not in reason.en + reason.zh
    assert "****@shop.tencentcloudcr.com" in reason.en and "****@shop.tencentcloudcr.com" in reason.zh
