"""Wire-side gaps found while comparing with peers (issue 13): the client's proxy path, the instance-name rule on a
host that answers, docker's 64-hex rule, and TCR's path rules in check-name."""

from __future__ import annotations

import pytest

from diagnostics import DiagnoseOptions, check_name, diagnose
from tests.harness._net import free_port
from tests.harness.connect_proxy import ForwardProxy
from tests.harness.dns_server import DNSServer, Zone
from tests.harness.findings import codes, one


# ------------------------------------------------------------------------------------------------ proxies
def test_dead_proxy_fails_like_the_client_does(registry):
    env = {"HTTP_PROXY": f"http://user:s3cret-pw@127.0.0.1:{free_port()}"}
    r = diagnose(registry.url, DiagnoseOptions(only="dns,tcp,tls,http", env=env))
    f = one(r, "PROXY_ERROR")
    assert f.status == "fail" and f.evidence["stage"] == "connect" and r.exit_code == 1
    assert "s3cret-pw" not in str(r.to_dict()) and "user" not in str(f.evidence["proxy"])
    assert one(r, "HTTP_OK")  # the direct path works: only the proxy is broken


def test_working_proxy_http_target(registry):
    with ForwardProxy() as proxy:
        r = diagnose(registry.url, DiagnoseOptions(only="dns,tcp,tls,http", env={"HTTP_PROXY": proxy.url}))
    f = one(r, "PROXY_OK")
    assert f.evidence["status"] in (200, 401) and r.exit_code == 0
    assert proxy.requests and proxy.requests[0][0] == "GET" and proxy.requests[0][1].startswith("http://")


def test_proxy_tunnel_for_https_and_its_authentication(registry_tls):
    opts = {"only": "dns,tcp,tls,http", "ca_file": registry_tls.ca_file}
    with ForwardProxy(auth=("pu", "pp")) as proxy:
        host = proxy.url.split("://")[1]
        ok = diagnose(registry_tls.url, DiagnoseOptions(**opts, env={"HTTPS_PROXY": f"http://pu:pp@{host}"}))
        denied = diagnose(registry_tls.url, DiagnoseOptions(**opts, env={"HTTPS_PROXY": proxy.url}))
    assert one(ok, "PROXY_OK").evidence["status"] in (200, 401)
    assert proxy.requests[0][0] == "CONNECT" and proxy.requests[0][2] is True
    f = one(denied, "PROXY_ERROR")
    assert f.evidence["stage"] == "tunnel" and "407" in f.evidence["error"]


def test_no_proxy_and_untestable_proxies(registry):
    env = {"HTTP_PROXY": f"http://127.0.0.1:{free_port()}", "NO_PROXY": "127.0.0.1"}
    r = diagnose(registry.url, DiagnoseOptions(only="http", env=env))
    assert not {"PROXY_ERROR", "PROXY_OK", "PROXY_IN_EFFECT"} & set(codes(r))
    r = diagnose(registry.url, DiagnoseOptions(only="http", env={"HTTP_PROXY": "socks5://127.0.0.1:1"}))
    assert one(r, "PROXY_IN_EFFECT").status == "warn"


# ------------------------------------------------------------------------------------------------ names
def test_instance_name_rule_warns_when_the_host_answers(registry):
    zone = Zone(records={"ab.tencentcloudcr.com": [("A", "127.0.0.1")]})  # 'ab' breaks the 5-50 rule
    with DNSServer(zone) as dns:
        r = diagnose(
            f"http://ab.tencentcloudcr.com:{registry.port}",
            DiagnoseOptions(only="name,dns,tcp,tls,http", nameserver=dns.nameserver, env={}),
        )
        f = one(r, "NAME_INVALID")
        assert f.status == "warn" and "answers" in f.evidence["answered"]["en"]
        assert r.exit_code == 0
        r = diagnose(
            f"http://ab.tencentcloudcr.com:{free_port()}",
            DiagnoseOptions(only="name,dns,tcp", nameserver=dns.nameserver, env={}),
        )
        assert one(r, "NAME_INVALID").status == "fail"  # nothing answers: the rule may be why


