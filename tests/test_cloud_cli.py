"""`diagnose --cloud` as a user runs it (a real process): wire and account together, one verdict, no secret in any
output at DEBUG, and channels that must never use the operator's cloud credentials."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from tests.harness.dns_server import DNSServer, Zone
from tests.harness.tcr_api import Account, Key, TCRAPIServer

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOST = "shop-tcr.tencentcloudcr.com"
TOKEN = "tcrdoctorTESTsessionTOKEN0123456789abcdef"


@pytest.fixture
def account():
    a = Account.example()
    a.keys["AKIDtcrdoctorTEMPKEY00000000000000"] = Key("tcrdoctorTEMPsecret0000000000000", token=TOKEN)
    return a


@pytest.fixture
def api(account):
    with TCRAPIServer(account) as server:
        yield server


@pytest.fixture(scope="module")
def dns():
    with DNSServer(Zone(records={HOST: [("A", "127.0.0.1")]})) as server:
        yield server


def env_for(api, temp=False, **extra):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "LANG": "C.UTF-8",
        "TCR_DOCTOR_CLOUD_ENDPOINT": api.endpoint,
    }
    if temp:
        env.update(
            TENCENTCLOUD_SECRET_ID="AKIDtcrdoctorTEMPKEY00000000000000",
            TENCENTCLOUD_SECRET_KEY="tcrdoctorTEMPsecret0000000000000",
            TENCENTCLOUD_SESSION_TOKEN=TOKEN,
        )
    else:
        env.update(TENCENTCLOUD_SECRET_ID=Account.SECRET_ID, TENCENTCLOUD_SECRET_KEY=Account.SECRET_KEY)
    env.update(extra)
    return env


def cli(*args, env, timeout=60):
    p = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, cwd=ROOT, timeout=timeout, env=env
    )
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out + err, err
    return p.returncode, out, err


def test_silent_port_and_closed_public_entry_lead_with_the_cause(api, dns, bad_servers, account):
    account.instance("shop-tcr").external_status = "Closed"
    target = f"{HOST}:{bad_servers.silent.port}/team/app:1.0"
    code, out, err = cli(
        "diagnose",
        target,
        "--cloud",
        "--nameserver",
        dns.nameserver,
        "--timeout",
        "3",
        "--lang",
        "en",
        env=env_for(api),
    )
    assert code == 1
    verdict, _, findings = out.partition("[OK] name")
    assert "Cause: [cloud_network PUBLIC_ACCESS_CLOSED]" in verdict
    assert "Symptom: [tls TLS_TIMEOUT]" in verdict
    assert "TLS_TIMEOUT" in findings and "PUBLIC_ACCESS_CLOSED" in findings  # every finding is still listed
    code, out, _ = cli(
        "diagnose", target, "--cloud", "--nameserver", dns.nameserver, "--timeout", "3", "--json", env=env_for(api)
    )
    data = json.loads(out)
    assert data["verdict"][0]["cause"]["code"] == "PUBLIC_ACCESS_CLOSED"
    assert {"check": "tls", "code": "TLS_TIMEOUT"} in data["verdict"][0]["symptoms"]
    assert {"TLS_TIMEOUT", "PUBLIC_ACCESS_CLOSED", "INSTANCE_OK"} <= {f["code"] for f in data["findings"]}


def test_blackholed_port_and_whitelist(api, dns, bad_servers):
    target = f"{HOST}:{bad_servers.blackhole.port}"
    code, out, _ = cli(
        "diagnose",
        target,
        "--only",
        "dns,endpoint,tcp,cloud",
        "--cloud",
        "--client-ip",
        "198.51.100.9",
        "--nameserver",
        dns.nameserver,
        "--timeout",
        "2",
        "--json",
        env=env_for(api),
    )
    data = json.loads(out)
    assert data["verdict"][0]["cause"]["code"] == "PUBLIC_IP_NOT_ALLOWED"
    assert data["verdict"][0]["symptoms"] == [{"check": "tcp", "code": "TCP_TIMEOUT"}]


def test_only_dns_endpoint_cloud_touches_no_registry(api, dns, bad_servers):
    before = bad_servers.silent.accepted
    code, out, _ = cli(
        "diagnose",
        f"{HOST}:{bad_servers.silent.port}/team/app:1.0",
        "--only",
        "dns,endpoint,cloud",
        "--nameserver",
        dns.nameserver,
        "--json",
        env=env_for(api),
    )
    data = json.loads(out)
    assert data["checks"][:2] == ["dns", "endpoint"] and len(data["checks"]) == 8  # --only cloud implies --cloud
    assert code == 0, out
    assert bad_servers.silent.accepted == before


@pytest.mark.parametrize("wrong_key", [False, True])
def test_no_secret_in_any_output_at_debug(api, dns, tmp_path, wrong_key):
    env = env_for(api, temp=True)
    if wrong_key:
        env["TENCENTCLOUD_SECRET_KEY"] = "tcrdoctorWRONGsecret000000000000"
    secrets = [env["TENCENTCLOUD_SECRET_ID"], env["TENCENTCLOUD_SECRET_KEY"], TOKEN]
    report = tmp_path / "ticket.md"
    outputs = []
    for fmt in ([], ["--json"]):
        code, out, err = cli(
            "diagnose",
            f"{HOST}/team/app:1.0",
            "--only",
            "dns,cloud",
            "--nameserver",
            dns.nameserver,
            "--debug",
            "--report",
            str(report),
            *fmt,
            env=env,
        )
        outputs += [out, err, report.read_text(encoding="utf-8")]
    assert "DEBUG" in outputs[1] and "DescribeInstances" in outputs[1]  # the debug log is really on
    codes = json.loads(outputs[3])["findings"]
    expected = "CLOUD_CREDENTIALS_INVALID" if wrong_key else "INSTANCE_OK"
    assert expected in {f["code"] for f in codes}
    for text in outputs:
        for s in secrets:
            assert s not in text
            assert s[4:20] not in text  # not even a fragment


def test_without_credentials_account_checks_are_skipped(api, dns):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"}
    code, out, _ = cli("diagnose", HOST, "--cloud", "--only", "dns,cloud", "--nameserver", dns.nameserver, env=env)
    assert code == 0
    assert out.count("CLOUD_NO_CREDENTIALS") == 6 and "TENCENTCLOUD_SECRET_ID" in out
    assert api.actions() == []


def test_check_name_without_credentials_names_them_as_the_diagnosis_does():
    """check-name --cloud without credentials is a usage error; in Chinese it said 云 API 凭证 where the diagnosis's
    CLOUD_NO_CREDENTIALS, ask and explain say 云 API 密钥 (the console's name for SecretId/SecretKey)."""
    from diagnostics import catalogue

    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"}
    code, _, err = cli("check-name", "instance", "shop-tcr", "--cloud", "--lang", "zh", env=env)
    assert code == 2 and "云 API 密钥" in err and "凭证" not in err, err
    assert "云 API 密钥" in catalogue()["CLOUD_NO_CREDENTIALS"]["summary"]["zh"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--region", "ap-guangzhou"], "--region needs --cloud"),
        (["--cloud", "--region", "Guangzhou!"], "not a region name"),
        (["--cloud", "--client-ip", "1.2.3"], "not an IP address"),
        (["--cloud", "--vpc", "vpc_bad"], "not a VPC ID"),
        (["--cloud", "--cloud-endpoint", "ftp://x"], "not http(s)"),
        (["--cloud", "--cloud-profile", "nope"], "no tccli profile"),
    ],
)
def test_usage_errors(api, args, message):
    code, _, err = cli("diagnose", HOST, *args, env=env_for(api))
    assert code == 2 and message in err


