"""The "Run diagnostics" button against a real registry started by the tests, through the web service's
create_app (the Slack endpoint as production mounts it).

The registry listens on 127.0.0.1; the harness DNS server resolves the TCR-looking name local-tcr.tencentcloudcr.com
to it. Loopback is allowed only through create_app's test-only TEST_ALLOW_LOOPBACK, with the registry's port.
"""

from __future__ import annotations

import json

import pytest

import bot.slack
from diagnostics import DiagnoseOptions, diagnose
from tests.harness.dns_server import Zone
from tests.harness.slack_api import BOT_USER_ID, SlackRig, block_text, make_web_app

pytestmark = pytest.mark.registry


@pytest.fixture
def target(registry):
    return f"{Zone.TCR_LOCAL}:{registry.port}/public/base:latest"


@pytest.fixture
def rig(registry, dns_server, tmp_path, monkeypatch):
    monkeypatch.setattr(bot.slack, "_PROGRESS_INTERVAL", 0.0)  # every progress step updates the message
    config = {
        "DB": str(tmp_path / "web.sqlite3"),
        "REGISTRY_PORTS": [registry.port],
        "TEST_ALLOW_LOOPBACK": True,
        "DNS_NAMESERVER": dns_server.nameserver,
        "DIAGNOSE_TIMEOUT": 15.0,
    }
    with SlackRig(make_web_app, config=config) as rig:
        yield rig


def test_run_diagnostics_button_posts_findings_from_a_real_registry(rig, target, dns_server, registry):
    rig.event(
        {
            "type": "app_mention",
            "user": "U0ASKER",
            "channel": "C0GENERAL",
            "ts": "1700000300.000100",
            "text": f"<@{BOT_USER_ID}> docker pull {target} fails: unauthorized: authentication required",
        }
    )
    answer = rig.api.wait_for("chat.postMessage")
    assert answer.args["thread_ts"] == "1700000300.000100"
    button = [
        e
        for b in answer.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "tcr_diagnose"
    ]
    assert button and target in button[0]["value"]
    rig.click(answer, "tcr_diagnose")

    final = rig.api.wait_for("chat.update", lambda c: "Diagnostics for" in c.args.get("text", ""), timeout=30)
    progress = rig.api.calls_to("chat.postMessage")[1]
    assert progress.args["thread_ts"] == "1700000300.000100"
    assert final.args["ts"] == progress.response["ts"]  # the same message, updated in place
    assert len(rig.api.calls_to("chat.postMessage")) == 2
    assert any("Diagnosing" in c.args["text"] for c in rig.api.calls_to("chat.update"))  # progress in place

    # The thread shows what the engine finds for the same target under the same policy.
    policy = rig.app.extensions["tcr_doctor"].policy
    only = [c for c in json.loads(button[0]["value"])["checks"] if c in bot.slack.safe_checks()]
    expected = diagnose(
        target,
        DiagnoseOptions(
            timeout=15.0, only=only, policy=policy, nameserver=dns_server.nameserver, docker_config="/dev/null", env={}
        ),
    )
    text = block_text(final.args["blocks"])
    assert expected.findings and "TARGET_REFUSED" not in text
    for f in expected.findings:
        if f.status in ("fail", "warn"):
            assert f.code in text
        assert f.summary["en"][:40] in text

    # The console's charts: the pasted cause and the findings' codes are recorded for the Slack channel too.
    import sqlalchemy as sa

    from bot import storage as S

    storage = rig.app.extensions["tcr_doctor"].storage
    storage.flush()
    with storage.engine().connect() as conn:
        codes = set(conn.execute(sa.select(S.findings.c.code).where(S.findings.c.channel == "slack")).scalars())
        causes = set(conn.execute(sa.select(S.questions.c.log_code).where(S.questions.c.channel == "slack")).scalars())
    assert {f.code for f in expected.findings} <= codes
    assert causes - {None}


def test_the_policy_refuses_a_registry_outside_the_allowed_domains(rig):
    rig.command("diagnose 127.0.0.1:5000/team/app:1.0")
    final = rig.api.wait_for("chat.update", lambda c: "Diagnostics for" in c.args.get("text", ""), timeout=30)
    assert "TARGET_REFUSED" in block_text(final.args["blocks"])
