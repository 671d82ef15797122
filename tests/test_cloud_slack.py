"""Slack runs the account checks only with the operator's configured credentials (TCR_DOCTOR_SLACK_CLOUD), only for
that account's instances, and says which account it checked."""

from __future__ import annotations

import pytest

import bot.slack
from tests.harness.dns_server import Zone
from tests.harness.slack_api import SlackRig, block_text, make_web_app
from tests.harness.tcr_api import Account, TCRAPIServer, make_instance


@pytest.fixture
def api():
    account = Account.example()
    account.instances.append(make_instance("local-tcr", "tcr-local001", "ap-guangzhou"))
    account.instance("local-tcr").external_status = "Closed"
    with TCRAPIServer(account) as server:
        yield server


def rig_for(api, dns_server, tmp_path, monkeypatch, slack_cloud=True):
    monkeypatch.setattr(bot.slack, "_PROGRESS_INTERVAL", 0.0)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", Account.SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", Account.SECRET_KEY)
    config = {
        "DB": str(tmp_path / "web.sqlite3"),
        "TEST_ALLOW_LOOPBACK": True,
        "DNS_NAMESERVER": dns_server.nameserver,
        "DIAGNOSE_TIMEOUT": 10.0,
        "SLACK_CLOUD": slack_cloud,
        "CLOUD_ENDPOINT": api.endpoint,
        "CLOUD_ACCOUNT": "ops-prod",
    }
    return SlackRig(make_web_app, config=config)


def final_text(rig):
    final = rig.api.wait_for("chat.update", lambda c: "Diagnostics for" in c.args.get("text", ""), timeout=30)
    return block_text(final.args["blocks"]) + final.args.get("text", "")


def test_operator_account_checked_and_named(api, dns_server, tmp_path, monkeypatch):
    with rig_for(api, dns_server, tmp_path, monkeypatch) as rig:
        rig.command(f"diagnose {Zone.TCR_LOCAL}:1")
        text = final_text(rig)
    assert "PUBLIC_ACCESS_CLOSED" in text and "ops-prod" in text
    assert "DescribeInstances" in api.actions()
    for secret in (Account.SECRET_ID, Account.SECRET_KEY):
        assert all(secret not in str(c.args) for c in rig.api.calls)


def test_other_accounts_instances_are_not_looked_into(api, dns_server, tmp_path, monkeypatch):
    api.account.instances = [i for i in api.account.instances if i.registry["RegistryName"] != "local-tcr"]
    with rig_for(api, dns_server, tmp_path, monkeypatch) as rig:
        rig.command(f"diagnose {Zone.TCR_LOCAL}:1")
        text = final_text(rig)
    assert "not an instance of account ops-prod" in text
    assert api.actions() == ["DescribeInstances"]  # no CheckInstanceName, nothing about the instance


def test_without_the_setting_slack_never_calls_the_api(api, dns_server, tmp_path, monkeypatch):
    with rig_for(api, dns_server, tmp_path, monkeypatch, slack_cloud=False) as rig:
        rig.command(f"diagnose {Zone.TCR_LOCAL}:1")
        final_text(rig)
    assert api.actions() == []


def _final(rig):
    return rig.api.wait_for("chat.update", lambda c: "Diagnostics for" in c.args.get("text", ""), timeout=30)


GONE = "gone-tcr.tencentcloudcr.com"  # not in the test DNS zone: NXDOMAIN


def test_the_reply_leads_with_the_account_cause_and_lists_the_wire_failure_as_its_symptom(
    api, dns_server, tmp_path, monkeypatch
):
    """One verdict in Slack as in the CLI: a name that does not resolve + an instance isolated for an overdue bill
    => the cause leads (in the notification text too), the wire failure is listed under it as its symptom and not
    again on its own."""
    api.account.instances.append(make_instance("gone-tcr", "tcr-gone0001", "ap-guangzhou", status="Isolate"))
    with rig_for(api, dns_server, tmp_path, monkeypatch) as rig:
        rig.command(f"diagnose {GONE}")
        final = _final(rig)
    head, blocks = final.args["text"], final.args["blocks"]
    assert "found the cause" in head and "Isolate" in head
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    lead = sections[1]  # right under the headline
    assert lead.startswith("*Cause:*") and "`INSTANCE_NOT_RUNNING`" in lead and "*Fix:*" in lead
    symptom_lines = [ln for ln in lead.splitlines() if "_Symptom:_" in ln]
    assert symptom_lines and any("`DNS_NXDOMAIN`" in ln for ln in symptom_lines), lead
    assert all("DNS_NXDOMAIN" not in s for s in sections[2:])  # listed once, as the symptom


def test_the_verdict_lead_in_chinese(api, dns_server, tmp_path, monkeypatch):
    api.account.instances.append(make_instance("gone-tcr", "tcr-gone0001", "ap-guangzhou", status="Isolate"))
    with rig_for(api, dns_server, tmp_path, monkeypatch) as rig:
        rig.command(f"诊断 {GONE}")
        final = rig.api.wait_for("chat.update", lambda c: "的诊断" in c.args.get("text", ""), timeout=30)
    assert "找到原因" in final.args["text"]
    lead = [b["text"]["text"] for b in final.args["blocks"] if b["type"] == "section"][1]
    assert lead.startswith("*原因：*") and "表现" in lead and "`DNS_NXDOMAIN`" in lead


def test_without_an_account_cause_the_reply_is_unchanged(api, dns_server, tmp_path, monkeypatch):
    """The instance is Running: nothing in the account explains the NXDOMAIN, so no cause leads."""
    api.account.instances.append(make_instance("gone-tcr", "tcr-gone0001", "ap-guangzhou"))
    with rig_for(api, dns_server, tmp_path, monkeypatch) as rig:
        rig.command(f"diagnose {GONE}")
        final = _final(rig)
    assert final.args["text"].endswith("found 1 problem")
    assert "DNS_NXDOMAIN" in block_text(final.args["blocks"])
    assert not any("*Cause:*" in block_text([b]) for b in final.args["blocks"])
