"""`ask` carries the cause of a pasted error log (issue 6) next to the FAQ answer."""

import json
import subprocess
import sys

import knowledge

DNS_PASTE = (
    "$ docker login shop-tcr.tencentcloudcr.com\n"
    "Username: 100012345678\n"
    'Error response from daemon: Get "https://shop-tcr.tencentcloudcr.com/v2/": dial tcp: lookup '
    "shop-tcr.tencentcloudcr.com on 127.0.0.53:53: no such host\n"
)


def test_pasted_log_gets_its_cause_and_the_confirming_diagnosis():
    res = knowledge.ask(DNS_PASTE)
    log = res["log"]
    assert log["cause"] == "DNS_NXDOMAIN"
    assert log["host"] == "shop-tcr.tencentcloudcr.com"
    assert log["diagnose"].startswith("tcr-doctor diagnose shop-tcr.tencentcloudcr.com")
    assert "no such host" in log["evidence"]
    # The FAQ answer stays as before: a login that fails on the network is the login entry.
    assert res["answer"]["id"] == "login-failed"


def test_plain_question_has_no_log():
    assert knowledge.ask("企业版和个人版有什么区别")["log"] is None


def test_json_lines_mode_reads_each_line_as_one_input():
    lines = "个人版配额是多少\nError: initializing source docker://ccr.ccs.tencentyun.com/ns/app:v1: reading manifest v1 in ccr.ccs.tencentyun.com/ns/app: manifest unknown\n"
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask"], input=lines, capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    first, second = (json.loads(line) for line in out)
    assert first["log"] is None
    assert second["log"]["cause"] == "TAG_NOT_FOUND" and second["log"]["tool"] == "podman"
    assert "ccr.ccs.tencentyun.com/ns/app" in second["log"]["image"] and second["log"]["tag"] == "v1"


def test_answer_survives_a_failing_log_reader(monkeypatch):
    def broken(text):
        raise RuntimeError("log reader bug")

    monkeypatch.setattr(knowledge, "explain_log", broken)
    res = knowledge.ask(DNS_PASTE)
    assert res["log"] is None and res["answer"]["id"] == "login-failed"


def test_registry_named_outside_the_error_line_becomes_the_diagnosis_target():
    res = knowledge.ask(
        "docker push 报错 unauthorized: authentication required，推到 shop-tcr.tencentcloudcr.com/team/app:1.0"
    )
    log = res["log"]
    assert log["cause"] == "CREDENTIALS_MISSING"
    assert log["target"] and log["target"].startswith("shop-tcr.tencentcloudcr.com")
    assert log["diagnose"].startswith("tcr-doctor diagnose shop-tcr.tencentcloudcr.com")
    assert "<registry>" not in log["diagnose"]


def test_log_without_any_registry_keeps_the_placeholder():
    log = knowledge.ask("unauthorized: authentication required")["log"]
    assert log["target"] is None and "<registry>" in log["diagnose"]
