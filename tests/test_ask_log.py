"""`ask` carries the cause of a pasted error log (issue 6) next to the FAQ answer."""

import json
import subprocess
import sys

import pytest

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


_DIALLED = [
    (
        'Error response from daemon: Get "http://docker.private/v2/": dial tcp 192.168.1.5:80: connect: connection refused',
        "80",
    ),
    ('Error response from daemon: Get "https://reg.example.com:5000/v2/": dial tcp 10.1.2.3:5000: i/o timeout', "5000"),
    (
        "curl: (7) Failed to connect to reg.example.com port 8080: Connection timed out\ndocker pull reg.example.com:8080/ns/app:1",
        "8080",
    ),
]


@pytest.mark.parametrize(("paste", "port"), _DIALLED)
def test_a_tcp_causes_words_name_the_port_its_evidence_dialled(paste, port):
    """qa10: TCP_TIMEOUT said "the registry's port 443 timed out" and TCP_REFUSED "check that the port is 443" beside
    evidence that dialled :80 or :5000. The words now name the port dialled, in both languages, in every channel's
    reading (ask() and explain)."""
    for log in (knowledge.ask(paste)["log"], knowledge.explain_paste(paste)):
        assert log["cause"] in ("TCP_TIMEOUT", "TCP_REFUSED"), log
        words = json.dumps([log["summary"], log["fix"]], ensure_ascii=False)
        assert "443 端口" not in words and "port 443" not in words and "端口为 443" not in words, words
        assert f"port {port}" in words and (f"{port} 端口" in words or f"端口 {port}" in words), words


_CLIENT_STATUS = [
    ("PUT https://registry.hub.docker.com/v1/repositories/farmers/tc-api/ returned 400", "400"),
    (
        "error parsing HTTP 413 response body: invalid character '<' looking for beginning of value: \"<html>\\r\\n"
        '<head><title>413 Request Entity Too Large</title></head>"',
        "413",
    ),
    (
        "failed to call rh.Authorizer.Authorize: failed to fetch oauth token: unexpected status: 400 Bad Request",
        "400",
    ),
]


@pytest.mark.parametrize(("paste", "status"), _CLIENT_STATUS)
def test_a_server_error_read_from_a_4xx_names_that_status(paste, status):
    """qa12: a gateway's 413 or a token service's 400 is read as SERVER_ERROR, whose words said "returned a server
    error (5xx)" beside evidence showing the 4xx. The words now name the status shown, in both languages, in every
    channel's reading (ask() and explain)."""
    for log in (knowledge.ask(paste)["log"], knowledge.explain_paste(paste)):
        assert log["cause"] == "SERVER_ERROR", log
        assert "5xx" not in json.dumps(log["summary"], ensure_ascii=False), log["summary"]
        assert f"(HTTP {status})" in log["summary"]["en"] and f"（HTTP {status}）" in log["summary"]["zh"]


def test_a_server_error_with_a_5xx_or_a_port_keeps_its_words():
    for paste in (
        "docker: Error response from daemon: received unexpected HTTP status: 503 Service Unavailable.",
        'Error response from daemon: Get "https://r.example.com/v2/": dial tcp 1.2.3.4:443: 502 Bad Gateway',
    ):
        log = knowledge.ask(paste)["log"]
        assert log["cause"] == "SERVER_ERROR" and "(5xx)" in log["summary"]["en"], log


def test_a_tcp_cause_on_port_443_keeps_its_words():
    paste = 'Error response from daemon: Get "https://shop.tencentcloudcr.com/v2/": dial tcp 1.2.3.4:443: i/o timeout'
    log = knowledge.ask(paste)["log"]
    assert log["cause"] == "TCP_TIMEOUT" and "port 443" in log["summary"]["en"] and "443 端口" in log["summary"]["zh"]


@pytest.mark.parametrize(
    "paste",
    [
        # Docker-in-Docker in CI without its service: the client dials the daemon at `docker:2375`
        "$ docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY\n"
        "error during connect: Post http://docker:2375/v1.40/auth: dial tcp: lookup docker on 10.0.0.2:53: no such "
        "host\n",
        'docker: error during connect: Post "http://docker:2375/v1.24/containers/create": dial tcp: lookup docker on '
        "192.168.1.1:53: no such host.\n",
    ],
)
def test_a_daemon_address_is_not_called_a_self_hosted_registry(paste):
    """A daemon failure's host is the daemon's: the reply says the registry is not involved, and must not go on to
    say "This is a self-hosted registry, not Tencent Cloud TCR" (it did, with the daemon's `docker` as the registry)."""
    res = knowledge.ask(paste)
    assert res["log"]["cause"] == "DAEMON_ERROR"
    assert (res["refusal"] or {}).get("vendor") != "self-hosted registry"
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", paste], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "the registry is not involved" in out and "self-hosted registry" not in out
