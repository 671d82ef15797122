"""The TypedDicts of knowledge/results.py describe what the code really returns: every key, no other key, each value
of its declared type. Checked at run time on real answers (FAQ questions, pasted logs, small talk, other vendors'
registries, known undocumented subjects), so the declarations the channels are type-checked against cannot drift
from the results the storage API, the templates and the JSON clients read."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest

import knowledge
from knowledge import results
from tests.harness.shapes import problems

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> list[str]:
    """Every 4th FAQ question and pasted log of two labelled sets, and the messages that reach the rare shapes."""
    picked = []
    for name, key in (("faq_heldout.jsonl", "q"), ("log_dev/samples.jsonl", "text")):
        lines = (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        picked += [json.loads(line)[key] for line in lines[::4] if line.strip()]
    return picked + [
        "hello",
        "谢谢，解决了",
        "are you a bot?",
        "docker login registry-1.docker.io fails: unauthorized: incorrect username or password",
        "How do I set up a Jenkins pipeline that builds Go binaries?",
        "",
    ]


@pytest.fixture(scope="module")
def answers() -> list[dict]:
    return [knowledge.ask(text) for text in _texts()]


def test_ask_results_have_the_declared_shape(answers):
    found = [p for result in answers for p in problems(result, results.AskResult)]
    assert not found, "\n".join(found[:20])


def test_the_sample_reaches_every_optional_shape(answers):
    # the check above is only as good as what it saw: every optional part and every kind appears at least once
    assert any("topic" in r for r in answers) and any("topic" not in r for r in answers)
    assert {r["status"] for r in answers} >= {"answered", "no_answer"}
    assert {r["refusal"]["kind"] for r in answers if r["refusal"]} == set(typing.get_args(results.RefusalKind))
    assert any("smalltalk" in r["refusal"] for r in answers if r["refusal"])
    assert any("vendor" in r["refusal"] for r in answers if r["refusal"])
    logs = [r["log"] for r in answers if r["log"]]
    assert any(log["note"] for log in logs) and any(log["note"] is None for log in logs)
    assert {log["confidence"] for log in logs} == set(typing.get_args(results.Confidence))
    assert any(r["answer"] and r["answer"]["links"] for r in answers)
    assert any(r["alternatives"] for r in answers)


def test_the_other_results_have_their_declared_shapes():
    for code in knowledge.log_causes():
        assert not problems(knowledge.cause_text(code), results.CauseText, code)
    findings = [{"check": "tcp", "status": "fail", "code": "TCP_REFUSED"}]
    for cause, found in (("TCP_REFUSED", findings), ("DNS_NXDOMAIN", findings), ("TCP_REFUSED", [])):
        assert not problems(knowledge.log_verdict(cause, [], found), results.LogVerdict)
    assert not problems(knowledge.extract_entities("pull shop.tencentcloudcr.com/ns/app:1.0 fails"), results.Entities)


def test_the_web_api_answers_an_ask_result(tmp_path):
    from bot.web import create_app

    client = create_app({"DB": str(tmp_path / "w.sqlite3"), "SLACK": "off"}).test_client()
    body = client.post("/api/ask", json={"q": "docker push: denied: requested access to the resource is denied"})
    assert body.status_code == 200
    answer = body.get_json()
    assert isinstance(answer.pop("refused_targets"), list)  # the web's addition: its address policy's decision
    assert not problems(answer, results.AskResult)
    html = client.post("/api/ask", json={"q": "Error: x509: certificate signed by unknown authority", "render": "html"})
    data = html.get_json()
    assert isinstance(data.pop("html"), str) and isinstance(data.pop("log_html"), str)  # the only additions
    assert isinstance(data.pop("refused_targets"), list)
    assert not problems(data, results.AskResult)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.pop("kb_version"), "no 'kb_version'"),
        (lambda r: r.update(extra=1), "undeclared 'extra'"),
        (lambda r: r.update(status="maybe"), "result.status: 'maybe' is not one of"),
        (lambda r: r["entities"].update(errors="x"), "result.entities.errors: str, not a list"),
        (lambda r: r.update(matched=1), "result.matched: not <class 'bool'>"),
        (lambda r: r.update(refusal={"kind": "smalltalk", "vendor": 3}), "result.refusal"),
    ],
)
def test_the_shape_check_can_fail(change, expected):
    result = knowledge.ask("hello")
    assert not problems(result, results.AskResult)
    change(result)
    assert any(expected in p for p in problems(result, results.AskResult))


def test_reports_have_the_declared_shape():
    """Reports without the network here (the name check, an unparsable target, a verdict); the wire and account
    diagnoses of tests/test_diagnostics_network.py and tests/test_cloud_checks.py are checked by their `run`."""
    from diagnostics import DiagnoseOptions, Report, ReportDict, diagnose, finding, parse_target
    from diagnostics.verdict import causes

    for target in ("localhost:5000/team/app:1.0", "Bad Name/app:1.0@sha256:00", "shop.tencentcloudcr.com"):
        assert not problems(diagnose(target, DiagnoseOptions(only="name")).to_dict(), ReportDict, target)
    fs = [finding("cloud_instance", "INSTANCE_NOT_FOUND", account="1", name="shop"), finding("tcp", "TCP_TIMEOUT")]
    report = Report(parse_target("shop.tencentcloudcr.com"), fs, ["tcp", "cloud_instance"], verdict=causes(fs))
    assert report.verdict and not problems(report.to_dict(), ReportDict)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.pop("verdict"), "no 'verdict'"),
        (lambda r: r["findings"][0].update(faq=3), "result.findings[0].faq"),
        (lambda r: r["target"].update(port="443"), "result.target.port"),
        (lambda r: r.update(exit_code=True), "result.exit_code"),
    ],
)
def test_the_report_shape_check_can_fail(change, expected):
    from diagnostics import DiagnoseOptions, ReportDict, diagnose

    report = diagnose("localhost:5000/team/app:1.0", DiagnoseOptions(only="name")).to_dict()
    change(report)
    assert any(expected in p for p in problems(report, ReportDict))


def test_slack_messages_have_the_declared_shape(answers):
    """What the Slack channel sends, rendered from bot/templates/slack/: bot/slack_payloads.py's Message and Modal."""
    from bot import slack, slack_payloads
    from diagnostics import finding

    channel = slack.SlackChannel(slack.SlackSettings(bot_token="x", support_channel="C0SUPPORT"))
    sent = []
    for result in answers[::3]:
        sent.append(channel.answer_blocks(result, "q", result["lang"], qid="q1", user="U1"))
        sent.append(channel.full_blocks(result, result["lang"]))
    for lang in ("zh", "en"):
        sent += [slack.message(name, lang=lang) for name in ("busy.json.j2", "error.json.j2", "help.json.j2")]
        sent.append(slack.message("secret_warning.json.j2", lang=lang, kinds=["password"]))
        sent.append(
            slack.message("progress.json.j2", lang=lang, target="x.example", checks=["dns"], states={}, ran_by=None)
        )
        fs = [finding("dns", "DNS_NXDOMAIN", host="x.example", nameserver="system").to_dict()]
        sent.append(
            slack.message(
                "findings.json.j2",
                lang=lang,
                target="x.example",
                findings=fs,
                causes=[],
                credentials=False,
                ran_by="U1",
                command=True,
            )
        )
        view = slack.modal("target_modal.json.j2", lang=lang, metadata="{}", callback_id=slack.VIEW_TARGET)
        assert not problems(view, slack_payloads.Modal, "modal")
        assert isinstance(slack.line("target_error.json.j2", lang=lang), str)
    for i, message in enumerate(sent):
        assert not problems(message, slack_payloads.Message, f"message[{i}]")
    assert problems({"text": "t", "blocks": {}}, slack_payloads.Message) == ["result.blocks: dict, not a list"]
