"""The pasted-log cause on the web (issue 6): /api/ask returns knowledge.explain_log as "log" (null for a plain
question) and, for the widget, its cause card as sanitised HTML; /api/diagnose runs a log's `checks` (web-safe:
anonymous, same address policy) and says whether the findings confirm the log's `cause`."""

from __future__ import annotations

import json
import os

import pytest

import knowledge
from bot.web import create_app

DOCKER_DNS_LOG = """$ docker login shop.tencentcloudcr.com
Username: alice
Password:
Error response from daemon: Get "https://shop.tencentcloudcr.com/v2/": dial tcp: lookup shop.tencentcloudcr.com: no such host
$ """
PULL_DENIED_LOG = """\x1b[1m$ docker pull shop.tencentcloudcr.com/ns/app:1.0\x1b[0m
Error response from daemon: pull access denied for shop.tencentcloudcr.com/ns/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied
"""
XSS_LOG = """$ docker pull shop.tencentcloudcr.com/ns/app:1.0
Error response from daemon: Get "https://shop.tencentcloudcr.com/v2/": dial tcp: lookup shop.tencentcloudcr.com <svg onload=alert(1)>: no such host"""
PLAIN_Q = "How do I delete an image tag?"


class Spy:
    """Stands in for the diagnostics engine; records what it was asked to run."""

    def __init__(self, findings=None):
        self.calls = []
        self.findings = (
            findings
            if findings is not None
            else [
                {
                    "check": "dns",
                    "status": "fail",
                    "code": "DNS_NXDOMAIN",
                    "summary": {"zh": "域名不存在", "en": "no such host"},
                    "evidence": {},
                    "fix": {"zh": "检查域名", "en": "check the name"},
                    "faq": None,
                }
            ]
        )

    def __call__(self, target, **kwargs):
        self.calls.append((target, kwargs))
        return {"findings": self.findings, "exit_code": int(any(f["status"] == "fail" for f in self.findings))}


@pytest.fixture
def make_client(tmp_path):
    def make(**config):
        config = {
            "DB": str(tmp_path / "log.sqlite3"),
            "SLACK": "off",
            "RATE_LIMIT_ASK": "0",
            "RATE_LIMIT_DIAGNOSE": "0",
            **config,
        }
        return create_app(config).test_client()

    return make


# --- /api/ask ------------------------------------------------------------------------------------------------
def test_ask_returns_the_log_of_a_pasted_error(make_client):
    body = make_client().post("/api/ask", json={"q": DOCKER_DNS_LOG}).get_json()
    log = body["log"]
    assert log == knowledge.explain_log(DOCKER_DNS_LOG)
    assert log["cause"] == "DNS_NXDOMAIN" and log["target"] == "shop.tencentcloudcr.com"
    assert log["checks"] == ["dns", "endpoint"]
    assert "no such host" in log["evidence"]
    assert "log_html" not in body  # only for "render": "html"


def test_plain_question_has_a_null_log(make_client):
    body = make_client().post("/api/ask", json={"q": PLAIN_Q, "render": "html"}).get_json()
    assert body["matched"] is True
    assert body["log"] is None
    assert "log_html" not in body


@pytest.mark.parametrize(
    "lang,title,words", [("en", "What the log says", "It may also be"), ("zh", "日志中的原因", "也可能是")]
)
def test_log_html_is_the_cause_card_in_the_answer_language(make_client, lang, title, words):
    body = make_client().post("/api/ask", json={"q": PULL_DENIED_LOG, "lang": lang, "render": "html"}).get_json()
    log, html = body["log"], body["log_html"]
    assert log["cause"] == "CREDENTIALS_MISSING" and log["note"]
    assert 'class="tcrd-cause"' in html and f'data-code="{log["cause"]}"' in html
    assert title in html and words in html
    assert log["summary"][lang] in html
    for code in log["also"]:  # the alternatives, each with its own summary
        assert f'<li data-code="{code}"><code>{code}</code>' in html
    # the fix and the note are markdown rendered without raw HTML: inline code, `<registry host>` escaped
    assert "<code>docker login &lt;" in html
    assert "<code>tcr-doctor diagnose" in html  # the note's command and the CLI line
    assert f"<pre><code>{log['diagnose']}</code></pre>" in html
    assert "<script" not in html
    # the FAQ answer follows as before
    assert 'class="tcrd-answer"' in body["html"]


def test_markup_in_a_pasted_log_stays_text(make_client):
    body = make_client().post("/api/ask", json={"q": XSS_LOG, "render": "html"}).get_json()
    log = body["log"]
    # (markup that is not a screenshot's <img>: the log reader drops those from the evidence line)
    assert "<svg onload=alert(1)>" in log["evidence"]
    assert "&lt;svg onload=alert(1)&gt;" in body["log_html"]
    assert "<svg" not in body["log_html"] and "<svg" not in body["html"]


