"""A pasted log's target under the service's address policy in Slack (the SSRF standard on this session's path).

Since 5614432 Slack's "Run diagnostics" on a pasted log diagnoses the log's target: a host read from text a chat user
pasted. That host goes through the same policy as /api/diagnose: here the test DNS answers an allowed name with
127.0.0.2, a TCP listener counts connections there, and with 127.0.0.2/32 refused nothing connects. The control run,
without the refusal, does connect (so the probe is real). No other address is contacted: the DNS answers only
loopback addresses.
"""

from __future__ import annotations

import json

import pytest

from tests.harness.dns_server import Zone
from tests.harness.slack_api import BOT_USER_ID, SlackRig, make_web_app
from tests.test_policy import _Listener

HOST = "inside-tcr.tencentcloudcr.com"


@pytest.mark.parametrize("refused", [True, False], ids=["refused", "control"])
def test_a_pasted_logs_target_in_a_refused_network_is_never_connected_to_from_slack(dns_server_factory, refused):
    listener = _Listener("127.0.0.2")
    dns = dns_server_factory(Zone(records={HOST: [("A", "127.0.0.2")]}))
    config = {
        "TEST_ALLOW_LOOPBACK": True,
        "DNS_NAMESERVER": dns.nameserver,
        "REGISTRY_DOMAINS": "*.tencentcloudcr.com",
        "REGISTRY_PORTS": "",
        "REFUSED_NETWORKS": "127.0.0.2/32" if refused else "",
        "DIAGNOSE_TIMEOUT": "5",
        "RATE_LIMIT_DIAGNOSE": "0",
    }
    pasted = (
        f"pull fails on another image than the ones I listed (ccr.ccs.tencentyun.com/team/app:1):\n"
        f'Error response from daemon: Get "https://{HOST}:{listener.port}/v2/": dial tcp 127.0.0.2:{listener.port}: '
        "connect: connection refused"
    )
    try:
        with SlackRig(make_web_app, config=config) as rig:
            rig.event(
                {
                    "type": "app_mention",
                    "user": "U0ASKER",
                    "channel": "C0GENERAL",
                    "ts": "1700000200.000100",
                    "text": f"<@{BOT_USER_ID}> {pasted}",
                }
            )
            answer = rig.api.wait_for("chat.postMessage", lambda c: c.args.get("thread_ts") == "1700000200.000100")
            button = next(
                e
                for b in answer.args["blocks"]
                for e in b.get("elements") or []
                if e.get("action_id") == "tcr_diagnose"
            )
            assert json.loads(button["value"])["target"] == f"{HOST}:{listener.port}"  # the log's, not the listed one
            rig.click(answer, "tcr_diagnose")
            done = rig.api.wait_for(
                "chat.update",
                lambda c: "TARGET_REFUSED" in json.dumps(c.args) or (not refused and listener.accepted),
                timeout=30,
            )
    finally:
        listener.close()
    if refused:
        assert listener.accepted == 0 and "never probes" in json.dumps(done.args, ensure_ascii=False)
    else:
        assert listener.accepted >= 1
