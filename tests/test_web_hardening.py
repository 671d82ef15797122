"""Bad input never breaks the web service (issue 9): unpaired surrogates, deep JSON, writer errors on /healthz
and /metrics. Through Flask's test client with the real knowledge base and storage."""

from __future__ import annotations

import json

import pytest

from bot.web import create_app
from tests.harness.stored import stored_question
from tests.harness.web import offline_app

API = ["/api/ask", "/api/diagnose", "/api/feedback"]


@pytest.fixture
def app(tmp_path):
    return offline_app(str(tmp_path / "h.sqlite3"))


@pytest.fixture
def client(app):
    return app.test_client()


def post_raw(client, path, data: bytes | str):
    return client.post(path, data=data, content_type="application/json")


def assert_json_error(response, status, code):
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == code
    return response.get_json()


@pytest.mark.parametrize("path", API)
def test_unpaired_surrogate_is_a_400_on_every_endpoint(client, path):
    body = '{"q": "login \\ud800 fails", "target": "\\udfff.tencentcloudcr.com", "answer_id": "\\ud800", '
    body += '"kb_version": "v", "helpful": true}'
    assert_json_error(post_raw(client, path, body), 400, "bad_text")


def test_a_surrogate_question_does_not_stop_storage(app, client):
    """The probe's finding 1: after such a question, feedback, metrics and later questions still work."""
    post_raw(client, "/api/ask", '{"q": "docker login \\ud800 unauthorized"}')
    good = client.post("/api/ask", json={"q": "docker login unauthorized: authentication required"})
    assert good.status_code == 200
    qid = good.headers["X-Question-Id"]
    answer = good.get_json()["answer"]
    fb = client.post(
        "/api/feedback",
        json={
            "answer_id": answer["id"],
            "kb_version": good.get_json()["kb_version"],
            "helpful": True,
            "question_id": qid,
        },
    )
    assert fb.status_code == 201
    assert client.get("/metrics").status_code == 200
    assert stored_question(app.extensions["tcr_doctor"].storage, qid) is not None
    assert client.get("/healthz").get_json()["storage"]["writer"] == "ok"


def test_a_valid_surrogate_pair_is_text(client):
    """An escaped pair (an emoji) is valid Unicode and answered normally."""
    response = post_raw(client, "/api/ask", '{"q": "docker login fails \\ud83d\\ude00"}')
    assert response.status_code == 200


@pytest.mark.parametrize("path", API)
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_json_is_a_400_not_a_recursion_error(client, path, opener):
    depth = 5000
    closer = "]" if opener == "[" else "}"
    body = '{"q": ' + opener * depth + "1" + closer * depth + "}"
    assert len(body.encode()) < 16384 * 2
    response = post_raw(client, path, body if len(body) < 16000 else body[:15000])
    assert response.status_code == 400, response.data
    assert response.get_json()["error"] in ("too_deep", "bad_json")


def test_brackets_inside_strings_do_not_count_as_depth(client):
    response = client.post("/api/ask", json={"q": "[[[[" * 200 + " docker login {{{{ failed"})
    assert response.status_code == 200


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b"NaN", b'{"q": NaN}', b'{"q": Infinity}', b"[]", b"", b"\x00"])
def test_malformed_bodies_are_400(client, raw):
    assert_json_error(post_raw(client, "/api/ask", raw), 400, "bad_json")


def test_writer_errors_show_on_healthz_and_metrics(app, client):
    storage = app.extensions["tcr_doctor"].storage
    storage.record_question(
        "x1", "text", lang="en", status="no_answer", answer_id=None, score=object(), kb_version="v"
    )  # a row no database can bind
    storage.flush()
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["storage"]["write_errors"] >= 1 and health["storage"]["rows_dropped"] == 1
    text = client.get("/metrics").get_data(as_text=True)
    lines = [line for line in text.splitlines() if line.startswith("tcr_doctor_storage_errors_total{")]
    assert lines and float(lines[0].rsplit(" ", 1)[1]) >= 1


