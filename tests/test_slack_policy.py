"""Slack diagnoses under the operator's settings, as the web API does: one `Settings.anonymous_diagnosis()` builds the
address policy (domains, ports, refused networks) and the checks (TCR_DOCTOR_DIAGNOSE_CHECKS) for both.

The engine is replaced by stand-ins (SLACK_DIAGNOSE_FUNC, DIAGNOSE_FUNC) that record what they were asked to run:
nothing here connects anywhere but to the loopback servers of the harness.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from flask import Flask

from bot.settings import Settings, SettingsError
from bot.slack import SlackSettings, init_app, safe_checks
from bot.web import create_app
from tests.harness.slack_api import BOT_USER_ID, SlackRig, make_web_app

TARGET = "local-tcr.tencentcloudcr.com/team/app:1.0"
RESTRICTED = {"DIAGNOSE_CHECKS": "dns,endpoint", "REFUSED_NETWORKS": "203.0.114.0/24"}
FINDING = {
    "check": "dns",
    "status": "ok",
    "code": "DNS_OK",
    "summary": {"en": "ok", "zh": "ok"},
    "evidence": {},
    "fix": {},
    "faq": None,
}


class Recorder:
    """Stands in for diagnostics.diagnose in Slack (target, options, progress) and in the web API (target, **kw)."""

    def __init__(self):
        self.calls = []

    def __call__(self, target, options=None, progress=None, **kw):
        self.calls.append((target, options if options is not None else SimpleNamespace(**kw)))
        return SimpleNamespace(findings=[SimpleNamespace(to_dict=lambda: FINDING)], to_dict=lambda: {"findings": []})


def _diagnose_button(rig, ts):
    """Mention the bot with a failing TLS login in a new thread (`ts`); its answer and the "Run diagnostics" button."""
    rig.event(
        {
            "type": "app_mention",
            "user": "U0ASKER",
            "channel": "C0GENERAL",
            "ts": ts,
            "text": f"<@{BOT_USER_ID}> docker login {TARGET} fails: x509: certificate signed by unknown authority",
        }
    )
    answer = rig.api.wait_for("chat.postMessage", lambda c: c.args.get("thread_ts") == ts)
    button = next(
        e
        for b in answer.args["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e.get("action_id") == "tcr_diagnose"
    )
    return answer, button


def slack_diagnoses(rig, recorder, n):
    rig.api.wait_for("chat.postMessage", lambda c: len(recorder.calls) >= n, timeout=20)
    return recorder.calls[n - 1][1]


def test_an_operators_checks_and_refused_networks_hold_in_slack_as_in_the_web_api():
    """Slack ran every chat-safe check whatever TCR_DOCTOR_DIAGNOSE_CHECKS said; the web API ran only those named."""
    slack, web = Recorder(), Recorder()
    config = {**RESTRICTED, "SLACK_DIAGNOSE_FUNC": slack, "DIAGNOSE_FUNC": web, "RATE_LIMIT_DIAGNOSE": "0"}
    with SlackRig(make_web_app, config=config) as rig:
        assert rig.http.post(rig.server.url + "/api/diagnose", json={"target": TARGET}, timeout=10).status_code == 200
        api = web.calls[-1][1]
        assert api.only == ["dns", "endpoint"]

        rig.command(f"diagnose {TARGET}")  # /tcr diagnose: every check the chat may run
        options = slack_diagnoses(rig, slack, 1)
        assert options.only == api.only
        assert options.policy is api.policy and options.policy.check_address("203.0.114.9").code == "refused_network"

        # an answer's "Run diagnostics" button offers, and runs, only what the operator allows
        rig.event(
            {
                "type": "app_mention",
                "user": "U0ASKER",
                "channel": "C0GENERAL",
                "ts": "1700000100.000100",
                "text": f"<@{BOT_USER_ID}> docker login {TARGET} fails: x509: certificate signed by unknown authority",
            }
        )
        answer = rig.api.wait_for("chat.postMessage", lambda c: c.args.get("thread_ts") == "1700000100.000100")
        rig.click(answer, "tcr_diagnose")
        assert set(slack_diagnoses(rig, slack, 2).only) <= {"dns", "endpoint"}


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "no longer run here"), ("zh", "在这里已不再运行")], ids=["en", "zh"]
)
def test_a_stale_buttons_checks_that_no_longer_run_here_are_named_not_replaced(lang, words):
    """A "Run diagnostics" button made before the operator narrowed TCR_DOCTOR_DIAGNOSE_CHECKS ran every allowed
    check in place of the ones it carried (`or safe`). It says which do not run here, and runs nothing."""
    slack = Recorder()
    with SlackRig(make_web_app, config={**RESTRICTED, "SLACK_DIAGNOSE_FUNC": slack}) as rig:
        answer, button = _diagnose_button(rig, "1700000200.000100")
        value = json.loads(button["value"])
        button["value"] = json.dumps({**value, "checks": ["tls", "http"], "lang": lang})  # as made before the change
        rig.click(answer, "tcr_diagnose")
        said = rig.api.wait_for("chat.postMessage", lambda c: words in str(c.args.get("text")), timeout=20)
        assert "tls" in said.args["text"] and "http" in said.args["text"], said.args["text"]
        assert said.args.get("thread_ts") == "1700000200.000100"
        assert slack.calls == []


def test_a_stale_button_whose_checks_partly_run_here_names_those_that_do_not():
    """A button made before the operator narrowed the checks to dns,endpoint asks for dns and tls: dns runs, and the
    findings say that tls was not checked (it ran dns alone, in silence)."""
    slack = Recorder()
    with SlackRig(make_web_app, config={**RESTRICTED, "SLACK_DIAGNOSE_FUNC": slack}) as rig:
        answer, button = _diagnose_button(rig, "1700000300.000100")
        button["value"] = json.dumps({**json.loads(button["value"]), "checks": ["dns", "tls"], "lang": "en"})
        rig.click(answer, "tcr_diagnose")
        assert slack_diagnoses(rig, slack, 1).only == ["dns"]
        final = rig.api.wait_for("chat.update", lambda c: "no longer run here" in json.dumps(c.args.get("blocks")))
        assert "`tls`" in json.dumps(final.args["blocks"])


def test_slack_on_a_flask_app_of_its_own_keeps_the_operators_policy_and_checks():
    """init_app on an app create_app did not make: its policy was replaced by the default one (other domains, no
    operator's refused networks) and its checks were every chat-safe one."""
    recorder = Recorder()

    def make_app(config):
        app = Flask("elsewhere")
        app.config.update(config)
        init_app(app)
        return app

    config = {**RESTRICTED, "REGISTRY_DOMAINS": "*.example.test", "SLACK_DIAGNOSE_FUNC": recorder}
    with SlackRig(make_app, config=config) as rig:
        rig.command("diagnose registry.example.test/ns/app:1")
        options = slack_diagnoses(rig, recorder, 1)
    assert options.policy.domains == ("*.example.test",)
    assert options.policy.check_address("203.0.114.9").code == "refused_network"
    assert options.only == ["dns", "endpoint"]


def test_socket_mode_reads_the_checks_as_the_web_api_does(tmp_path):
    environ = {"SLACK_BOT_TOKEN": "xoxb-1-2-x", "TCR_DOCTOR_DIAGNOSE_CHECKS": "endpoint,tls,credentials"}
    settings = SlackSettings.from_settings(Settings.from_env(environ=environ), socket_mode=True)
    assert settings is not None
    assert safe_checks(settings.anonymous) == ["endpoint", "tls"]  # credentials: Slack takes no password

    wrong = {**environ, "TCR_DOCTOR_DIAGNOSE_CHECKS": "dns,cloud_instance"}
    with pytest.raises(SettingsError) as web:
        create_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off", "DIAGNOSE_CHECKS": "dns,cloud_instance"})
    with pytest.raises(SettingsError) as chat:
        SlackSettings.from_settings(Settings.from_env(environ=wrong), socket_mode=True)
    assert str(chat.value) == str(web.value) and "TCR_DOCTOR_DIAGNOSE_CHECKS" in str(web.value)


def test_checks_that_leave_slack_nothing_to_run_are_an_error_not_every_check():
    environ = {"SLACK_BOT_TOKEN": "xoxb-1-2-x", "TCR_DOCTOR_DIAGNOSE_CHECKS": "credentials"}
    assert Settings.from_env(environ=environ).anonymous_diagnosis().allowed() == ["credentials"]  # the web API's
    with pytest.raises(SettingsError, match="TCR_DOCTOR_DIAGNOSE_CHECKS='credentials': Slack never runs credentials"):
        SlackSettings.from_settings(Settings.from_env(environ=environ), socket_mode=True)
