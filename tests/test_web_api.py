"""The web channel's JSON API through Flask's test client: ask, feedback, diagnose refusals, limits, errors,
CORS/CSP headers, metrics, storage of redacted text, and the `report unanswered` command."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest

import knowledge
from bot.settings import Settings
from bot.web import create_app

LOGIN_Q = "docker login 报错 unauthorized: authentication required"
NONSENSE_Q = "what is the airspeed velocity of an unladen swallow"


@pytest.fixture
def make_app(tmp_path):
    def make(**config):
        config.setdefault("DB", str(tmp_path / "web.sqlite3"))
        config.setdefault("SLACK", "off")
        return create_app(config)

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def rows(app, sql, *params):
    app.extensions["tcr_doctor"].storage.flush()
    conn = sqlite3.connect(app.extensions["tcr_doctor"].storage.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def ask_json(q, lang=None):
    """What /api/ask answers: the `ask --json` object, which carries the pasted-log cause as "log"."""
    result = dict(knowledge.ask(q, lang))
    result.setdefault("log", knowledge.explain_log(q))  # a knowledge version without it: the web adds it
    result["refused_targets"] = []  # the web's addition; these questions name no target its policy refuses
    return result


def assert_error(response, status, code):
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code
    assert body["message"] and body["messages"]["zh"] and body["messages"]["en"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


# --- /api/ask ------------------------------------------------------------------------------------------
def test_ask_returns_the_ask_json(client):
    response = client.post("/api/ask", json={"q": LOGIN_Q})
    assert response.status_code == 200
    assert response.get_json() == ask_json(LOGIN_Q)
    assert len(response.headers["X-Question-Id"]) == 16


def test_ask_with_lang(client):
    body = client.post("/api/ask", json={"q": LOGIN_Q, "lang": "en"}).get_json()
    assert body == ask_json(LOGIN_Q, "en")
    assert body["lang"] == "en"


def test_ask_html_is_sanitised_markdown(client):
    body = client.post("/api/ask", json={"q": LOGIN_Q, "render": "html"}).get_json()
    assert body["status"] == "answered"
    html = body["html"]
    assert 'class="tcrd-answer"' in html
    assert 'target="_blank"' in html and "noopener" in html
    assert "<script" not in html
    rest = {k: v for k, v in body.items() if k not in ("html", "log_html")}
    assert rest == ask_json(LOGIN_Q)


def test_answer_markdown_cannot_inject_html(make_app):
    def evil_ask(text, lang=None):
        return {
            "matched": True,
            "status": "answered",
            "lang": "en",
            "kb_version": "x",
            "diagnostics": [],
            "alternatives": [],
            "entities": {},
            "answer": {
                "id": "evil",
                "question": "<b>q</b>",
                "score": 1.0,
                "answer": "hi <img src=x onerror=alert(1)> [link](javascript:alert(1)) <script>x</script>",
                "links": [{"title": "t", "url": "javascript:alert(1)"}],
            },
        }

    client = make_app(ASK_FUNC=evil_ask).test_client()
    html = client.post("/api/ask", json={"q": "x", "render": "html"}).get_json()["html"]
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert 'href="javascript' not in html and "href=" not in html.replace('href="https', "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text


def test_question_is_stored_redacted(app, client):
    q = "docker login -u 100012345678 -p S3cr3tPassw0rd! fails: unauthorized: authentication required"
    response = client.post("/api/ask", json={"q": q})
    qid = response.headers["X-Question-Id"]
    ((text, redacted, status),) = rows(app, "SELECT text, redacted, status FROM questions WHERE id = ?", qid)
    assert "S3cr3tPassw0rd!" not in text
    assert redacted
    assert status == response.get_json()["status"]


@pytest.mark.parametrize(
    "payload,status,code",
    [
        ({}, 400, "missing_question"),
        ({"q": "   "}, 400, "missing_question"),
        ({"q": 5}, 400, "missing_question"),
        ({"q": "hi", "lang": "fr"}, 400, "bad_lang"),
        ({"q": "x" * 16001}, 413, "question_too_long"),
    ],
)
def test_ask_validation(client, payload, status, code):
    assert_error(client.post("/api/ask", json=payload), status, code)


def test_bad_json_and_non_object(client):
    assert_error(client.post("/api/ask", data="not json", content_type="application/json"), 400, "bad_json")
    assert_error(client.post("/api/ask", json=["q"]), 400, "bad_json")


def test_body_size_limit(make_app):
    client = make_app(MAX_BODY_BYTES=1024).test_client()
    assert_error(
        client.post("/api/ask", data=json.dumps({"q": "x" * 5000}), content_type="application/json"), 413, "too_large"
    )


def test_error_language_follows_request(client):
    body = assert_error(client.post("/api/ask", json={"lang": "zh"}), 400, "missing_question")
    assert body["message"] == body["messages"]["zh"]
    body = assert_error(
        client.post("/api/ask", json={}, headers={"Accept-Language": "zh-CN,zh;q=0.9"}), 400, "missing_question"
    )
    assert body["message"] == body["messages"]["zh"]


def test_not_found_and_method_errors_are_json(client):
    assert_error(client.get("/api/nope"), 404, "not_found")
    assert_error(client.get("/api/ask"), 405, "method_not_allowed")


def test_crash_is_json_without_stack_trace(make_app):
    def boom(text, lang=None):
        raise RuntimeError("secret internal detail /etc/passwd")

    client = make_app(ASK_FUNC=boom).test_client()
    response = client.post("/api/ask", json={"q": "x"})
    body = assert_error(response, 500, "internal")
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert body["messages"]["zh"]


# --- rate limits ---------------------------------------------------------------------------------------
def test_rate_limit_per_client(make_app):
    client = make_app(RATE_LIMIT_ASK="3/60").test_client()
    for _ in range(3):
        assert client.post("/api/ask", json={"q": "hi"}).status_code == 200
    response = client.post("/api/ask", json={"q": "hi"})
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60  # when the oldest of the 3 leaves the window
    # another client is not affected
    other = client.post("/api/ask", json={"q": "hi"}, environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 200


def test_rate_limit_uses_forwarded_for_only_when_trusted(make_app, caplog):
    untrusted = make_app(RATE_LIMIT_ASK="1/60").test_client()
    assert untrusted.post("/api/ask", json={"q": "a"}, headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    # spoofing another X-Forwarded-For does not buy a new bucket
    assert untrusted.post("/api/ask", json={"q": "a"}, headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 429
    # TRUSTED_PROXIES without the proxies' addresses trusts no peer: the header is still ignored
    unlisted = make_app(RATE_LIMIT_ASK="1/60", TRUSTED_PROXIES=1).test_client()
    assert unlisted.post("/api/ask", json={"q": "a"}, headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert unlisted.post("/api/ask", json={"q": "a"}, headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 429
    assert "TCR_DOCTOR_TRUSTED_PROXY_ADDRESSES is empty" in caplog.text
    trusted = make_app(RATE_LIMIT_ASK="1/60", TRUSTED_PROXIES=1, TRUSTED_PROXY_ADDRESSES="*").test_client()
    assert trusted.post("/api/ask", json={"q": "a"}, headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert trusted.post("/api/ask", json={"q": "a"}, headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 200
    assert trusted.post("/api/ask", json={"q": "a"}, headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 429


def test_forwarded_for_is_trusted_only_from_the_proxy_addresses(make_app):
    app = make_app(RATE_LIMIT_ASK="1/60", TRUSTED_PROXIES=1, TRUSTED_PROXY_ADDRESSES="10.0.0.5, 192.168.0.0/24")
    client = app.test_client()

    def status(forwarded_for: str, peer: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        return client.post("/api/ask", json={"q": "a"}, headers=headers, environ_base={"REMOTE_ADDR": peer}).status_code

    assert status("1.1.1.1", "192.168.0.7") == 200  # through the proxy: each forwarded client has its own limit
    assert status("2.2.2.2", "192.168.0.7") == 200
    # a client reaching the instance directly: its X-Forwarded-For is ignored, its own address counts
    assert status("3.3.3.3", "203.0.113.9") == 200
    assert status("4.4.4.4", "203.0.113.9") == 429


def test_rate_limiter_window_moves_on():
    from bot.shared import RateLimiter

    limiter = RateLimiter((2, 1.0))
    assert limiter.check("c") is None
    assert limiter.check("c") is None
    assert limiter.check("c") == 1
    assert limiter.check("other client") is None
    time.sleep(1.1)
    assert limiter.check("c") is None
    assert RateLimiter(None).check("c") is None


# --- headers -------------------------------------------------------------------------------------------
def test_cors_default_allows_any_origin(client):
    response = client.post("/api/ask", json={"q": "hi"}, headers={"Origin": "https://customer.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Question-Id" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/ask",
        headers={
            "Origin": "https://customer.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_cors_configured_origins(make_app):
    client = make_app(CORS_ORIGINS="https://a.example, https://b.example").test_client()
    ok = client.post("/api/ask", json={"q": "hi"}, headers={"Origin": "https://b.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in ok.headers["Vary"]
    other = client.post("/api/ask", json={"q": "hi"}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_csp_and_frame_ancestors(make_app):
    default = make_app().test_client()
    page = default.get("/")
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    api = default.post("/api/ask", json={"q": "hi"})
    assert "frame-ancestors 'none'" in api.headers["Content-Security-Policy"]
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.headers["Cache-Control"] == "no-store"
    custom = make_app(FRAME_ANCESTORS="https://portal.example").test_client().get("/")
    assert "frame-ancestors https://portal.example" in custom.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in custom.headers


def test_favicon_is_served_and_named_by_the_pages(client):
    """Browsers ask for /favicon.ico on every page of the origin: it answers (no 404 in the log), and the demo page
    names the icon it serves."""
    for path in ("/favicon.ico", "/favicon.svg"):
        icon = client.get(path)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and icon.data.startswith(b"<svg")
    assert '<link rel="icon" href="/favicon.svg"' in client.get("/").get_data(as_text=True)


def test_widget_assets(client):
    js = client.get("/widget.js")
    assert js.status_code == 200 and js.mimetype == "application/javascript"
    assert js.headers["Access-Control-Allow-Origin"] == "*"
    assert b"attachShadow" in js.data and b"innerHTML" not in js.data
    css = client.get("/widget.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    page = client.get("/?lang=zh")
    assert b'<html lang="zh">' in page.data and b'src="/widget.js"' in page.data


# --- feedback and the unanswered report ----------------------------------------------------------------
def test_feedback_is_stored(app, client):
    asked = client.post("/api/ask", json={"q": LOGIN_Q})
    answer = asked.get_json()["answer"]
    response = client.post(
        "/api/feedback",
        json={
            "answer_id": answer["id"],
            "kb_version": asked.get_json()["kb_version"],
            "helpful": True,
            "question_id": asked.headers["X-Question-Id"],
        },
    )
    assert response.status_code == 201 and response.get_json()["ok"] is True
    ((answer_id, helpful, qid),) = rows(app, "SELECT answer_id, helpful, question_id FROM feedback")
    assert (answer_id, helpful, qid) == (answer["id"], 1, asked.headers["X-Question-Id"])


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"answer_id": "login-failed", "kb_version": "v"}, "bad_feedback"),
        ({"answer_id": "login-failed", "kb_version": "v", "helpful": "yes"}, "bad_feedback"),
        ({"answer_id": "", "kb_version": "v", "helpful": True}, "bad_feedback"),
        ({"answer_id": "login-failed", "kb_version": "v", "helpful": True, "question_id": 5}, "bad_feedback"),
    ],
)
def test_feedback_validation(client, payload, code):
    assert_error(client.post("/api/feedback", json=payload), 400, code)


def test_feedback_on_an_unknown_answer_is_404(client):
    payload = {"answer_id": "no-such-entry", "kb_version": "v", "helpful": True}
    assert_error(client.post("/api/feedback", json=payload), 404, "unknown_answer")


def test_report_unanswered(app, client, capsys):
    from bot.cli import main

    for _ in range(2):
        client.post("/api/ask", json={"q": NONSENSE_Q})
    client.post("/api/ask", json={"q": NONSENSE_Q.upper() + "?"})  # same group after normalisation
    asked = client.post("/api/ask", json={"q": LOGIN_Q})
    body = asked.get_json()
    client.post(
        "/api/feedback",
        json={
            "answer_id": body["answer"]["id"],
            "kb_version": body["kb_version"],
            "helpful": False,
            "question_id": asked.headers["X-Question-Id"],
        },
    )
    client.post("/api/ask", json={"q": "how do I delete an image tag"})  # answered, no feedback: not listed
    app.extensions["tcr_doctor"].storage.flush()
    db = app.extensions["tcr_doctor"].storage.path

    assert main(["report", "unanswered", "--db", db, "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert [(g["count"], g["no_answer"], g["thumbs_down"]) for g in groups] == [(3, 3, 0), (1, 0, 1)]
    assert groups[0]["question"].lower().startswith("what is the airspeed")
    assert groups[1]["question"] == LOGIN_Q and groups[1]["answer_ids"] == [body["answer"]["id"]]

    assert main(["report", "unanswered", "--db", db, "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "2 groups" in text and "   3x  " in text and "thumbs-down 1" in text
    assert main(["report", "unanswered", "--db", db, "--lang", "zh"]) == 0
    assert "点踩 1 次" in capsys.readouterr().out


def test_report_without_database(tmp_path, capsys):
    from bot.cli import main

    assert main(["report", "unanswered", "--db", str(tmp_path / "missing.sqlite3")]) == 1
    assert "no database" in capsys.readouterr().err


# --- metrics and health --------------------------------------------------------------------------------
def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["storage"]["writer"] == "ok"


def test_metrics(client):
    client.post("/api/ask", json={"q": LOGIN_Q})
    client.post("/api/ask", json={"q": NONSENSE_Q})
    client.post("/api/diagnose", json={"target": "169.254.169.254"})
    text = client.get("/metrics").get_data(as_text=True)
    assert 'tcr_doctor_questions_total{channel="web",lang="zh",status="answered"} 1' in text
    assert 'tcr_doctor_no_answers_total{lang="en"} 1' in text
    assert 'tcr_doctor_matches_total{lang="zh"} 1' in text
    assert 'tcr_doctor_diagnosis_findings_total{check="dns",code="TARGET_REFUSED",status="fail"} 1' in text
    assert 'tcr_doctor_request_duration_seconds_bucket{endpoint="/api/ask",le="+Inf"} 2' in text
    assert 'tcr_doctor_request_duration_seconds_count{endpoint="/api/ask"} 2' in text
    assert "# TYPE tcr_doctor_request_duration_seconds histogram" in text


def test_metrics_token(make_app):
    client = make_app(METRICS_TOKEN="s3cret").test_client()
    assert_error(client.get("/metrics"), 401, "unauthorized")
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_metrics_sum_across_worker_processes(tmp_path):
    """prometheus_client's multiprocess mode, as under gunicorn: two worker processes count, a third one's
    /metrics shows their sum (also after they exited)."""
    import subprocess
    import sys
    import textwrap

    env = dict(__import__("os").environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"), TCR_DOCTOR_SLACK="off")
    (tmp_path / "prom").mkdir()
    worker = textwrap.dedent(
        f"""
        import sys
        from bot.web import create_app
        app = create_app({{"DB": {str(tmp_path / "w.sqlite3")!r}, "RATE_LIMIT_ASK": "0"}})
        client = app.test_client()
        for _ in range(int(sys.argv[1])):
            assert client.post("/api/ask", json={{"q": {NONSENSE_Q!r}}}).status_code == 200
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
        """
    )
    # As gunicorn's master does (on_starting), the schema is made once before the workers start: two processes
    # creating one fresh SQLite file at once could meet "database is locked" switching it to WAL (flaky, 1 in ~10).
    subprocess.run([sys.executable, "-c", worker, "0"], env=env, check=True, capture_output=True)
    workers = [
        subprocess.Popen([sys.executable, "-c", worker, count], env=env, stdout=subprocess.DEVNULL) for count in "12"
    ]
    assert [w.wait(timeout=60) for w in workers] == [0, 0]
    scrape = subprocess.run([sys.executable, "-c", worker, "0"], env=env, check=True, capture_output=True, text=True)
    assert 'tcr_doctor_no_answers_total{lang="en"} 3.0' in scrape.stdout
    assert 'tcr_doctor_request_duration_seconds_count{endpoint="/api/ask"} 3.0' in scrape.stdout


# --- configuration -------------------------------------------------------------------------------------
def test_env_config(monkeypatch, tmp_path):
    monkeypatch.setenv("TCR_DOCTOR_DB", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("TCR_DOCTOR_REGISTRY_DOMAINS", "*.example.test")
    monkeypatch.setenv("TCR_DOCTOR_RATE_LIMIT_ASK", "0")
    monkeypatch.setenv("TCR_DOCTOR_TEST_ALLOW_LOOPBACK", "1")  # must be ignored: tests only, via config
    app = create_app({"SLACK": "off"})
    state = app.extensions["tcr_doctor"]
    assert state.storage.path == str(tmp_path / "env.sqlite3")
    assert state.policy.domains == ("*.example.test",)
    assert state.policy.allow_loopback is False
    assert state.limiters["ask"].rate is None


def test_slack_is_mounted_when_configured(make_app, monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "x" * 32)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    import bot.slack  # noqa: F401 - a broken import is a failure, not a skip

    app = make_app(SLACK="auto")
    assert any(rule.rule == "/slack/events" for rule in app.url_map.iter_rules())
    off = make_app(SLACK="off")
    assert not any(rule.rule == "/slack/events" for rule in off.url_map.iter_rules())


def test_whitespace_only_questions_and_targets_are_refused_as_the_schema_says(make_app):
    """Schema and server share one notion of "only whitespace": Python's (which counts \\x1c-\\x1f and \\x85) and
    ECMAScript's (which counts \\ufeff) together; schemathesis found "\\x1e\\x1e" valid by the schema, refused by
    the server."""
    import json
    import re
    from pathlib import Path

    from bot.api import blank

    doc = json.loads((Path(__file__).resolve().parents[1] / "bot" / "openapi.json").read_text())
    patterns = {m for m in re.findall(r'"pattern": "([^"]+)"', json.dumps(doc)) if "s" in m}
    assert len(patterns) == 1
    pattern = re.compile(json.loads(f'"{patterns.pop()}"'))
    for code in [*range(0xD800), *range(0xE000, 0x10000)]:  # every BMP character but the surrogates
        assert blank(chr(code) * 2) is (pattern.search(chr(code) * 2) is None), hex(code)
    client = make_app(RATE_LIMIT_ASK="0", RATE_LIMIT_DIAGNOSE="0").test_client()
    empty = {
        lang: client.post("/api/ask", json={"q": "", "lang": lang}).get_json() for lang in ("zh", "en")
    }  # 400 missing_question, its message in both languages
    # zero-width space, non-joiner, joiner, word joiner, BOM: a question of them shows nothing (qa12: it got a
    # "paste the error" answer); so do the soft hyphen, direction marks and Hangul fillers
    invisible = ["\u200b", "\u200c\u200d", "\u2060 \u200b\n", "\ufeff\u200b", "\u00ad\u200e\u3164"]
    for text in ("\x1e\x1e", "\ufeff", " \u3000\t", *invisible):
        for lang in ("zh", "en"):
            response = client.post("/api/ask", json={"q": text, "lang": lang})
            assert response.status_code == 400 and response.get_json() == empty[lang], repr(text)
        assert client.post("/api/diagnose", json={"target": text}).get_json()["error"] == "missing_target"
    assert empty["zh"]["error"] == "missing_question" and empty["zh"]["messages"] == empty["en"]["messages"]
    assert empty["zh"]["message"] != empty["en"]["message"]
    for text in ("\u200bdocker login fails", "a\u2060", "\u2061x"):  # visible text around them is a question
        assert not blank(text), repr(text)


def test_a_pasted_build_log_is_read_to_its_last_line(client):
    """A visitor pastes a CI build log with the question first and the error last (real logs run to several
    thousand characters, mostly Chinese ones 3 bytes each): the whole paste is read, not refused or cut."""
    steps = "\n".join(
        f"#{i} [build 3/9] RUN pip install 依赖包{i}==1.0  下载 package{i}-1.0 (12 kB)" for i in range(120)
    )
    error = (
        "ERROR: failed to solve: failed to push shop-tcr.tencentcloudcr.com/team/app:1.0: failed to authorize: "
        "failed to fetch oauth token: unexpected status: 401 Unauthorized"
    )
    question = f"CI 推送镜像一直失败，日志如下：\n{steps}\n{error}"
    assert len(question) > 8000
    response = client.post("/api/ask", json={"q": question})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["lang"] == "zh"
    assert body["log"]["host"] == "shop-tcr.tencentcloudcr.com" and body["log"]["cause"].startswith("CREDENTIALS")


def test_the_widget_the_api_description_and_the_service_take_the_same_longest_question():
    """One limit: the widget's input would cut a longer paste silently (its tail, where the error is)."""
    root = Path(__file__).resolve().parents[1]
    widget = (root / "bot/static/widget.js").read_text()
    # the box holds MAX_QUESTION_CHARS, which the service fills in from its setting (tests/test_widget_browser.py);
    # the file's own value, for a copy served from disk, is the setting's default
    assert re.search(r'className: "tcrd-input"[^}]*maxlength: String\(MAX_QUESTION_CHARS\)', widget)
    (textarea,) = re.findall(r"var MAX_QUESTION_CHARS = /\*MAX_QUESTION_CHARS\*/(\d+)/\*END\*/;", widget)
    spec = json.loads((root / "bot/openapi.json").read_text())
    limit = Settings.from_env({}, {}).max_question_chars
    assert int(textarea) == limit
    ask = spec["paths"]["/api/ask"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert ask["properties"]["q"]["maxLength"] == limit
    assert limit >= 16000


def test_the_text_report_shows_each_pasted_question_as_one_readable_line(app, client, capsys):
    """A support lead reads 50 groups: a pasted build log is one line (its start, whitespace collapsed, cut with …),
    not pages of output; --json keeps the whole text."""
    from bot.cli import main

    paste = "docker build fails on our CI runner\n" + "\n".join(f"#{i} RUN make step{i} ..." for i in range(300))
    assert client.post("/api/ask", json={"q": paste}).status_code == 200
    app.extensions["tcr_doctor"].storage.flush()
    db = app.extensions["tcr_doctor"].storage.path
    assert main(["report", "unanswered", "--db", db, "--lang", "en"]) == 0
    text = capsys.readouterr().out
    (line,) = [x for x in text.splitlines() if "docker build fails" in x]
    assert line.strip().startswith("1x  docker build fails on our CI runner #0 RUN make step0")
    assert line.endswith("…") and len(line) <= 240
    assert "step299" not in text
    assert main(["report", "unanswered", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["groups"][0]["question"] == paste