def test_local_cause_has_no_diagnosis(make_client):
    text = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    log = knowledge.explain_log(text)
    assert log and log["diagnose"] is None, log
    body = make_client().post("/api/ask", json={"q": text, "lang": "en", "render": "html"}).get_json()
    assert body["log"]["diagnose"] is None
    assert "local problem" in body["log_html"]


def test_ask_still_answers_when_the_log_reader_fails(make_client, monkeypatch):
    def boom(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(knowledge, "explain_log", boom)
    client = make_client(ASK_FUNC=lambda q, lang=None: {k: v for k, v in knowledge.ask(q, lang).items() if k != "log"})
    body = client.post("/api/ask", json={"q": DOCKER_DNS_LOG, "render": "html"}).get_json()
    assert body["log"] is None and body["html"]


# --- /api/diagnose with a log's checks ------------------------------------------------------------------------
def test_checks_are_honoured(make_client):
    spy = Spy()
    client = make_client(DIAGNOSE_FUNC=spy)
    body = client.post(
        "/api/diagnose", json={"target": "shop.tencentcloudcr.com", "checks": ["endpoint", "dns"]}
    ).get_json()
    assert body["exit_code"] == 1
    assert spy.calls[-1][1]["only"] == ["dns", "endpoint"]  # in the engine's order
    client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com"})
    assert spy.calls[-1][1]["only"] == ["name", "dns", "endpoint", "tcp", "tls", "http", "credentials", "image"]
    client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com", "checks": []})  # a log's "all"
    assert spy.calls[-1][1]["only"] == ["name", "dns", "endpoint", "tcp", "tls", "http", "credentials", "image"]
    assert "log_verdict" not in body


def test_a_check_the_operator_did_not_allow_is_refused_not_narrowed_or_replaced(make_client):
    """TCR_DOCTOR_DIAGNOSE_CHECKS=dns,endpoint: a request naming tls ran dns alone (["dns", "tls"]) or dns and endpoint
    (["tls"]) with no word; it is a 400 naming the checks that run here, and the served OpenAPI document lists them."""
    spy = Spy()
    client = make_client(DIAGNOSE_FUNC=spy, DIAGNOSE_CHECKS="dns,endpoint")
    for checks in (["dns", "tls", "credentials"], ["tls"]):
        response = client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com", "checks": checks})
        assert response.status_code == 400 and response.get_json()["error"] == "bad_checks"
        messages = response.get_json()["messages"]
        # says that these are the checks this service runs, not every check there is (tidy8's left item)
        assert "the checks this service runs: dns, endpoint." in messages["en"]
        assert "本服务运行的检查项名称的列表：dns, endpoint。" in messages["zh"]
    assert spy.calls == []
    client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com", "checks": ["endpoint"]})
    client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com", "checks": []})
    assert [call[1]["only"] for call in spy.calls] == [["endpoint"], ["dns", "endpoint"]]
    doc = client.get("/api/openapi.json").get_json()
    assert doc["components"]["schemas"]["AnonymousCheckName"]["enum"] == ["dns", "endpoint"]


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"checks": ["dns", "ping"]}, "bad_checks"),
        ({"checks": "dns,endpoint"}, "bad_checks"),
        ({"checks": [1]}, "bad_checks"),
        ({"checks": ["dns"] * 9}, "bad_checks"),
        ({"checks": [None]}, "bad_checks"),
        ({"cause": "NOT_A_CAUSE"}, "bad_cause"),
        ({"cause": 5}, "bad_cause"),
        ({"also": ["NOT_A_CAUSE"]}, "bad_cause"),  # `also` without `cause` is accepted (and ignored) when valid
        ({"cause": "DNS_NXDOMAIN", "also": ["DNS_TIMEOUT", "TCP_TIMEOUT", "TLS_EXPIRED"]}, "bad_cause"),
        ({"cause": "DNS_NXDOMAIN", "also": "DNS_TIMEOUT"}, "bad_cause"),
    ],
)
def test_bad_checks_or_cause_are_400_json_errors(make_client, payload, code):
    spy = Spy()
    response = make_client(DIAGNOSE_FUNC=spy).post(
        "/api/diagnose", json={"target": "shop.tencentcloudcr.com", "lang": "zh", **payload}
    )
    assert response.status_code == 400 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code
    assert body["messages"]["zh"] and body["messages"]["en"] and body["message"] == body["messages"]["zh"]
    assert spy.calls == []