def test_healthz_is_ok_with_a_healthy_writer(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["storage"]["writer"] == "ok" and body["storage"]["write_errors"] == 0


def test_diagnose_echo_of_odd_unicode_is_json(client):
    """A target with unusual (valid) characters is refused as a finding and echoed as JSON, never a 500."""
    for target in ["\u202eshop.tencentcloudcr.com", "sh\u0000op.tencentcloudcr.com", "\U0001f600.tencentcloudcr.com"]:
        response = client.post("/api/diagnose", json={"target": target})
        assert response.status_code in (200, 400), (target, response.data)
        json.loads(response.get_data(as_text=True))


# --- the OpenAPI contract (issue 9, finding 6) -------------------------------------------------------------
@pytest.mark.parametrize(
    "method,path,allow",
    [("get", "/api/ask", "OPTIONS, POST"), ("put", "/api/feedback", "OPTIONS, POST"), ("post", "/healthz", "GET")],
)
def test_405_says_allow(client, method, path, allow):
    response = getattr(client, method)(path)
    assert_json_error(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= set(allow.split(", "))


@pytest.mark.parametrize(
    "path,body", [("/api/ask", {"q": "login failed"}), ("/api/diagnose", {"target": "a.tencentcloudcr.com"})]
)
@pytest.mark.parametrize("render", ["pdf", "", None, 1])
def test_unknown_render_is_400(client, path, body, render):
    assert_json_error(client.post(path, json={**body, "render": render}), 400, "bad_render")


@pytest.mark.parametrize("field,value", [("checks", None), ("lang", None), ("lang", "fr")])
def test_null_or_unknown_fields_are_400_on_diagnose(client, field, value):
    response = client.post("/api/diagnose", json={"target": "a.tencentcloudcr.com", field: value})
    assert response.status_code == 400


def test_null_question_id_is_400_on_feedback(client):
    body = {"answer_id": "login-failed", "kb_version": "v", "helpful": True, "question_id": None}
    assert_json_error(client.post("/api/feedback", json=body), 400, "bad_feedback")


def test_also_without_cause_is_accepted_and_ignored(client):
    response = client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com/NS/x", "also": ["DNS_TIMEOUT"]})
    assert response.status_code == 200, response.data
    assert "log_verdict" not in response.get_json()
    bad = client.post("/api/diagnose", json={"target": "shop.tencentcloudcr.com", "also": ["NOT_A_CODE"]})
    assert_json_error(bad, 400, "bad_cause")


def test_metric_label_values_are_masked(app, client):
    token = "xoxb-123456789012-1234567890123-LabelLeakTok3n"
    app.extensions["tcr_doctor"].metrics.inc("tcr_doctor_answers_total", {"id": token})
    app.extensions["tcr_doctor"].storage.flush()
    text = client.get("/metrics").get_data(as_text=True)
    assert "LabelLeakTok3n" not in text
    assert "tcr_doctor_answers_total" in text


def test_a_secret_in_a_diagnose_target_is_never_echoed(client):
    from tests.secrets_corpus import PLANTED

    for line, secret in PLANTED.values():
        target = line.split()[0] if " " in line else line
        response = client.post("/api/diagnose", json={"target": target[:500], "render": "html"})
        assert secret not in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["how do I buy a TCR instance with a coupon", "asdf qwer zxcv", "hi"])
def test_refusals_render_html(client, q):
    response = client.post("/api/ask", json={"q": q, "render": "html"})
    assert response.status_code == 200 and response.get_json()["html"]


@pytest.mark.parametrize("authorization", ["Bearer \xe9", "\xe9\xff", "Basic \xe9\xe9==", "Bearer m3trics-t0ken\xe9"])
def test_a_metrics_token_header_with_a_byte_above_ascii_is_a_401(tmp_path, authorization):
    """compare_digest refuses str with non-ASCII characters: such an Authorization header was a 500."""
    app = create_app({"DB": str(tmp_path / "m.sqlite3"), "SLACK": "off", "METRICS_TOKEN": "m3trics-t0ken"})
    client = app.test_client()
    assert_json_error(
        client.get("/metrics", environ_overrides={"HTTP_AUTHORIZATION": authorization}), 401, "unauthorized"
    )
    assert client.get("/metrics", headers={"Authorization": "Bearer m3trics-t0ken"}).status_code == 200


def test_secrets_pasted_into_feedback_fields_are_masked_before_they_are_stored(app, client):
    """kb_version and question_id come from the client as free text: the one detector masks them like a question."""
    from tests.harness.stored import stored_feedback
    from tests.secrets_corpus import PLANTED

    planted = [(line, secret) for line, secret in PLANTED.values() if len(line) <= 64]
    assert len(planted) >= 5
    for line, _ in planted:
        body = {"answer_id": "login-failed", "kb_version": line, "helpful": False, "question_id": line}
        assert client.post("/api/feedback", json=body).status_code == 201, line
    rows = stored_feedback(app.extensions["tcr_doctor"].storage)
    assert len(rows) == len(planted)
    for row, (_, secret) in zip(rows, planted, strict=True):
        assert secret not in row["kb_version"] and secret not in row["question_id"], row
    ok = {"answer_id": "login-failed", "kb_version": "2026.12.05-abc123", "helpful": True, "question_id": "9f" * 8}
    assert client.post("/api/feedback", json=ok).status_code == 201
    last = stored_feedback(app.extensions["tcr_doctor"].storage)[-1]
    assert (last["kb_version"], last["question_id"]) == (ok["kb_version"], ok["question_id"])
