"""Slack offers "Run diagnostics" only on a target the service's address policy diagnoses (slack12).

Slack offered its diagnose button by its own rule (`kind != "other_registry"`), so a TCR host on a port the default
policy does not diagnose (8080; 80 and 443 are diagnosed) got a button whose click only ever answered TARGET_REFUSED.
Since e8cb4bf the web's /api/ask names the targets that policy refuses (`refused_targets`) and the widget offers
none of them; Slack now asks the same function (bot.questions.refused_targets) with the same policy object, so the
two channels cannot disagree. Through the signed event path: an app_mention posted to /slack/events of the web app.
"""

from __future__ import annotations

import json

import pytest

from tests.harness.slack_api import BOT_USER_ID, SlackRig, make_web_app

PORT_LOG = (
    "docker login to ccr.ccs.tencentyun.com fails with nerdctl:\n"
    'FATA[0006] failed to call rh.Client.Do: Get "http://ccr.ccs.tencentyun.com:{port}/v2/": EOF'
)
DIAGNOSE_ACTIONS = {"tcr_diagnose", "tcr_diagnose_target"}


def _reply(config: dict[str, str], text: str, ts: str) -> tuple[dict[str, dict], dict]:
    """The bot's answer to an app_mention of TEXT: its action elements by action_id, and the web's /api/ask answer to
    the same text under the same settings."""
    with SlackRig(make_web_app, config={"RATE_LIMIT_ASK": "0", **config}) as rig:
        rig.event(
            {
                "type": "app_mention",
                "user": "U0ASKER",
                "channel": "C0GENERAL",
                "ts": ts,
                "text": f"<@{BOT_USER_ID}> {text}",
            }
        )
        answer = rig.api.wait_for("chat.postMessage", lambda c: c.args.get("thread_ts") == ts)
        web = rig.http.post(f"{rig.server.url}/api/ask", json={"q": text}, timeout=10).json()
    actions = {
        e["action_id"]: e
        for b in answer.args["blocks"]
        if b.get("type") == "actions"
        for e in b.get("elements") or []
        if e.get("action_id")
    }
    return actions, web


@pytest.mark.parametrize(
    ("port", "config", "offered"),
    [
        ("8080", {}, False),  # the default policy diagnoses ports 80 and 443 only: /api/diagnose refuses :8080
        ("80", {}, True),  # the same log on a port the policy diagnoses: the button stays
        ("8080", {"REGISTRY_PORTS": ""}, True),  # an operator who allows every port: offered again (the policy decides)
    ],
    ids=["port-8080-refused", "port-80", "port-8080-allowed"],
)
def test_slack_offers_a_diagnosis_only_where_the_services_policy_diagnoses(port, config, offered):
    target = f"ccr.ccs.tencentyun.com:{port}"
    actions, web = _reply(config, PORT_LOG.format(port=port), "1700000300.000100")
    assert (target in web["refused_targets"]) is not offered  # the web's decision, the same settings
    if offered:
        assert json.loads(actions["tcr_diagnose"]["value"])["target"] == target
    else:
        assert not DIAGNOSE_ACTIONS & actions.keys(), actions.keys()  # neither the button nor the target modal