def test_a_logs_target_is_still_under_the_address_policy(make_client):
    spy = Spy()
    body = (
        make_client(DIAGNOSE_FUNC=spy)
        .post(
            "/api/diagnose",
            json={"target": "10.0.0.8:5000", "checks": ["dns", "tcp"], "cause": "TCP_TIMEOUT", "render": "html"},
        )
        .get_json()
    )
    assert body["refused"] is True and spy.calls == []
    assert [f["code"] for f in body["findings"]] == ["TARGET_REFUSED"]
    assert body["log_verdict"] == {"verdict": "not_run", "codes": []}
    assert 'data-status="not_run"' in body["html"]


@pytest.mark.parametrize(
    "findings,verdict,codes",
    [
        ([("dns", "fail", "DNS_NXDOMAIN")], "confirmed", ["DNS_NXDOMAIN"]),
        ([("dns", "fail", "DNS_NO_ADDRESS")], "confirmed", ["DNS_NO_ADDRESS"]),  # a confirming code of the cause
        ([("dns", "fail", "DNS_SERVFAIL")], "confirmed", ["DNS_SERVFAIL"]),  # confirms the alternative
        ([("dns", "ok", "DNS_OK"), ("tcp", "fail", "TCP_REFUSED")], "other", ["TCP_REFUSED"]),
        ([("dns", "ok", "DNS_OK"), ("endpoint", "ok", "ENDPOINT_PUBLIC")], "not_reproduced", []),
    ],
)
def test_verdict_says_whether_the_findings_confirm_the_cause(make_client, findings, verdict, codes):
    spy = Spy(
        [
            {
                "check": c,
                "status": s,
                "code": k,
                "summary": {"zh": k, "en": k},
                "evidence": {},
                "fix": {"zh": "", "en": ""},
                "faq": None,
            }
            for c, s, k in findings
        ]
    )
    for lang, words in (("en", "The diagnosis"), ("zh", "诊断")):
        body = (
            make_client(DIAGNOSE_FUNC=spy)
            .post(
                "/api/diagnose",
                json={
                    "target": "shop.tencentcloudcr.com",
                    "checks": ["dns", "endpoint"],
                    "cause": "DNS_NXDOMAIN",
                    "also": ["DNS_TIMEOUT"],
                    "lang": lang,
                    "render": "html",
                },
            )
            .get_json()
        )
        assert body["log_verdict"] == {"verdict": verdict, "codes": codes}
        assert f'class="tcrd-verdict tcrd-verdict-{verdict}" data-status="{verdict}"' in body["html"]
        assert words in body["html"].split('class="tcrd-verdict')[1]
        sentence = body["html"].split('class="tcrd-verdict')[1].split("</p>")[0]
        if lang == "zh":  # Chinese punctuation around the codes and at the end
            assert sentence.endswith("。") and " (" not in sentence and (not codes or "（<code>" in sentence), sentence
        else:
            assert sentence.endswith(".") and (not codes or " (<code>" in sentence), sentence


def test_web_rules_hold_for_any_checks():
    """Whatever checks are asked for: anonymous, an empty docker config and environment, no push, the policy."""
    from bot.web import load_config
    from diagnostics.policy import AddressPolicy, AnonymousDiagnosis

    cfg = load_config({"SLACK": "off"})
    policy = AddressPolicy.public_registry(domains=cfg.registry_domains, ports=cfg.registry_ports)
    anonymous = AnonymousDiagnosis(policy, timeout=cfg.diagnose_timeout, checks=cfg.diagnose_checks)
    options = anonymous.options(anonymous.checks_for(["credentials", "image"]))
    assert options.only == ["credentials", "image"]
    assert options.username is None and options.password is None and options.push is False
    assert options.docker_config == os.devnull and options.env == {}
    assert options.policy is policy


