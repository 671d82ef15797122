"""One malformed request never stops storage, on any backend: the same battery of bad requests against every
endpoint with SQLite, and with PostgreSQL plus Redis (started by the tests, as the harness does). Each gets a
clear JSON 4xx; afterwards a plain question is answered, stored and counted, and /healthz says storage is ok."""

from __future__ import annotations

import json

import pytest

from tests.harness.stored import stored_question
from tests.harness.web import offline_app

DEEP = b'{"q": ' + b"[" * 5000 + b"]" * 5000 + b"}"
BAD_BODIES: list[tuple[str, bytes | str, str]] = [
    ("surrogate", '{"q": "docker login \\ud800 fails", "target": "\\udfff.tencentcloudcr.com"}', "application/json"),
    ("nul", '{"q": "docker \\u0000 login", "target": "a\\u0000.tencentcloudcr.com"}', "application/json"),
    ("deep", DEEP, "application/json"),
    ("binary", bytes(range(256)) * 8, "application/json"),
    ("latin-1", '{"q": "caf\xe9"}'.encode("latin-1"), "application/json"),
    ("nan", b'{"q": NaN, "helpful": Infinity}', "application/json"),
    ("not an object", b'["q", "x"]', "application/json"),
    ("wrong types", b'{"q": {"a": 1}, "target": 5, "answer_id": [], "helpful": "yes"}', "application/json"),
    ("form", b"q=docker+login", "application/x-www-form-urlencoded"),
    ("empty", b"", "application/json"),
    ("huge", b'{"q": "' + b"a" * (2 << 20) + b'"}', "application/json"),
    ("duplicate keys", b'{"q": "x", "q": "docker login unauthorized"}', "application/json"),
]
ENDPOINTS = ["/api/ask", "/api/diagnose", "/api/feedback"]


@pytest.fixture(params=["sqlite", "postgresql+redis"])
def app(request, tmp_path):
    if request.param == "sqlite":
        app = offline_app(str(tmp_path / "bad.sqlite3"))
    else:
        app = offline_app(
            {"DATABASE_URL": request.getfixturevalue("pg_url"), "REDIS_URL": request.getfixturevalue("redis_url")}
        )
    assert app.extensions["tcr_doctor"].storage.engine().dialect.name == request.param.split("+")[0]
    return app


def test_a_battery_of_bad_requests_leaves_every_backend_working(app):
    client = app.test_client()
    for endpoint in ENDPOINTS:
        for name, body, content_type in BAD_BODIES:
            response = client.post(endpoint, data=body, content_type=content_type)
            assert 400 <= response.status_code < 500 or response.status_code == 200, (endpoint, name, response.status)
            if response.status_code != 200:
                assert response.mimetype == "application/json" and response.get_json()["error"], (endpoint, name)
        assert client.get(endpoint).status_code == 405
    # a NUL inside a question that is answered is stored (PostgreSQL refuses NUL in text: it becomes U+FFFD)
    nul = client.post("/api/ask", data='{"q": "docker login \\u0000 unauthorized"}', content_type="application/json")
    good = client.post("/api/ask", json={"q": "docker login unauthorized: authentication required"})
    assert nul.status_code == 200 and good.status_code == 200
    feedback = client.post(
        "/api/feedback",
        json={
            "answer_id": good.get_json()["answer"]["id"],
            "kb_version": good.get_json()["kb_version"],
            "helpful": True,
            "question_id": good.headers["X-Question-Id"],
        },
    )
    assert feedback.status_code == 201, feedback.data
    storage = app.extensions["tcr_doctor"].storage
    storage.flush()
    for response in (nul, good):
        assert stored_question(storage, response.headers["X-Question-Id"]) is not None
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["storage"]["write_errors"] == 0, json.dumps(health)
