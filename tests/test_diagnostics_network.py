"""Live checks against real parts on loopback: the CNCF registry with token auth (plain and HTTPS), the test CA's
good and bad certificates, a loopback DNS server, and misbehaving servers (tests/harness/README.md).

Only loopback is ever contacted: names that resolve elsewhere are diagnosed with only=dns,endpoint.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from diagnostics import DiagnoseOptions, ReportDict, diagnose, edition
from tests.harness.dns_server import Zone
from tests.harness.findings import codes, one
from tests.harness.shapes import problems

# A 2 s deadline is kept when the run ends within this much after it: a loaded 2-core machine schedules the runner
# late (a 0.2 s margin is 10 %), and the servers and names these tests time out on answer after 5 s or never, so
# 3 s still tells a kept deadline from a missed one.
DEADLINE_SLACK = 1.0

pytestmark = pytest.mark.registry


def run(target, **kw):
    kw.setdefault("timeout", 10)
    kw.setdefault("env", {})  # no proxy variables from the test environment
    report = diagnose(target, DiagnoseOptions(**kw))
    for f in report.findings:
        for text in (*f.summary.values(), *f.fix.values()):
            assert "{" not in text, (f.code, text)  # every placeholder filled
        assert f.code != "CHECK_ERROR", f.evidence
        assert f.summary["zh"] and f.summary["en"]
    assert not problems(report.to_dict(), ReportDict, "report")  # as diagnostics/results.py declares
    return report


def status(report, check):
    sts = [f.status for f in report.findings if f.check == check]
    return "fail" if "fail" in sts else "warn" if "warn" in sts else sts[0] if sts else None


def user(creds, which):
    u, p = getattr(creds, which)
    return {"username": u, "password": p}


# ------------------------------------------------------------------------------------------------ happy path
def test_full_diagnosis_ok(registry, creds, seed):
    r = run(f"{registry.url}/team/app:1.0", **user(creds, "push"))
    assert r.exit_code == 0, codes(r)
    assert codes(r, "dns") == ["DNS_LITERAL"]
    assert codes(r, "endpoint") == ["ENDPOINT_LOCAL"]
    assert codes(r, "tcp") == ["TCP_OK"]
    assert codes(r, "tls") == ["SKIPPED"]  # plain http:// requested
    assert "HTTP_OK" in codes(r, "http") and "HTTP_PLAIN" in codes(r, "http")
    assert codes(r, "credentials") == ["CREDENTIALS_OK"]
    tag = one(r, "TAG_FOUND")
    assert tag.evidence["digest"] == seed.digest("team/app", "1.0")
    size = one(r, "SIZE_COMPRESSED")
    img = seed.image("team/app:1.0")
    assert size.evidence["bytes"] == img.compressed_size + img.config_size
    assert size.evidence["bytes"] < img.uncompressed_size
    assert "TAGS_SHARE_DIGEST" not in codes(r)


def test_https_registry_with_ca_file(registry_tls, creds, seed):
    r = run(f"{registry_tls.host}/team/app:v1.2.0", ca_file=registry_tls.ca_file, **user(creds, "push"))
    assert r.exit_code == 0, codes(r)
    tls = one(r, "TLS_OK")
    assert tls.evidence["not_after"] and tls.evidence["issuer"]
    assert one(r, "TAG_FOUND").evidence["digest"] == seed.digest("team/app", "v1.2.0")
    assert one(r, "TAG_FOUND").evidence["media_type"] == "application/vnd.oci.image.manifest.v1+json"


def test_the_checks_share_one_tls_connection_to_the_registry(registry_tls, creds, monkeypatch):
    """The TLS check's verified connection serves /v2/, the token flow's ping, the manifest, the tags and the digest
    probes: one handshake with the registry per diagnosis, not one per check (the tcp check's bare probe aside)."""
    import ssl

    from diagnostics import net, transport

    handshakes: list[str | None] = []
    connects: list[int] = []
    wrap, connect = ssl.SSLContext.wrap_socket, net.tcp_connect

    def counted_wrap(self, sock, *args, **kwargs):
        handshakes.append(kwargs.get("server_hostname"))
        return wrap(self, sock, *args, **kwargs)

    def counted_connect(ip, port, timeout):
        connects.append(port)
        return connect(ip, port, timeout)

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", counted_wrap)
    monkeypatch.setattr(net, "tcp_connect", counted_connect)
    monkeypatch.setattr(transport, "tcp_connect", counted_connect)
    r = run(f"{registry_tls.host}/team/app:latest", ca_file=registry_tls.ca_file, **user(creds, "push"))
    assert r.exit_code == 0, codes(r)
    assert "TAGS_SHARE_DIGEST" in codes(r)  # the digest probes ran too
    assert len(handshakes) == 1, handshakes
    assert connects.count(registry_tls.port) == 2, connects  # the tcp check's probe and the shared connection


def test_the_image_check_asks_for_the_manifest_once(registry_tls, creds, monkeypatch):
    """One GET for the image's manifest (its answer has the digest and media type a HEAD would give, and the body):
    no HEAD before it. The other tags' digests are still probed with HEAD (no body needed)."""
    from diagnostics import transport

    sent: list[tuple[str, str]] = []
    request = transport.HTTPClient.request

    def counted(self, method, path, *args, **kwargs):
        sent.append((method, path))
        return request(self, method, path, *args, **kwargs)

    monkeypatch.setattr(transport.HTTPClient, "request", counted)
    r = run(f"{registry_tls.host}/team/app:latest", ca_file=registry_tls.ca_file, **user(creds, "push"))
    assert r.exit_code == 0, codes(r)
    assert one(r, "TAG_FOUND").evidence["digest"].startswith("sha256:")
    assert "SIZE_COMPRESSED" in codes(r) and "TAGS_SHARE_DIGEST" in codes(r)
    asked = [method for method, path in sent if path == "/v2/team/app/manifests/latest"]
    assert asked == ["GET"], sent
    assert any(method == "HEAD" and "/manifests/" in path for method, path in sent), sent


def test_dns_name_pins_resolved_address(registry_tls, dns_server, creds):
    r = run(
        f"{Zone.REGISTRY}:{registry_tls.port}/team/app:1.0",
        nameserver=dns_server.nameserver,
        ca_file=registry_tls.ca_file,
        **user(creds, "push"),
    )
    assert r.exit_code == 0, codes(r)
    assert one(r, "DNS_OK").evidence["addresses"] == ["127.0.0.1"]
    assert one(r, "TCP_OK").evidence["address"] == "127.0.0.1"


def test_cname_chain_reported(registry, dns_server):
    r = run(f"http://{Zone.ALIAS}:{registry.port}", nameserver=dns_server.nameserver, only="dns,endpoint,tcp,http")
    ok = one(r, "DNS_OK")
    assert ok.evidence["cnames"] == [Zone.REGISTRY]
    assert ok.evidence["addresses"] == ["127.0.0.1"]
    assert "HTTP_OK" in codes(r)


def test_tcr_looking_name_on_local_registry(registry, dns_server, creds):
    r = run(
        f"http://{Zone.TCR_LOCAL}:{registry.port}/team/app:1.0", nameserver=dns_server.nameserver, **user(creds, "push")
    )
    assert codes(r, "name") == ["NAME_OK"]
    assert one(r, "NAME_OK").evidence["edition"] == "enterprise"
    assert r.exit_code == 0, codes(r)


# ------------------------------------------------------------------------------------------------ image
def test_tags_sharing_a_digest(registry, creds, seed):
    # the test registry stands for a TCR host: its findings link TCR's FAQ (another registry's link none: test_tidy12)
    r = run(f"{registry.url}/team/app:latest", edition="enterprise", **user(creds, "push"))
    f = one(r, "TAGS_SHARE_DIGEST")
    assert f.status == "warn"
    assert f.evidence["tags"] == seed.tags_sharing("team/app", "latest") == ["1.1", "latest"]
    assert f.faq == "delete-image-tag"
    assert r.exit_code == 0


def test_tags_sharing_by_digest_reference(registry, creds, seed):
    d = seed.digest("team/app", "1.1")
    r = run(f"{registry.url}/team/app@{d}", **user(creds, "push"))
    assert one(r, "TAG_FOUND").evidence["digest"] == d
    assert one(r, "TAGS_SHARE_DIGEST").evidence["tags"] == ["1.1", "latest"]


@pytest.mark.parametrize(
    "wanted,closest", [("V1.2.0", "v1.2.0"), ("v1.2.O", "v1.2.0"), ("lastest", "latest"), ("1.2.0", "1.0")]
)
def test_missing_tag_near_miss(registry, creds, wanted, closest):
    r = run(f"{registry.url}/team/app:{wanted}", **user(creds, "push"))
    f = one(r, "TAG_NOT_FOUND")
    assert f.status == "fail" and r.exit_code == 1
    assert f.evidence["tag_count"] == 4
    if wanted in ("V1.2.0", "v1.2.O", "lastest"):
        assert f.evidence["closest"] == closest
    assert f.evidence["closest"] in f.fix["en"]


def test_missing_tag_with_no_near_miss_says_so_and_names_existing_tags(registry, creds):
    # "the closest is -" and `docker pull host/team/app:-` were shown when no tag was close
    r = run(f"{registry.url}/team/app:9.9", **user(creds, "push"))
    f = one(r, "TAG_NOT_FOUND")
    assert f.evidence["closest"] is None and f.evidence["tag_count"] == 4
    assert "none is close" in f.summary["en"] and "没有相近的版本" in f.summary["zh"]
    for lang in ("en", "zh"):
        assert " -" not in f.summary[lang] and ":-" not in f.fix[lang], (f.summary[lang], f.fix[lang])
        assert "latest" in f.fix[lang] and "1.0" in f.fix[lang]  # the tags it has


def test_missing_tag_follows_link_pagination(registry_paginated, creds):
    r = run(f"{registry_paginated.url}/team/many:build-119x", **user(creds, "push"))
    f = one(r, "TAG_NOT_FOUND")
    assert f.evidence["tag_count"] == 120  # pages of 100 + 20 through Link: rel="next"
    assert f.evidence["closest"] == "build-119"  # on the second page only


def test_missing_repository(registry, creds):
    r = run(f"{registry.url}/team/nope:1.0", **user(creds, "push"))
    assert codes(r, "image") == ["REPO_NOT_FOUND"]
    assert r.exit_code == 1


def test_missing_digest(registry, creds):
    r = run(f"{registry.url}/team/app@sha256:{'0' * 64}", **user(creds, "push"))
    assert codes(r, "image") == ["DIGEST_NOT_FOUND"]


def test_quota_near(registry, creds):
    # the test registry stands for a personal-edition host: TCR's per-image tag limit applies
    r = run(f"{registry.url}/team/many:build-001", edition="personal", **user(creds, "push"))
    f = one(r, "QUOTA_NEAR")
    assert f.evidence["tag_count"] == 120 and f.evidence["limit"] == 100
    assert f.status == "fail" and f.faq == "personal-quota"  # 120 >= 100: over the limit


def test_tcr_quota_applies_to_tcr_hosts_only(registry, creds):
    for ed in (None, "enterprise"):
        r = run(f"{registry.url}/team/many:build-001", edition=ed, **user(creds, "push"))
        assert "QUOTA_NEAR" not in codes(r)


def test_image_index_size_picks_amd64(registry, creds, seed):
    r = run(f"{registry.url}/team/multi:latest", **user(creds, "push"))
    f = one(r, "SIZE_COMPRESSED")
    assert f.evidence["platform"] == "linux/amd64" and f.evidence["platforms"] == 2


def test_registry_without_auth(registry_noauth):
    r = run(f"{registry_noauth.url}/team/app:1.0")
    assert codes(r, "credentials") == ["AUTH_NOT_REQUIRED"]
    assert "TAG_FOUND" in codes(r)


# ------------------------------------------------------------------------------------------------ credentials
def test_wrong_password(registry, creds):
    r = run(f"{registry.url}/team/app:1.0", **user(creds, "wrong_password"))
    f = one(r, "CREDENTIALS_INVALID")
    assert f.evidence["username"] == "alice"
    assert codes(r, "image") == ["SKIPPED"]
    assert r.exit_code == 1


def test_unknown_user(registry, creds):
    assert "CREDENTIALS_INVALID" in codes(run(f"{registry.url}/team/app:1.0", **user(creds, "unknown_user")))


def test_pull_only_user_asking_for_push(registry, creds):
    r = run(f"{registry.url}/team/app:1.0", push=True, **user(creds, "pull_only"))
    f = one(r, "PERMISSION_DENIED")
    assert f.evidence["granted"] == ["pull"] and f.evidence["missing"] == ["push"]
    assert r.exit_code == 1
    # the same user without --push is fine
    assert run(f"{registry.url}/team/app:1.0", **user(creds, "pull_only")).exit_code == 0


def test_missing_push_right_still_checks_the_image_with_pull(registry, creds):
    # Pull is granted, only push is missing: the image check still runs and finds the near-miss tag.
    r = run(f"{registry.url}/team/app:V1.2.0", push=True, **user(creds, "pull_only"))
    assert "PERMISSION_DENIED" in codes(r)
    miss = one(r, "TAG_NOT_FOUND")
    assert "v1.2.0" in str(miss.evidence)
    assert not [f for f in r.findings if f.check == "image" and f.code == "SKIPPED"]


def test_user_without_rights_on_repository(registry, creds):
    r = run(f"{registry.url}/team/app:1.0", **user(creds, "no_access"))
    f = one(r, "PERMISSION_DENIED")
    assert f.evidence["missing"] == ["pull"]
    # Without pull the image check cannot read anything: it is skipped with the reason.
    [skipped] = [f for f in r.findings if f.check == "image"]
    assert skipped.code == "SKIPPED" and skipped.evidence["blocked_code"] == "PERMISSION_DENIED"


def test_expired_jwt_password(registry, creds):
    r = run(f"{registry.url}/team/app:1.0", **user(creds, "jwt_expired"))
    f = one(r, "CREDENTIALS_EXPIRED")
    assert f.status == "fail"
    assert f.evidence["expired_at"].endswith("Z") and f.evidence["ago"].startswith("2d")
    assert creds.jwt_expired[1] not in str(r.to_dict())


def test_valid_jwt_password(registry, creds):
    r = run(f"{registry.url}/team/app:1.0", **user(creds, "jwt_valid"))
    assert "CREDENTIALS_OK" in codes(r)
    assert r.exit_code == 0


def test_stale_token_from_token_server(registry, creds):
    r = run(f"{registry.url}/team/app:1.0", **user(creds, "stale_token"))
    assert "CREDENTIALS_EXPIRED" in codes(r, "credentials")
    assert r.exit_code == 1


def test_not_logged_in(registry):
    r = run(f"{registry.url}/team/app:1.0", edition="enterprise")  # a TCR host's finding links TCR's FAQ
    f = one(r, "CREDENTIALS_MISSING")
    assert f.status == "fail" and f.faq == "unauthorized-authentication-required"


def test_not_logged_in_registry_only_is_a_warning(registry):
    r = run(registry.url)
    assert one(r, "CREDENTIALS_MISSING").status == "warn"
    assert codes(r, "image") == ["SKIPPED"]
    assert r.exit_code == 0


def test_login_without_scope(registry, creds):
    r = run(registry.url, **user(creds, "push"))
    assert one(r, "CREDENTIALS_OK").evidence["granted"] == ["login"]
    assert run(registry.url, **user(creds, "wrong_password")).exit_code == 1


def test_anonymous_pull_of_public_repository(registry, seed):
    r = run(f"{registry.url}/public/base")
    assert "ANONYMOUS_PULL" in codes(r)
    assert one(r, "TAG_FOUND").evidence["digest"] == seed.digest("public/base", "latest")
    assert r.exit_code == 0


def test_anonymous_push_is_missing_credentials(registry):
    r = run(f"{registry.url}/public/base", push=True)
    assert "ANONYMOUS_PULL" in codes(r) and "CREDENTIALS_MISSING" in codes(r)


def test_no_secret_in_report(registry, creds):
    for which in ("push", "wrong_password", "jwt_expired", "pull_only"):
        u, p = getattr(creds, which)
        text = str(run(f"{registry.url}/team/app:1.0", push=True, username=u, password=p).to_dict())
        assert p not in text
        assert "Bearer ey" not in text and "Basic " not in text


# ------------------------------------------------------------------------------------------------ docker config
def test_docker_config_auths(registry, creds, docker_config):
    docker_config.add_auth(registry.host, *creds.push)
    docker_config.write()
    r = run(f"{registry.url}/team/app:1.0", docker_config=str(docker_config.dir))
    f = one(r, "CREDENTIALS_OK")
    assert f.evidence["username"] == "alice" and "auths" in f.evidence["source"]


def test_docker_config_cred_helper(registry, creds, docker_config):
    docker_config.add_helper_creds(registry.host, *creds.pull_only, helper="harness")
    docker_config.write()
    r = run(
        f"{registry.url}/team/app:1.0", push=True, docker_config=str(docker_config.config_file), env=docker_config.env()
    )
    f = one(r, "PERMISSION_DENIED")
    assert f.evidence["username"] == "bob" and f.evidence["source"] == "docker-credential-harness"


def test_docker_config_creds_store(registry, creds, docker_config):
    docker_config.add_helper_creds(registry.host, *creds.wrong_password, helper="harness")
    docker_config.config.pop("credHelpers", None)
    docker_config.set_creds_store("harness")
    docker_config.write()
    r = run(f"{registry.url}/team/app:1.0", docker_config=str(docker_config.dir), env=docker_config.env())
    assert one(r, "CREDENTIALS_INVALID").evidence["source"] == "docker-credential-harness"


def test_docker_config_missing_helper(registry, docker_config):
    docker_config.config["credHelpers"] = {registry.host: "does-not-exist"}
    docker_config.write()
    r = run(f"{registry.url}/team/app:1.0", docker_config=str(docker_config.dir), env={"PATH": "/nonexistent"})
    assert "CREDENTIALS_HELPER_ERROR" in codes(r)
    assert "CREDENTIALS_MISSING" in codes(r)


# ------------------------------------------------------------------------------------------------ TLS
@pytest.mark.parametrize(
    "variant,code",
    [
        ("unknown_ca", "TLS_UNTRUSTED"),
        ("wrong_host", "TLS_HOSTNAME"),
        ("expired", "TLS_EXPIRED"),
        ("not_yet_valid", "TLS_NOT_YET_VALID"),
    ],
)
def test_bad_certificates(tls_servers, variant, code):
    server = getattr(tls_servers, variant)
    r = run(f"https://{server.host}", ca_file=tls_servers.ca_file)
    f = one(r, code)
    assert f.status == "fail"
    cert = server.cert
    assert f.evidence["issuer"] and f.evidence["subject"]
    assert f.evidence["not_after"] == cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert codes(r, "http") == ["SKIPPED"] and r.exit_code == 1


def test_untrusted_without_ca_file(tls_servers):
    r = run(f"https://{tls_servers.valid.host}")
    assert "TLS_UNTRUSTED" in codes(r)
    assert "/etc/docker/certs.d/" in one(r, "TLS_UNTRUSTED").fix["en"]


def test_valid_certificate(tls_servers):
    r = run(f"https://{tls_servers.valid.host}", ca_file=tls_servers.ca_file)
    assert "TLS_OK" in codes(r) and "HTTP_OK" in codes(r)


# ------------------------------------------------------------------------------------------------ HTTP vs HTTPS
def test_https_expected_plain_http_spoken(registry, bad_servers):
    for host in (registry.host, bad_servers.plain_http.host):
        r = run(f"{host}/team/app:1.0")  # no scheme: HTTPS, as docker does
        f = one(r, "HTTP_NOT_HTTPS")
        assert f.check == "tls" and "insecure-registries" in f.fix["en"]


def test_plain_http_to_https_server(registry_tls, bad_servers):
    for host in (registry_tls.host, bad_servers.https_only.host):
        r = run(f"http://{host}/team/app:1.0")
        assert "HTTPS_REQUIRED" in codes(r, "http")


# ------------------------------------------------------------------------------------------------ misbehaving servers
@pytest.mark.parametrize(
    "server,code",
    [
        ("forbidden", "HTTP_FORBIDDEN"),
        ("rate_limited", "RATE_LIMITED"),
        ("server_error", "SERVER_ERROR"),
        ("unavailable", "SERVER_ERROR"),
        ("not_registry", "NOT_A_REGISTRY"),
        ("redirect", "NOT_A_REGISTRY"),
    ],
)
def test_http_status_codes(bad_servers, server, code):
    r = run(getattr(bad_servers, server).url)
    f = one(r, code)
    assert f.check == "http" and f.status == "fail"
    if code == "RATE_LIMITED":
        assert f.evidence["retry_after"] == "30"
    assert codes(r, "credentials") == ["SKIPPED"]


def test_refused_port(bad_servers):
    r = run(bad_servers.refused.url + "/ns/app:1")
    assert codes(r, "tcp") == ["TCP_REFUSED"]
    assert set(codes(r, "image")) == {"SKIPPED"}


def test_slow_server_http_timeout(bad_servers):
    start = time.monotonic()
    r = run(bad_servers.slow.url, timeout=2)
    assert "HTTP_TIMEOUT" in codes(r)
    assert time.monotonic() - start <= 2 + DEADLINE_SLACK


@pytest.mark.parametrize("scheme,code", [("http", "HTTP_TIMEOUT"), ("https", "TLS_TIMEOUT")])
def test_silent_server_ends_within_deadline(bad_servers, scheme, code):
    start = time.monotonic()
    r = run(f"{scheme}://{bad_servers.silent.host}/ns/app:1", timeout=2)
    took = time.monotonic() - start
    assert code in codes(r)
    assert took <= 2 * 1.1, took
    assert r.exit_code == 1


class FullBacklog:
    """A listening socket whose accept queue is full: further SYNs are dropped, so connect() times out."""

    def __enter__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(0)
        self.port = self.server.getsockname()[1]
        self.fillers = []
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", self.port))
            self.fillers.append(s)
        time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        for s in self.fillers:
            s.close()
        self.server.close()


def test_tcp_timeout():
    with FullBacklog() as fb:
        probe = socket.socket()
        probe.settimeout(0.3)
        try:
            probe.connect(("127.0.0.1", fb.port))
            pytest.skip("this kernel accepted the connection despite the full backlog")
        except TimeoutError:
            pass
        finally:
            probe.close()
        start = time.monotonic()
        r = run(f"http://127.0.0.1:{fb.port}/ns/app:1", timeout=2)
        assert codes(r, "tcp") == ["TCP_TIMEOUT"]
        assert time.monotonic() - start <= 2 + DEADLINE_SLACK


# ------------------------------------------------------------------------------------------------ DNS and endpoint
def test_nxdomain(dns_server):
    r = run(f"{Zone.TCR_MISSING}/ns/app:1", nameserver=dns_server.nameserver)
    f = one(r, "DNS_NXDOMAIN")
    assert f.evidence["nameserver"] == dns_server.nameserver
    assert set(codes(r)) == {"NAME_OK", "DNS_NXDOMAIN", "SKIPPED"}


def test_dangling_cname_is_nxdomain(dns_server):
    assert "DNS_NXDOMAIN" in codes(run(Zone.DANGLING, nameserver=dns_server.nameserver))


def test_dns_timeout_within_deadline(dns_server):
    start = time.monotonic()
    r = run(Zone.TIMEOUT, nameserver=dns_server.nameserver, timeout=2)
    assert "DNS_TIMEOUT" in codes(r)
    assert time.monotonic() - start <= 2 + DEADLINE_SLACK


def test_dns_servfail_and_nodata(dns_server):
    assert "DNS_SERVFAIL" in codes(run(Zone.SERVFAIL, nameserver=dns_server.nameserver))
    assert "DNS_NO_ADDRESS" in codes(run(Zone.NODATA, nameserver=dns_server.nameserver))


def test_unreachable_nameserver_is_a_timeout():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never answers
    s.bind(("127.0.0.1", 0))
    try:
        r = run("registry.tcr-doctor.test", nameserver=f"127.0.0.1:{s.getsockname()[1]}", timeout=1.5)
        assert "DNS_TIMEOUT" in codes(r)
    finally:
        s.close()


@pytest.mark.parametrize(
    "name,code,addresses",
    [
        (Zone.INTERNAL, "ENDPOINT_INTERNAL", ["10.12.3.4"]),
        (Zone.LINKLOCAL, "ENDPOINT_INTERNAL", ["169.254.10.20"]),
        (Zone.PRIVATE192, "ENDPOINT_INTERNAL", ["192.168.31.7"]),
        (Zone.CGNAT, "ENDPOINT_INTERNAL", ["100.64.8.9"]),
        (Zone.INTERNAL_CNAME, "ENDPOINT_INTERNAL", ["10.12.3.4"]),
        (Zone.TCR_INTERNAL, "ENDPOINT_INTERNAL", ["10.12.3.4"]),
        (Zone.PUBLIC, "ENDPOINT_PUBLIC_OTHER", ["129.226.100.200", "2402:4e00:1::100"]),
        (Zone.TCR_PUBLIC, "ENDPOINT_PUBLIC", ["129.226.100.200"]),
    ],
)
def test_internal_vs_public(dns_server, name, code, addresses):
    # only dns,endpoint: these answers are not loopback and are never connected to
    r = run(f"{name}/ns/app:1.0", nameserver=dns_server.nameserver, only="dns,endpoint")
    assert [f.check for f in r.findings] == ["dns", "endpoint"]
    f = one(r, code)
    assert sorted(f.evidence["addresses"]) == sorted(addresses)
    if code == "ENDPOINT_PUBLIC_OTHER":
        assert f.status == "ok" and "COS" not in f.summary["en"]
    elif code == "ENDPOINT_PUBLIC":
        assert f.status == "warn" and f.faq == "network-traffic-billing" and "COS" in f.summary["en"]
    elif edition(name):
        assert f.status == "ok" and f.faq == "internal-or-public-network" and "internal access link" in f.fix["en"]
    else:  # TCR's internal access links are no advice for another registry's internal address
        assert f.status == "ok" and f.faq is None and f.fix == {"zh": "", "en": ""}


def test_mixed_addresses(dns_server):
    r = run(Zone.MIXED, nameserver=dns_server.nameserver, only="dns,endpoint")
    assert set(codes(r, "endpoint")) == {"ENDPOINT_INTERNAL", "ENDPOINT_PUBLIC_OTHER"}


# ------------------------------------------------------------------------------------------------ policy (SSRF guard)
class LoopbackOnlyRefused:
    """Policy-like object: refuses loopback addresses and one host name (what the web channel's policy does)."""

    def check_host(self, host):
        return "blocked name" if host == "blocked.tcr-doctor.test" else None

    def check_address(self, ip):
        return "loopback address" if ip.startswith("127.") or ip == "::1" else None


def test_policy_refuses_address(registry, dns_server):
    r = run(
        f"{Zone.REGISTRY}:{registry.port}/team/app:1.0", nameserver=dns_server.nameserver, policy=LoopbackOnlyRefused()
    )
    f = one(r, "TARGET_REFUSED")
    assert f.status == "fail" and "loopback" in f.evidence["reason"]
    assert set(codes(r)) == {"NAME_OK", "TARGET_REFUSED", "SKIPPED"}


def test_policy_refuses_literal_and_host(registry):
    r = run(f"{registry.url}/team/app:1.0", policy=LoopbackOnlyRefused())
    assert "TARGET_REFUSED" in codes(r)
    r = run("blocked.tcr-doctor.test/ns/app", policy=LoopbackOnlyRefused())
    assert one(r, "TARGET_REFUSED").evidence["reason"] == "blocked name"


def test_real_address_policy(registry, dns_server, creds):
    from diagnostics.policy import AddressPolicy

    # the web/Slack policy: public TCR domains only, ports 443/80 -> a loopback registry is refused, in both languages
    policy = AddressPolicy.public_registry()
    r = run(f"{registry.url}/team/app:1.0", policy=policy)
    f = one(r, "TARGET_REFUSED")
    assert f.evidence["reason"]["zh"] and f.evidence["reason"]["en"]
    r = run(f"{Zone.TCR_INTERNAL}/ns/app:1.0", nameserver=dns_server.nameserver, policy=policy)
    assert "TARGET_REFUSED" in codes(r)  # resolves to 10.12.3.4: never connected to
    r = run(f"{Zone.TCR_PUBLIC}/ns/app:1.0", nameserver=dns_server.nameserver, policy=policy, only="dns,endpoint")
    assert codes(r) == ["DNS_OK", "ENDPOINT_PUBLIC"]


def test_basic_auth_registry(registry_basic, creds, seed):
    r = run(f"{registry_basic.url}/team/app:1.0", **user(creds, "push"))
    assert "CREDENTIALS_OK" in codes(r)
    assert one(r, "TAG_FOUND").evidence["digest"] == seed.digest("team/app", "1.0")
    assert "CREDENTIALS_INVALID" in codes(run(f"{registry_basic.url}/team/app:1.0", **user(creds, "wrong_password")))
    assert one(run(f"{registry_basic.url}/team/app:1.0"), "CREDENTIALS_MISSING").status == "fail"


def test_blackhole_tcp_timeout_within_deadline(bad_servers):
    start = time.monotonic()
    r = run(f"https://{bad_servers.blackhole.host}/ns/app:1", timeout=2)
    assert codes(r, "tcp") == ["TCP_TIMEOUT"]
    assert time.monotonic() - start <= 2 + DEADLINE_SLACK


class HangUpOnTLS:
    """Plain-HTTP registry-ish server that closes the connection on a TLS ClientHello (no error bytes at all)."""

    def __enter__(self):
        import threading

        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.stop = False

        def serve():
            while not self.stop:
                try:
                    conn, _ = self.server.accept()
                except OSError:
                    return
                with conn:
                    conn.settimeout(2)
                    try:
                        first = conn.recv(4096)
                        if first[:1] == b"\x16":
                            continue  # TLS: hang up
                        conn.sendall(
                            b"HTTP/1.0 401 Unauthorized\r\nDocker-Distribution-Api-Version: registry/2.0\r\n"
                            b"Content-Length: 0\r\n\r\n"
                        )
                    except OSError:
                        pass

        threading.Thread(target=serve, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.server.close()


def test_plain_http_server_that_hangs_up_on_tls():
    with HangUpOnTLS() as s:
        r = run(f"127.0.0.1:{s.port}/ns/app:1", timeout=3)
        assert "HTTP_NOT_HTTPS" in codes(r, "tls")


class RefuseTokenRealm:
    """Policy-like object allowing the registry but refusing its token realm URL (check_url is optional API)."""

    def check_host(self, host):
        return None

    def check_address(self, ip):
        return None

    def check_url(self, url):
        return "token realm not allowed" if "/token" in url else None


def test_policy_check_url_applies_to_token_realm(registry, creds):
    r = run(f"{registry.url}/team/app:1.0", policy=RefuseTokenRealm(), **user(creds, "push"))
    f = [f for f in r.findings if f.code == "TARGET_REFUSED"]
    assert f and f[0].check == "credentials" and f[0].evidence["reason"] == "token realm not allowed"
    assert registry.token_server.url.split("//")[1] in f[0].evidence["host"]


def test_docker_config_identity_token_is_sent_as_refresh_token(registry, docker_config):
    # docker stores OAuth refresh tokens as `identitytoken`; the harness token server only knows
    # grant_type=password, so it answers 400 unsupported_grant_type: reported as invalid, never echoed
    secret = "refresh-token-value-that-must-not-leak"
    docker_config.add_auth(registry.host, "alice", "unused", identitytoken=secret)
    docker_config.write()
    r = run(f"{registry.url}/team/app:1.0", docker_config=str(docker_config.dir))
    f = one(r, "CREDENTIALS_INVALID")
    assert "auths" in f.evidence["source"]
    assert secret not in str(r.to_dict())
    log = registry.token_server.requests_log[-1]
    assert secret not in str(log)


class SkewedRegistry:
    """A registry-ish /v2/ answering 200 with a Date header two hours in the past."""

    def __enter__(self):
        import email.utils
        import http.server
        import threading

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def date_time_string(self, timestamp=None):
                return email.utils.formatdate(time.time() - 7200, usegmt=True)

            def do_GET(self):
                self.send_response(200)
                self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_clock_skew_from_date_header(registry):
    with SkewedRegistry() as s:
        r = run(f"http://127.0.0.1:{s.port}", only="http")
        f = one(r, "CLOCK_SKEW")
        assert f.status == "warn" and 7100 < f.evidence["seconds"] < 7300
        assert "2h0m (ahead)" == f.evidence["skew"]["en"]
    assert "CLOCK_SKEW" not in codes(run(registry.url, only="http"))


def test_certificate_expiring_soon(tmp_path):
    import datetime as dt
    import http.server
    import ssl
    import threading

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        r = run(f"https://127.0.0.1:{httpd.server_address[1]}", ca_file=str(ca_file), only="tls")
        assert codes(r) == ["TLS_OK", "TLS_EXPIRING"]
        assert one(r, "TLS_EXPIRING").evidence["days"] in (2, 3)
    finally:
        httpd.shutdown()
        httpd.server_close()


class ChaosRegistry:
    """A registry-ish server that answers the later steps with junk: opaque tokens, manifests that are not JSON,
    tag lists that are not JSON, missing digest headers, raw garbage instead of HTTP."""

    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ChaosHandler)
        self.httpd.mode = self.mode
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class _ChaosHandler(http.server.BaseHTTPRequestHandler):
    """ChaosRegistry's answers: a token flow whose token is opaque (or junk), then junk for the manifest and tags."""

    protocol_version = "HTTP/1.1"
    API = {"Docker-Distribution-Api-Version": "registry/2.0"}

    def log_message(self, *a):
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if self.path == "/v2/":
            realm = f"http://127.0.0.1:{self.server.server_address[1]}/token"
            return self._send(401, b"{}", {**self.API, "WWW-Authenticate": f'Bearer realm="{realm}",service="chaos"'})
        if self.path.startswith("/token"):
            if self.server.mode == "token-junk":
                return self._send(200, b"<html>not json</html>")
            return self._send(200, b'{"token": "opaque-token"}')
        if "/manifests/" in self.path:
            return self._manifest()
        if "/tags/list" in self.path:
            return self._send(200, b"[not json", self.API)
        return self._send(404, b"{}", self.API)

    def _manifest(self):
        if self.server.mode == "garbage":
            self.wfile.write(b"\x00\x01garbage\r\n\r\n")
            self.close_connection = True
            return
        manifest_type = {**self.API, "Content-Type": "application/vnd.oci.image.manifest.v1+json"}
        self._send(200, b"this is not a manifest", manifest_type)


@pytest.mark.parametrize(
    "mode,expect",
    [
        ("opaque", "TAG_FOUND"),  # opaque token: granted actions unknown; digest computed from the body
        ("token-junk", "TOKEN_SERVER_ERROR"),
        ("garbage", "HTTP_ERROR"),
    ],
)
def test_junk_answers_are_findings_not_crashes(mode, expect):
    with ChaosRegistry(mode) as s:
        r = run(f"http://127.0.0.1:{s.port}/ns/app:1", username="u", password="p", timeout=3)
        assert expect in codes(r), codes(r)
        if mode == "opaque":
            assert one(r, "TAG_FOUND").evidence["digest"].startswith("sha256:")
            assert one(r, "CREDENTIALS_OK").evidence["granted"] == ["?"]
