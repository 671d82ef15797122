"""POST /api/diagnose: the SSRF guard in front of the diagnostics engine, and the CLI command hint.

Refusals are checked with a spy standing in for the engine (it must never be called); the real engine runs
against the harness DNS server and registry in test_web_registry.py.
"""

from __future__ import annotations

import threading

import pytest

from bot.web import create_app


class Spy:
    def __init__(self, result=None, gate: threading.Event | None = None):
        self.calls = []
        self.result = result or {
            "findings": [
                {
                    "check": "dns",
                    "status": "ok",
                    "code": "DNS_OK",
                    "summary": {"zh": "好", "en": "fine"},
                    "evidence": {},
                    "fix": {"zh": "", "en": ""},
                    "faq": None,
                }
            ],
            "exit_code": 0,
        }
        self.gate = gate

    def __call__(self, target, **kwargs):
        self.calls.append((target, kwargs))
        if self.gate:
            self.gate.wait(5)
        return self.result


@pytest.fixture
def spy():
    return Spy()


@pytest.fixture
def client(tmp_path, spy):
    return create_app(
        {"DB": str(tmp_path / "d.sqlite3"), "SLACK": "off", "DIAGNOSE_FUNC": spy, "RATE_LIMIT_DIAGNOSE": "0"}
    ).test_client()


REFUSED_TARGETS = [
    "127.0.0.1:5000/ns/app:1.0",
    "2130706433/ns/app",
    "0x7f.1",
    "0177.0.0.1",
    "[::1]:443/ns/app",
    "[::ffff:169.254.169.254]/x",
    "169.254.169.254/latest/meta-data",
    "user@shop.tencentcloudcr.com/ns/app",
    "shop.tencentcloudcr.com@10.0.0.1/ns/app",
    "https://user:pass@shop.tencentcloudcr.com/ns/app",
    "shop.tencentcloudcr.com./ns/app",
    "localhost:5000/ns/app",
    "metadata.google.internal/computeMetadata/v1",
    "registry-1.docker.io/library/nginx",
    "shop.tencentcloudcr.com.evil.example/ns/app",
    "shop.tencentcloudcr.com:22/ns/app",
    "nginx:latest",
]


@pytest.mark.parametrize("target", REFUSED_TARGETS)
def test_refused_targets_never_reach_the_engine(client, spy, target):
    response = client.post("/api/diagnose", json={"target": target, "render": "html"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["refused"] is True and body["exit_code"] == 1
    (finding,) = body["findings"]
    assert finding["code"] == "TARGET_REFUSED" and finding["status"] == "fail"
    assert finding["summary"]["zh"] and finding["summary"]["en"] and finding["fix"]["zh"] and finding["fix"]["en"]
    assert spy.calls == []
    assert "TARGET_REFUSED" in body["html"]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("ghcr.io/acme/app:1.0", "not a Tencent Cloud registry domain"),  # public, but not under the service's domains
        ("10.0.0.1/ns/app", "IP address"),
        ("shop.tencentcloudcr.com:22/ns/app", "port"),
    ],
)
def test_a_refusals_fix_fits_every_policy(client, spy, target, reason):
    """The fix of a refused target points to the command line whatever the policy was, and claims nothing the reason
    contradicts (it said "diagnose public registries only" when the public ghcr.io was refused for its domain)."""
    (finding,) = client.post("/api/diagnose", json={"target": target}).get_json()["findings"]
    assert reason in finding["summary"]["en"], finding
    for lang in ("en", "zh"):
        assert f"tcr-doctor diagnose {target}" in finding["fix"][lang]
        assert "public" not in finding["fix"][lang] and "公网" not in finding["fix"][lang], finding["fix"]
    assert spy.calls == []


