"""One policy for anonymous diagnoses (web API and Slack) and one rule for "the diagnosis confirms the log"."""

from __future__ import annotations

import os

import pytest

import knowledge
from diagnostics.policy import AddressPolicy, AnonymousDiagnosis


def test_options_never_carry_the_servers_identity():
    policy = AddressPolicy.public_registry()
    anonymous = AnonymousDiagnosis(policy, timeout=4.0, nameserver="127.0.0.1:53", ca_file="/ca.pem")
    options = anonymous.options(["dns", "tls"])
    assert options.only == ["dns", "tls"] and options.timeout == 4.0 and options.policy is policy
    assert options.username is None and options.password is None and options.push is False
    assert options.docker_config == os.devnull and options.env == {}
    assert options.nameserver == "127.0.0.1:53" and options.ca_file == "/ca.pem"


def test_only_anonymous_checks_and_the_operators_choice():
    anonymous = AnonymousDiagnosis(AddressPolicy())
    assert "credentials" in anonymous.allowed() and "credentials" not in anonymous.allowed(credentials=False)
    assert not [c for c in anonymous.allowed() if c.startswith("cloud")]  # the account checks need credentials
    # an account check is refused by name, not silently left out (TCR_DOCTOR_DIAGNOSE_CHECKS: one line at start-up)
    with pytest.raises(ValueError, match="cloud_instance"):
        AnonymousDiagnosis(AddressPolicy(), checks=("dns", "endpoint", "cloud_instance"))
    narrowed = AnonymousDiagnosis(AddressPolicy(), checks=("dns", "endpoint"))
    assert narrowed.allowed() == ["dns", "endpoint"]
    assert narrowed.checks_for(["endpoint", "dns"]) == ["dns", "endpoint"] and narrowed.checks_for([]) == [
        "dns",
        "endpoint",
    ]
    # a check the operator did not allow is refused by name: never left out, never replaced by the allowed ones
    for requested in (["endpoint", "tls"], ["tls"]):
        with pytest.raises(ValueError, match="tls"):
            narrowed.checks_for(requested)


def test_slack_and_the_web_share_the_policy(tmp_path):
    import trustme

    from bot.slack import SlackChannel, SlackSettings
    from bot.web import create_app

    ca = str(tmp_path / "ca.pem")  # a bundle that can be read: the service reads it at start-up
    trustme.CA().cert_pem.write_to_path(ca)
    app = create_app({"DB": str(tmp_path / "a.sqlite3"), "SLACK": "off", "CA_FILE": ca, "DIAGNOSE_TIMEOUT": 3})
    web = app.extensions["tcr_doctor"].anonymous
    settings = SlackSettings.from_settings(
        app.config["TCR"].replace(slack_bot_token="xoxb-x", slack_signing_secret="s")
    )
    assert settings is not None
    chat = SlackChannel(settings).anonymous()
    assert (chat.timeout, chat.nameserver, chat.ca_file, chat.checks) == (3.0, None, ca, web.checks)
    assert chat.policy.domains == web.policy.domains and chat.policy.refused_networks == web.policy.refused_networks


@pytest.mark.parametrize(
    ("findings", "verdict", "codes"),
    [
        ([("dns", "fail", "DNS_NXDOMAIN")], "confirmed", ["DNS_NXDOMAIN"]),
        ([("dns", "fail", "DNS_SERVFAIL")], "confirmed", ["DNS_SERVFAIL"]),  # confirms the `also` cause DNS_TIMEOUT
        ([("tcp", "fail", "TCP_REFUSED"), ("tls", "warn", "TLS_EXPIRING")], "other", ["TCP_REFUSED", "TLS_EXPIRING"]),
        ([("tls", "warn", "TLS_EXPIRING"), ("tls", "warn", "TLS_EXPIRING")], "not_reproduced", ["TLS_EXPIRING"]),
        ([("dns", "ok", "DNS_OK")], "not_reproduced", []),
    ],
)
def test_the_web_and_the_cli_read_a_diagnosis_the_same_way(monkeypatch, findings, verdict, codes):
    import types

    from bot.api import log_verdict as web_verdict
    from bot.commands import explain as cli

    rows = [{"check": c, "status": s, "code": k} for c, s, k in findings]
    expected = {"verdict": verdict, "codes": codes}
    assert knowledge.log_verdict("DNS_NXDOMAIN", ["DNS_TIMEOUT"], rows) == expected
    assert web_verdict(("DNS_NXDOMAIN", ["DNS_TIMEOUT"]), {"findings": rows}) == expected

    class Report:
        def __init__(self):
            self.findings = [types.SimpleNamespace(to_dict=lambda r=r: r) for r in rows]

        def to_dict(self):
            return {"findings": rows}

    monkeypatch.setattr("diagnostics.diagnose", lambda target, options: Report())
    result = cli.run_diagnosis({"cause": "DNS_NXDOMAIN", "also": ["DNS_TIMEOUT"], "target": "x.example"}, 1.0)
    assert {"verdict": result["verdict"], "codes": result["codes"]} == expected