def test_bare_64_hex_is_refused_as_docker_does():
    hexname = "1a3f5c9b" * 8
    r = check_name("ref", hexname)
    assert not r["valid"] and r["rule"] == "ref.hex64"
    assert check_name("ref", f"{hexname}:1")["valid"]  # with a tag it is a name again (docker agrees)
    report = diagnose(hexname, DiagnoseOptions(only="name", env={}))
    assert one(report, "NAME_INVALID").evidence["rule"] == "ref.hex64"


@pytest.mark.parametrize(
    "value,rule,suggestion",
    [
        ("ccr.ccs.tencentyun.com/ns/a/b", "personal.single-level", "ccr.ccs.tencentyun.com/ns/a-b"),
        ("hkccr.ccs.tencentyun.com/app", "personal.single-level", None),
        ("x-tcr.tencentcloudcr.com/app:1", "enterprise.namespace-required", "x-tcr.tencentcloudcr.com/app/app:1"),
    ],
)
def test_check_name_tcr_path_rules(value, rule, suggestion):
    r = check_name("ref", value)
    assert not r["valid"] and r["rule"] == rule
    if suggestion:
        assert r["suggestion"] == suggestion and check_name("ref", suggestion)["valid"]


def test_check_name_tcr_valid_paths():
    assert check_name("ref", "x-tcr.tencentcloudcr.com/team/front/nginx:1")["valid"]  # multi-level: enterprise ok
    assert check_name("ref", "ccr.ccs.tencentyun.com/ns/app")["valid"]
    assert check_name("ref", "registry.example.com/app")["valid"]  # not TCR: docker's rules only


@pytest.mark.parametrize("kind", ["instance", "namespace", "repo"])
def test_chinese_name_is_invalid_characters(kind):
    r = check_name(kind, "团队仓库")
    # the offending characters in the order written (a set once listed them as 仓团库队)
    assert r["rule"] == f"{kind}.charset"
    assert "'团', '队', '仓', '库'" in r["error"]["en"] and "“团”“队”“仓”“库”" in r["error"]["zh"]


# ------------------------------------------------------------------------------------------------ storage host
def test_layers_from_a_storage_host_that_answers(registry_noauth):
    from tests.harness.proxy import TagPaginationProxy

    front = TagPaginationProxy(registry_noauth, blob_redirect=registry_noauth.url).start()
    try:
        r = diagnose(f"{front.url}/team/app:1.0", DiagnoseOptions(env={}))
    finally:
        front.stop()
    f = one(r, "BLOB_STORAGE_OK")
    assert f.evidence["storage_host"] == registry_noauth.host and f.evidence["status"] in (200, 206)


def test_blob_download_stalls_on_the_storage_host(registry_noauth, bad_servers):
    from tests.harness.proxy import TagPaginationProxy

    front = TagPaginationProxy(registry_noauth, blob_redirect=bad_servers.silent.url).start()
    try:
        r = diagnose(f"{front.url}/team/app:1.0", DiagnoseOptions(env={}, timeout=4))
    finally:
        front.stop()
    assert one(r, "TAG_FOUND") and one(r, "HTTP_OK")  # the registry is fine
    f = one(r, "BLOB_STORAGE_UNREACHABLE")
    assert f.status == "fail" and f.evidence["storage_host"] == bad_servers.silent.host
    assert "timed out" in f.summary["en"] and "超时" in f.summary["zh"]
    # our own words are a string in JSON, as every other evidence value we write (it was a {zh, en} dict)
    assert f.to_dict()["evidence"]["error"] == "timed out"


def test_storage_host_outside_the_policy_is_not_contacted(registry_noauth, bad_servers):
    from diagnostics.policy import AddressPolicy
    from tests.harness.proxy import TagPaginationProxy

    front = TagPaginationProxy(registry_noauth, blob_redirect="http://storage.example.com").start()
    try:
        policy = AddressPolicy.public_registry(domains=["*.tencentcloudcr.com"], ports=[], allow_loopback=True)
        with DNSServer(Zone(records={"front.tencentcloudcr.com": [("A", "127.0.0.1")]})) as dns:
            r = diagnose(
                f"http://front.tencentcloudcr.com:{front.port}/team/app:1.0",
                DiagnoseOptions(env={}, policy=policy, nameserver=dns.nameserver),
            )
    finally:
        front.stop()
    assert one(r, "TAG_FOUND")  # the image check got as far as the layers
    assert not {"BLOB_STORAGE_OK", "BLOB_STORAGE_UNREACHABLE"} & set(codes(r))