def test_web_api_never_uses_cloud_credentials(api, dns, monkeypatch):
    from bot.web import create_app

    for k, v in env_for(api).items():
        monkeypatch.setenv(k, v)
    app = create_app({"SLACK": "off", "DNS_NAMESERVER": dns.nameserver, "TEST_ALLOW_LOOPBACK": True, "DB": ":memory:"})
    client = app.test_client()
    for checks in (None, ["dns", "cloud"], ["cloud_instance"]):
        body = {"target": f"{HOST}/team/app:1.0"} | ({"checks": checks} if checks else {})
        r = client.post("/api/diagnose", json=body)
        assert r.status_code in (200, 400), r.get_data(as_text=True)
        data = r.get_json()
        assert not any(f["check"].startswith("cloud_") for f in data.get("findings") or [])
    assert api.actions() == []


@pytest.mark.parametrize(
    "name,code,rule",
    [("busy-tcr", 1, "instance.taken"), ("tencent", 1, "instance.reserved"), ("fresh-tcr", 0, None)],
)
def test_check_name_instance_with_cloud(api, account, name, code, rule):
    account.taken_names.add("busy-tcr")
    rc, out, _ = cli("check-name", "instance", name, "--cloud", "--json", env=env_for(api))
    data = json.loads(out)
    assert rc == code and data["rule"] == rule and data["service"]["checked"] is True
    assert "note" not in data
    assert api.actions() == ["CheckInstanceName"]