def test_refusal_reason_is_in_the_requested_language(client):
    body = client.post("/api/diagnose", json={"target": "10.0.0.1/ns/app", "lang": "zh", "render": "html"}).get_json()
    assert "IP 地址" in body["findings"][0]["summary"]["zh"]
    assert "IP 地址" in body["html"]
    en = client.post("/api/diagnose", json={"target": "10.0.0.1/ns/app", "lang": "en", "render": "html"}).get_json()
    assert "IP address" in en["html"]


def test_allowed_target_runs_with_the_public_policy(client, spy):
    body = client.post("/api/diagnose", json={"target": " shop-tcr.tencentcloudcr.com/ns/app:1.0 "}).get_json()
    assert body["refused"] is False and body["exit_code"] == 0
    ((target, kwargs),) = spy.calls
    assert target == "shop-tcr.tencentcloudcr.com/ns/app:1.0"
    policy = kwargs["policy"]
    assert policy.allow_loopback is False
    assert policy.check_host("shop-tcr.tencentcloudcr.com") is None
    assert policy.check_address("10.0.0.1") is not None
    assert body["cli"]["command"] == (
        "tcr-doctor diagnose shop-tcr.tencentcloudcr.com/ns/app:1.0 --username <USERNAME> --password-stdin"
    )
    assert body["cli"]["note"]["zh"] and body["cli"]["note"]["en"]


def test_cli_command_is_shell_quoted(client):
    body = client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com/ns/app;rm -rf ~"}).get_json()
    assert "'shop.tencentcloudcr.com/ns/app;rm -rf ~'" in body["cli"]["command"]


@pytest.mark.parametrize(
    "payload,status,code",
    [
        ({}, 400, "missing_target"),
        ({"target": ""}, 400, "missing_target"),
        ({"target": ["a"]}, 400, "missing_target"),
        ({"target": "a" * 513}, 413, "target_too_long"),
        ({"target": "shop.tencentcloudcr.com", "lang": "de"}, 400, "bad_lang"),
    ],
)
def test_diagnose_validation(client, payload, status, code):
    response = client.post("/api/diagnose", json=payload)
    assert response.status_code == status
    assert response.get_json()["error"] == code


