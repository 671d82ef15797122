"""The SSRF policy's refused networks (TCR_DOCTOR_REFUSED_NETWORKS): by default the ranges Tencent Cloud uses for
internal services besides 10.*, 100.* and 169.254.* (9/8, 11/8, 30/8), refused in every spelling an address takes —
plain, wrapped in IPv6, behind a DNS name, at the end of a redirect — and the same setting in every channel that
diagnoses for anyone (web API, Slack over HTTP and Socket Mode). Also: a local-use NAT64 address whose IPv4 part
cannot be read is refused, and a setting that cannot be used is one clear line at start-up."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError
from diagnostics.policy import DEFAULT_REFUSED_NETWORKS, AddressPolicy, Refusal, classify_address

POLICY = AddressPolicy.public_registry()
HOST = "shop.tencentcloudcr.com"

REFUSED = [
    ("9.134.1.2", "refused_network"),
    ("9.0.0.0", "refused_network"),
    ("11.177.0.1", "refused_network"),
    ("30.44.1.2", "refused_network"),
    ("::ffff:9.134.1.2", "refused_network"),  # IPv4-mapped
    ("::ffff:0:b00:1", "refused_network"),  # SIIT IPv4-translated 11.0.0.1
    ("64:ff9b::b00:1", "refused_network"),  # NAT64 of 11.0.0.1
    ("64:ff9b:1::1e01:101", "refused_network"),  # local-use NAT64 /96 of 30.1.1.1
    ("2002:1e01:101::1", "refused_network"),  # 6to4 of 30.1.1.1
    # local-use NAT64 with a shorter prefix puts the IPv4 address in the middle (RFC 6052): unreadable, refused; its
    # last 32 bits read 8.8.8.8 and passed before
    ("64:ff9b:1:a9fe:a9:fe00:808:808", "reserved"),
    ("64:ff9b:1:7f00:0:100::", "reserved"),
]


@pytest.mark.parametrize("ip,code", REFUSED, ids=[ip for ip, _ in REFUSED])
def test_tencent_internal_ranges_are_refused_in_every_spelling(ip, code):
    reason = POLICY.check_address(ip, HOST)
    assert isinstance(reason, Refusal), f"{ip} got through"
    assert reason.code == code
    assert reason.zh and reason.en and f"tcr-doctor diagnose {HOST}" in reason.en


@pytest.mark.parametrize("ip", ["8.8.8.8", "12.0.0.1", "29.255.255.255", "31.0.0.1", "64:ff9b:1::808:808"])
def test_neighbouring_public_addresses_pass(ip):
    assert POLICY.check_address(ip) is None


def test_the_operator_decides_the_networks():
    open_policy = AddressPolicy.public_registry(refused_networks=())
    assert open_policy.check_address("9.134.1.2") is None
    assert open_policy.check_address("10.0.0.1").code == "private"  # the non-public ranges stay refused
    own = AddressPolicy.public_registry(refused_networks=["203.0.114.0/24", "2405:6f00::/32"])
    assert own.check_address("203.0.114.9").code == "refused_network"
    assert own.check_address("2405:6f00:1::5").code == "refused_network"
    assert own.check_address("9.134.1.2") is None
    assert classify_address("9.134.1.2") is None  # the kind is the policy's, not the address's


@pytest.mark.parametrize("value", ["nope", "9.1.0.0/8", "300.0.0.0/8", "9.0.0.0/33"])
def test_a_value_that_is_not_a_network_is_refused_by_name(value):
    with pytest.raises(ValueError, match="not a network"):
        AddressPolicy.public_registry(refused_networks=[value])
    with pytest.raises(SettingsError, match="TCR_DOCTOR_REFUSED_NETWORKS"):
        Settings.from_env({"REFUSED_NETWORKS": value}, environ={}).address_policy()


def test_allow_loopback_does_not_open_a_refused_network():
    policy = AddressPolicy.public_registry(ports=(), allow_loopback=True, refused_networks=["127.0.0.2/32"])
    assert policy.check_address("127.0.0.1") is None
    assert policy.check_address("127.0.0.2").code == "refused_network"


def test_the_settings_default_is_the_policys():
    settings = Settings.from_env(environ={})
    assert settings.refused_networks == DEFAULT_REFUSED_NETWORKS
    assert [str(n) for n in settings.address_policy().refused_networks] == list(DEFAULT_REFUSED_NETWORKS)
    assert Settings.from_env(environ={"TCR_DOCTOR_REFUSED_NETWORKS": ""}).address_policy().refused_networks == ()


def test_slack_in_socket_mode_diagnoses_under_the_services_policy():
    """`tcr-doctor slack` built its policy from nothing: TCR_DOCTOR_REGISTRY_DOMAINS and the refused networks were
    ignored there, while the web API (and Slack mounted on it) followed them."""
    from bot.slack import SlackSettings

    environ = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-x",
        "SLACK_APP_TOKEN": "xapp-1-A-1-x",
        "TCR_DOCTOR_REGISTRY_DOMAINS": "*.example.test",
        "TCR_DOCTOR_REFUSED_NETWORKS": "203.0.114.0/24",
    }
    slack = SlackSettings.from_settings(Settings.from_env(environ=environ), socket_mode=True)
    assert slack is not None and slack.anonymous is not None
    assert slack.anonymous.policy.domains == ("*.example.test",)
    assert slack.anonymous.policy.check_address("203.0.114.9").code == "refused_network"


def test_the_web_api_refuses_a_name_that_resolves_into_a_refused_network(tmp_path, dns_server_factory):
    """dns_only_app: the answer is never connected to, even if the guard were broken."""
    from tests.harness.dns_server import Zone
    from tests.harness.web import dns_only_app

    dns = dns_server_factory(
        Zone(
            records={
                "inside-tcr.tencentcloudcr.com": [("A", "9.134.1.2")],
                "v6.tencentcloudcr.com": [("AAAA", "64:ff9b::b00:1")],
            }
        )
    )
    client = dns_only_app(str(tmp_path / "r.sqlite3"), dns.nameserver).test_client()
    for name in ("inside-tcr.tencentcloudcr.com", "v6.tencentcloudcr.com"):
        body = client.post("/api/diagnose", json={"target": f"{name}/ns/app:1"}).get_json()
        assert body["refused"] is True, body
        refused = [f for f in body["findings"] if f["code"] == "TARGET_REFUSED"]
        assert refused and "never probes" in refused[0]["summary"]["en"], refused


@pytest.mark.parametrize("refused", [True, False], ids=["refused", "control"])
@pytest.mark.parametrize("as_realm", [False, True], ids=["redirect", "realm"])
def test_a_redirect_to_a_name_in_a_refused_network_is_never_connected_to(
    dns_server_factory, tls_material, refused, as_realm
):
    """The registry stand-in redirects its token request (or names its realm) to another allowed name, which the DNS
    answers with 127.0.0.2. With 127.0.0.2/32 refused nothing ever connects there; the control run, without it, does
    (so the probe is real)."""
    from diagnostics import DiagnoseOptions, diagnose
    from tests.harness.dns_server import Zone
    from tests.test_policy import CHECKS, _Listener, _redirector

    listener = _Listener("127.0.0.2")
    zone = Zone(
        records={Zone.TCR_LOCAL: [("A", "127.0.0.1")], "elsewhere-tcr.tencentcloudcr.com": [("A", "127.0.0.2")]}
    )
    dns = dns_server_factory(zone)
    location = f"https://elsewhere-tcr.tencentcloudcr.com:{listener.port}/token"
    redirector = _redirector(tls_material.valid, location, as_realm=as_realm)
    try:
        policy = AddressPolicy.public_registry(
            domains=["*.tencentcloudcr.com"],
            ports=(),
            allow_loopback=True,
            refused_networks=["127.0.0.2/32"] if refused else [],
        )
        diagnose(
            f"{Zone.TCR_LOCAL}:{redirector.port}",
            DiagnoseOptions(
                timeout=8, only=CHECKS, nameserver=dns.nameserver, ca_file=tls_material.ca_file, policy=policy, env={}
            ),
        )
    finally:
        redirector.stop()
        listener.close()
    assert (listener.accepted == 0) if refused else (listener.accepted >= 1)


def test_a_setting_that_cannot_be_used_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    # `serve` exports its database URL into os.environ for its workers: set-then-delete makes monkeypatch restore it
    # (a plain delenv of an unset variable records nothing, and the URL leaked into later tests: test_web_api)
    for variable in ("TCR_DOCTOR_DATABASE_URL", "DATABASE_URL", "TCR_DOCTOR_DB", "TCR_DOCTOR_LOG_LEVEL"):
        monkeypatch.setenv(variable, "")
        monkeypatch.delenv(variable)
    cases = (
        ("TCR_DOCTOR_REFUSED_NETWORKS", "9.1.0.0/8"),
        ("TCR_DOCTOR_RATE_LIMIT_ASK", "abc"),
        ("TCR_DOCTOR_TRUSTED_PROXY_ADDRESSES", "garbage"),
    )
    monkeypatch.setenv("TCR_DOCTOR_TRUSTED_PROXIES", "1")
    for variable, value in cases:
        monkeypatch.setenv(variable, value)
        assert main(["serve", "--db", str(tmp_path / "s.sqlite3")]) == 2
        err = capsys.readouterr().err
        assert variable in err and "invalid setting" in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1, err
        monkeypatch.delenv(variable)


@pytest.mark.parametrize(
    "checks,words",
    [
        ("dns,nope", "unknown check(s) nope"),  # was ignored: every anonymous check ran
        ("cloud", "never run anonymously"),  # was ignored: an account check never runs anonymously
        ("cloud_quota,dns", "never run anonymously"),
    ],
)
def test_diagnose_checks_an_anonymous_diagnosis_cannot_run_are_refused_at_start_up(tmp_path, checks, words):
    from bot.web import create_app

    with pytest.raises(SettingsError, match="TCR_DOCTOR_DIAGNOSE_CHECKS") as refused:
        create_app({"DB": str(tmp_path / "c.sqlite3"), "SLACK": "off", "DIAGNOSE_CHECKS": checks})
    assert words in str(refused.value) and "name, dns, endpoint" in str(refused.value)
    app = create_app({"DB": str(tmp_path / "c.sqlite3"), "SLACK": "off", "DIAGNOSE_CHECKS": "dns,endpoint"})
    assert app.extensions["tcr_doctor"].anonymous.allowed() == ["dns", "endpoint"]