# --- the real engine: a pasted log's diagnosis through /api/diagnose --------------------------------------------
def test_a_logs_diagnosis_confirms_nxdomain_with_the_real_engine(make_client, dns_server):
    """dns,endpoint only (the log's checks): nothing is connected to."""
    from tests.harness.dns_server import Zone

    text = (
        f'$ docker login {Zone.TCR_MISSING}\nError response from daemon: Get "https://{Zone.TCR_MISSING}/v2/": '
        f"dial tcp: lookup {Zone.TCR_MISSING} on 127.0.0.53:53: no such host"
    )
    client = make_client(DNS_NAMESERVER=dns_server.nameserver)
    log = client.post("/api/ask", json={"q": text}).get_json()["log"]
    assert (log["cause"], log["target"], log["checks"]) == ("DNS_NXDOMAIN", Zone.TCR_MISSING, ["dns", "endpoint"])
    body = client.post(
        "/api/diagnose",
        json={
            "target": log["target"],
            "checks": log["checks"],
            "cause": log["cause"],
            "also": log["also"],
            "lang": "en",
            "render": "html",
        },
    ).get_json()
    assert body["refused"] is False
    assert body["checks"] == ["dns", "endpoint"]
    assert {f["check"] for f in body["findings"]} <= {"dns", "endpoint"}
    assert "DNS_NXDOMAIN" in [f["code"] for f in body["findings"]]
    assert body["log_verdict"] == {"verdict": "confirmed", "codes": ["DNS_NXDOMAIN"]}
    assert "confirms the cause" in body["html"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("text", "rest"),
    [
        (
            "How do I set up a pull-through cache for quay.io images?",
            {"zh": "请粘贴完整报错", "en": "paste the whole error"},
        ),
        (
            "docker pull quay.io/team/app:1\nError response from daemon: failed to register layer: ApplyLayer exit "
            "status 1 stdout:  stderr: archive/tar: invalid tar header",
            {"zh": "上面的原因对任何镜像仓库都适用。", "en": "The cause above applies to any registry."},
        ),
        (
            'docker pull quay.io/team/app:1\nError response from daemon: Get "https://quay.io/v2/": dial tcp: lookup '
            "quay.io: no such host",
            {"zh": "上面的原因和诊断命令", "en": "The cause and the diagnosis command above"},
        ),
    ],
    ids=["question", "log-without-command", "log-with-command"],
)
def test_another_vendors_refusal_points_above_only_at_what_the_reply_shows(text, rest, lang, tmp_path):
    """The refusal's second sentence speaks of the cause (and its diagnosis) "above" only when the reply shows them;
    in Chinese the two sentences are joined without a space."""
    client = create_app({"DB": os.path.join(tmp_path, "w.sqlite3")}).test_client()
    result = client.post("/api/ask", json={"q": text, "render": "html", "lang": lang}).get_json()
    assert result["refusal"]["kind"] == "other_registry", result["refusal"]
    refusal = result["html"][result["html"].index("tcrd-refusal-other_registry") :]
    assert rest[lang] in refusal, refusal
    if lang == "zh":
        assert "。 " not in refusal and "。\n" not in refusal, refusal


TCR_TIMEOUT_LOG = (
    "docker pull ccr.ccs.tencentyun.com/ns/app:1\n"
    'Error response from daemon: Get "https://ccr.ccs.tencentyun.com/v2/": context deadline exceeded '
    "(Client.Timeout exceeded while awaiting headers)"
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_problem_report_whose_log_was_read_is_not_asked_for_the_error_text(make_client, lang):
    """The widget read the pasted log's cause and then said "Paste the exact error text and the command you ran, and I
    will read the cause": with a cause shown, the refusal says what Slack says, that no entry covers this cause. A
    problem report without a log is still asked for the error text."""
    from bot import messages

    asked = {"zh": "请粘贴完整的报错信息", "en": "Paste the exact error text"}
    client = make_client()
    body = client.post("/api/ask", json={"q": TCR_TIMEOUT_LOG, "lang": lang, "render": "html"}).get_json()
    assert body["refusal"]["kind"] == "troubleshooting" and body["log"]["cause"] == "HTTP_TIMEOUT", body["refusal"]
    assert asked[lang] not in body["html"] and messages.NO_ENTRY_FOR_CAUSE[lang] in body["html"]
    plain = {"zh": "部署的时候报错了", "en": "the deploy fails with an error"}[lang]
    body = client.post("/api/ask", json={"q": plain, "lang": lang, "render": "html"}).get_json()
    assert body["refusal"]["kind"] == "troubleshooting" and body["log"] is None, body
    assert asked[lang] in body["html"]


def test_the_widget_is_served_the_checks_the_service_runs(make_client):
    """The widget offers a pasted log's "Run this diagnosis" with the checks /api/diagnose runs (it sent the log's
    checks as they were, which the API now refuses when the operator allows fewer): they are between its markers;
    the file's own default is every anonymous check."""
    import pathlib
    import re

    from diagnostics import checks as registry

    marker = re.compile(r"/\*CHECKS\*/(\[[^\]]*\])/\*END\*/")
    static = (pathlib.Path(__file__).resolve().parents[1] / "bot" / "static" / "widget.js").read_text(encoding="utf-8")
    assert json.loads(marker.search(static).group(1)) == list(registry.anonymous_names())
    served = make_client(DIAGNOSE_CHECKS="endpoint,dns").get("/widget.js").get_data(as_text=True)
    assert json.loads(marker.search(served).group(1)) == ["dns", "endpoint"]