def test_diagnose_rate_limit(tmp_path):
    client = create_app(
        {"DB": str(tmp_path / "r.sqlite3"), "SLACK": "off", "DIAGNOSE_FUNC": Spy(), "RATE_LIMIT_DIAGNOSE": "2/60"}
    ).test_client()
    for _ in range(2):
        assert client.post("/api/diagnose", json={"target": "a.tencentcloudcr.com"}).status_code == 200
    response = client.post("/api/diagnose", json={"target": "a.tencentcloudcr.com"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1


def test_diagnose_concurrency_limit(tmp_path):
    gate = threading.Event()
    spy = Spy(gate=gate)
    app = create_app(
        {
            "DB": str(tmp_path / "c.sqlite3"),
            "SLACK": "off",
            "DIAGNOSE_FUNC": spy,
            "RATE_LIMIT_DIAGNOSE": "0",
            "DIAGNOSE_CONCURRENCY": 1,
        }
    )
    results = []
    first = threading.Thread(
        target=lambda: results.append(
            app.test_client().post("/api/diagnose", json={"target": "a.tencentcloudcr.com"}).status_code
        )
    )
    first.start()
    for _ in range(100):
        if spy.calls:
            break
        threading.Event().wait(0.02)
    busy = app.test_client().post("/api/diagnose", json={"target": "b.tencentcloudcr.com"})
    gate.set()
    first.join(5)
    assert busy.status_code == 503 and busy.get_json()["error"] == "busy" and busy.headers["Retry-After"] == "5"
    assert results == [200]


def test_split_target():
    from diagnostics.policy import split_target

    assert split_target("https://shop.tencentcloudcr.com:443/ns/app:1") == ("shop.tencentcloudcr.com", 443, None)
    assert split_target("shop.tencentcloudcr.com") == ("shop.tencentcloudcr.com", None, None)
    assert split_target("a@b.tencentcloudcr.com/x")[2] == "userinfo"
    assert split_target("nginx:latest")[2] == "syntax"


# --- the server's own credentials are never used for a web user ----------------------------------------
class _ChallengingRegistry:
    """HTTPS on loopback: GET /v2/... -> 401 Bearer challenge (realm /token on itself); /token records the
    Authorization header it was sent and hands out an anonymous token."""

    def __init__(self, cert):
        from tests.harness._net import QuietHandler
        from tests.harness.dns_server import Zone
        from tests.harness.servers import HTTPServer

        self.authorizations: list[str] = []
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                if self.path.startswith("/token"):
                    outer.authorizations.append(self.headers.get("Authorization", ""))
                    self.send_body(200, '{"token": "anonymous", "access_token": "anonymous"}', "application/json")
                    return
                realm = f"https://{Zone.TCR_LOCAL}:{outer.port}/token"
                self.send_body(
                    401,
                    '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                    "application/json",
                    {
                        "WWW-Authenticate": f'Bearer realm="{realm}",service="registry"',
                        "Docker-Distribution-Api-Version": "registry/2.0",
                    },
                )

        self.server = HTTPServer(Handler, cert=cert, name="challenging").start()
        self.port = self.server.port

    def stop(self):
        self.server.stop()


def test_web_diagnosis_never_uses_the_servers_docker_credentials(tmp_path, monkeypatch, dns_server, tls_material):
    import base64
    import json
    import os

    from diagnostics import DiagnoseOptions, diagnose
    from tests.harness.dns_server import Zone

    reg = _ChallengingRegistry(tls_material.valid)
    hostport = f"{Zone.TCR_LOCAL}:{reg.port}"
    # the server account's docker login: a credential helper that records being asked, and a stored password
    bindir, home, calls = tmp_path / "bin", tmp_path / "home", tmp_path / "helper-calls"
    bindir.mkdir()
    (home / ".docker").mkdir(parents=True)
    helper = bindir / "docker-credential-spy"
    helper.write_text(f'#!/bin/sh\ncat >> {calls}\necho \'{{"Username": "ops", "Secret": "server-secret"}}\'\n')
    helper.chmod(0o755)
    (home / ".docker" / "config.json").write_text(
        json.dumps(
            {"credsStore": "spy", "auths": {hostport: {"auth": base64.b64encode(b"ops:server-password").decode()}}}
        )
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    try:
        client = create_app(
            {
                "DB": str(tmp_path / "w.sqlite3"),
                "SLACK": "off",
                "RATE_LIMIT_DIAGNOSE": "0",
                "DNS_NAMESERVER": dns_server.nameserver,
                "CA_FILE": tls_material.ca_file,
                "REGISTRY_PORTS": "",
                "TEST_ALLOW_LOOPBACK": True,
            }
        ).test_client()
        body = client.post("/api/diagnose", json={"target": f"{hostport}/team/app:1.0"}).get_json()
        codes = [f["code"] for f in body["findings"]]
        assert "HTTP_OK" in codes or any(c.startswith("HTTP") for c in codes), codes
        assert not calls.exists(), "the web diagnosis asked the server's credential helper"
        assert reg.authorizations and all("Basic" not in a for a in reg.authorizations), reg.authorizations
        assert "server-secret" not in json.dumps(body) and "ops" not in json.dumps(body["findings"])

        # control: the CLI's defaults (the user's own docker config) do consult it, so the check above means something
        diagnose(
            f"{hostport}/team/app:1.0",
            DiagnoseOptions(timeout=8, nameserver=dns_server.nameserver, ca_file=tls_material.ca_file),
        )
        assert calls.exists()
    finally:
        reg.stop()


# --- the real engine behind /api/diagnose, names from the harness DNS server ------------------------------
@pytest.mark.parametrize(
    "attr,words",
    [
        ("TCR_INTERNAL", "VPC"),
        ("INTERNAL_CNAME", "VPC"),
        ("LINKLOCAL", "169.254."),
        ("CGNAT", "NAT"),
        ("MIXED", "VPC"),
        ("PRIVATE192", "VPC"),
    ],
)
def test_names_resolving_to_internal_addresses_are_refused_findings(tmp_path, dns_server, attr, words):
    """dns_only_app: an internal answer is never connected to, even if the guard were broken."""
    from tests.harness.dns_server import Zone
    from tests.harness.web import dns_only_app

    domains = "*.tencentcloudcr.com,*.tcr-doctor.test"
    client = dns_only_app(str(tmp_path / "h.sqlite3"), dns_server.nameserver, REGISTRY_DOMAINS=domains).test_client()
    name = getattr(Zone, attr)
    response = client.post("/api/diagnose", json={"target": f"{name}/ns/app:1.0", "lang": "zh", "render": "html"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["refused"] is True and body["exit_code"] == 1
    refused = [f for f in body["findings"] if f["code"] == "TARGET_REFUSED"]
    assert refused and refused[0]["summary"]["zh"] and refused[0]["summary"]["en"]
    assert words in refused[0]["summary"]["en"], refused[0]["summary"]["en"]
    assert {f["check"] for f in body["findings"]} <= {"dns", "endpoint"}
    assert "TARGET_REFUSED" in body["html"]


def test_rendered_findings_put_problems_first():
    from bot.render import render

    def f(check, status, code):
        return {"check": check, "status": status, "code": code, "summary_text": code, "fix_html": ""}

    html = render(
        "web",
        "findings.html",
        lang="en",
        target="x.tencentcloudcr.com",
        verdict=None,
        cli=None,
        findings=[
            f("name", "ok", "NAME_OK"),
            f("dns", "ok", "DNS_OK"),
            f("tcp", "fail", "TCP_TIMEOUT"),
            f("endpoint", "warn", "ENDPOINT_PUBLIC"),
            f("tls", "skip", "SKIPPED"),
        ],
    )
    order = ("TCP_TIMEOUT", "ENDPOINT_PUBLIC", "NAME_OK", "DNS_OK", "SKIPPED")
    positions = [html.index(f'data-code="{code}"') for code in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:5000/ns/app:1.0", "localhost:5000/ns/app", "shop.tencentcloudcr.com:22/ns/app"],
)
def test_a_refusals_fix_names_the_target_as_asked(client, target):
    """The fix said "Run `tcr-doctor diagnose {host}`": `/tcr diagnose http://127.0.0.1:1` was told to run
    `tcr-doctor diagnose 127.0.0.1`, which diagnoses port 443 over HTTPS, another registry than the one asked about.
    The command keeps the target as asked (port, scheme, image)."""
    (finding,) = client.post("/api/diagnose", json={"target": target}).get_json()["findings"]
    for lang in ("zh", "en"):
        assert f"`tcr-doctor diagnose {target}`" in finding["fix"][lang], finding["fix"][lang]


def test_a_refusal_found_while_diagnosing_names_the_target_as_asked(tmp_path, dns_server):
    """A name refused for the address it resolves to (the dns check's refusal, not the up-front one)."""
    from tests.harness.dns_server import Zone
    from tests.harness.web import dns_only_app

    domains = "*.tencentcloudcr.com,*.tcr-doctor.test"
    client = dns_only_app(str(tmp_path / "h.sqlite3"), dns_server.nameserver, REGISTRY_DOMAINS=domains).test_client()
    target = f"http://{Zone.TCR_INTERNAL}/ns/app:1.0"
    body = client.post("/api/diagnose", json={"target": target}).get_json()
    (refused,) = [f for f in body["findings"] if f["code"] == "TARGET_REFUSED"]
    for lang in ("zh", "en"):
        assert f"`tcr-doctor diagnose {target}`" in refused["fix"][lang], refused["fix"][lang]