def test_check_name_instance_offline_says_what_it_cannot_check(api):
    rc, out, _ = cli("check-name", "instance", "fresh-tcr", "--lang", "en", env=env_for(api))
    assert rc == 0 and "cannot be checked offline" in out and "--cloud" in out
    rc, _, err = cli("check-name", "namespace", "team", "--cloud", env=env_for(api))
    assert rc == 2 and "instance names only" in err
    rc, _, err = cli(
        "check-name", "instance", "x-tcr", "--cloud", env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    )
    assert rc == 2 and "needs cloud API credentials" in err
    assert api.actions() == []


LOG = (
    'Error response from daemon: Get "https://shop-tcr.tencentcloudcr.com/v2/": dial tcp 203.0.113.10:443: i/o timeout'
)


def test_explain_and_ask_suggest_cloud_only_with_credentials(api, tmp_path):
    with_creds = env_for(api)
    without = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8", "TCR_DOCTOR_CACHE_DIR": "off"}
    with_creds["TCR_DOCTOR_CACHE_DIR"] = "off"
    log = tmp_path / "pull.log"
    log.write_text(LOG + "\n")
    code, out, _ = cli("explain", str(log), "--lang", "en", env=with_creds)
    assert "tcr-doctor diagnose shop-tcr.tencentcloudcr.com" in out and "--cloud" in out
    code, out, _ = cli("explain", str(log), "--json", env=with_creds)
    assert json.loads(out)["cloud_diagnose"].endswith(" --cloud")
    code, out, _ = cli("explain", str(log), "--lang", "en", env=without)
    assert "--cloud" not in out
    code, out, _ = cli("ask", LOG, env=with_creds)
    assert "--cloud" in out
    code, out, _ = cli("ask", LOG, env=without)
    assert "--cloud" not in out
    assert api.actions() == []  # a suggestion, not a call


def test_ask_json_carries_the_cloud_hint(api):
    """`ask --json` (one question, and each line of a batch) carries `cloud_diagnose` when credentials are present
    and the question names a TCR host; never without credentials or for another registry."""
    with_creds = {**env_for(api), "TCR_DOCTOR_CACHE_DIR": "off"}
    without = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8", "TCR_DOCTOR_CACHE_DIR": "off"}
    code, out, _ = cli("ask", "--json", LOG, env=with_creds)
    assert code == 0
    # the log's diagnosis is `--only dns,endpoint,tcp`: the account checks join that list, or --cloud would add none
    hint = "tcr-doctor diagnose shop-tcr.tencentcloudcr.com --only dns,endpoint,tcp,cloud --cloud"
    assert json.loads(out)["cloud_diagnose"] == hint
    from diagnostics import select

    assert "cloud_instance" in select(hint.split("--only ")[1].split()[0], cloud=True)  # the command runs them
    code, out, _ = cli("ask", "--json", LOG, env=without)
    assert "cloud_diagnose" not in json.loads(out)
    other = LOG.replace("shop-tcr.tencentcloudcr.com", "registry.example.com")
    code, out, _ = cli("ask", "--json", other, env=with_creds)
    assert "cloud_diagnose" not in json.loads(out)
    p = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json"],
        input=(json.dumps(LOG) + "\n" + json.dumps(other) + "\n").encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        env=with_creds,
    )
    lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert [x.get("cloud_diagnose") for x in lines] == [hint, None]
    assert api.actions() == []


def test_the_cloud_hint_costs_no_network_stack(api):
    """Saying whether `--cloud` would work reads no secret and imports neither the network stack nor the client."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['ask', '--json', {LOG!r}])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        env={**env_for(api), "TCR_DOCTOR_CACHE_DIR": "off"},
    )
    modules = set(json.loads(p.stdout.decode().splitlines()[-1]))
    assert "diagnostics.cloud_credentials" in modules  # the hint was considered
    assert not modules & {"ssl", "http.client", "diagnostics.net", "diagnostics.cloud", "diagnostics.cloud_tc3"}
