"""bot/openapi.json stays true: every route is documented and every documented route exists; every documented
response status is produced by a real request here, and its body matches the documented schema (and every
response we see has a documented status)."""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest

from bot.web import create_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def doc():
    from bot.api import openapi_document

    return openapi_document()


# --- validation: the document is OpenAPI 3.1, so its schemas are JSON Schema 2020-12 ---------------------------
# jsonschema_rs is the validator schemathesis fuzzes this same document with (tests/test_fuzz_api.py): the contract
# test and the fuzzer read the schemas alike. The document is one resource; a schema is named by its JSON pointer,
# so its "#/components/..." references resolve inside the document.
DOC_URI = "urn:tcr-doctor:openapi"


@pytest.fixture(scope="module")
def registry(doc):
    return jsonschema_rs.Registry([(DOC_URI, doc)], draft=jsonschema_rs.Draft202012)


def pointer(*parts: object) -> str:
    """The JSON pointer (RFC 6901) of a place in the document: ("paths", "/api/ask") -> "/paths/~1api~1ask"."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def validate(registry, at: str, value, where: str) -> None:
    """VALUE matches the schema at pointer AT of the document; else every error, with where in VALUE it is."""
    validator = jsonschema_rs.Draft202012Validator({"$ref": f"{DOC_URI}#{at}"}, registry=registry)
    errors = [f"{pointer(*e.instance_path) or '/'}: {e.message}" for e in validator.iter_errors(value)]
    if errors:
        raise AssertionError(f"{where}:\n" + "\n".join(errors))


ASK_RESULT = pointer("components", "schemas", "AskResult")


# --- the apps the examples run against ---------------------------------------------------------------------
class FakeReport:
    def to_dict(self):
        return {
            "target": "shop.tencentcloudcr.com",
            "findings": [
                {
                    "check": "dns",
                    "status": "ok",
                    "code": "DNS_OK",
                    "summary": {"zh": "好", "en": "ok"},
                    "evidence": {"a": 1},
                    "fix": {"zh": "", "en": ""},
                    "faq": None,
                },
                {
                    "check": "http",
                    "status": "fail",
                    "code": "HTTP_X",
                    "summary": {"zh": "坏", "en": "bad"},
                    "evidence": {},
                    "fix": {"zh": "修", "en": "fix"},
                    "faq": "login-failed",
                },
            ],
            "exit_code": 1,
        }


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    base = tmp_path_factory.mktemp("openapi")

    def make(name, **cfg):
        return create_app({"DB": str(base / f"{name}.sqlite3"), "SLACK": "off", **cfg})

    normal = make(
        "normal",
        DIAGNOSE_FUNC=lambda target, **kw: FakeReport(),
        RATE_LIMIT_ASK="0",
        RATE_LIMIT_DIAGNOSE="0",
        RATE_LIMIT_FEEDBACK="0",
    )
    limited = make(
        "limited",
        RATE_LIMIT_ASK="1/60",
        RATE_LIMIT_DIAGNOSE="1/60",
        RATE_LIMIT_FEEDBACK="1/60",
        DIAGNOSE_FUNC=lambda target, **kw: FakeReport(),
    )
    tiny = make("tiny", MAX_BODY_BYTES=64)
    crash = make("crash", ASK_FUNC=_boom, DIAGNOSE_FUNC=_boom)
    crash.extensions["tcr_doctor"].storage.record_feedback = _boom
    busy = make("busy", DIAGNOSE_FUNC=lambda target, **kw: FakeReport(), DIAGNOSE_CONCURRENCY=1)
    busy.extensions["tcr_doctor"].diagnose_slots.acquire()
    token = make("token", METRICS_TOKEN="t0ken")
    real = make("real", DIAGNOSE_CHECKS="name", RATE_LIMIT_DIAGNOSE="0")  # the real engine, no network check
    return {
        "normal": normal,
        "limited": limited,
        "tiny": tiny,
        "crash": crash,
        "busy": busy,
        "token": token,
        "real": real,
    }


FEEDBACK = {"answer_id": "login-failed", "kb_version": "v1", "helpful": True}
BIG = {"q": "x" * 200}

# (app, method, path, json body, repeat) ; repeat > 1 sends the request that many times and checks the last one
EXAMPLES = [
    ("normal", "post", "/api/ask", {"q": "登录实例失败怎么办？"}, 1),
    ("normal", "post", "/api/ask", {"q": "How do I delete an image tag?", "lang": "en", "render": "html"}, 1),
    ("normal", "post", "/api/ask", {"q": "what is the airspeed of a swallow", "render": "html"}, 1),
    ("normal", "post", "/api/ask", {"q": "quota"}, 1),
    (
        "normal",
        "post",
        "/api/ask",
        {
            "q": "$ docker pull shop.tencentcloudcr.com/ns/app:1.0\nError response from daemon: "
            "pull access denied for shop.tencentcloudcr.com/ns/app, repository does not "
            "exist or may require 'docker login'",
            "render": "html",
        },
        1,
    ),
    ("normal", "post", "/api/ask", {"q": ""}, 1),
    ("normal", "post", "/api/ask", {"q": "x" * 3000}, 1),
    ("tiny", "post", "/api/ask", BIG, 1),
    ("limited", "post", "/api/ask", {"q": "hi"}, 2),
    ("crash", "post", "/api/ask", {"q": "hi"}, 1),
    ("normal", "post", "/api/diagnose", {"target": "shop.tencentcloudcr.com/ns/app:1", "render": "html"}, 1),
    ("normal", "post", "/api/diagnose", {"target": "169.254.169.254", "lang": "zh"}, 1),
    ("real", "post", "/api/diagnose", {"target": "shop.tencentcloudcr.com/NS/app:1", "render": "html"}, 1),
    ("real", "post", "/api/diagnose", {"target": "shop-tcr.tencentcloudcr.com/ns/app:1.0"}, 1),
    ("normal", "post", "/api/diagnose", {"target": 7}, 1),
    (
        "normal",
        "post",
        "/api/diagnose",
        {
            "target": "shop.tencentcloudcr.com",
            "checks": ["dns", "endpoint"],
            "cause": "DNS_NXDOMAIN",
            "also": ["DNS_TIMEOUT"],
            "render": "html",
        },
        1,
    ),
    ("normal", "post", "/api/diagnose", {"target": "10.0.0.1", "checks": ["tcp"], "cause": "TCP_TIMEOUT"}, 1),
    ("normal", "post", "/api/diagnose", {"target": "shop.tencentcloudcr.com", "checks": ["ping"]}, 1),
    ("real", "post", "/api/diagnose", {"target": "shop.tencentcloudcr.com/ns/app:1", "checks": ["name"]}, 1),
    ("normal", "post", "/api/diagnose", {"target": "a" * 600}, 1),
    ("tiny", "post", "/api/diagnose", {"target": "a" * 100}, 1),
    ("limited", "post", "/api/diagnose", {"target": "a.tencentcloudcr.com"}, 2),
    ("busy", "post", "/api/diagnose", {"target": "a.tencentcloudcr.com"}, 1),
    ("crash", "post", "/api/diagnose", {"target": "a.tencentcloudcr.com"}, 1),
    ("normal", "post", "/api/feedback", FEEDBACK, 1),
    ("normal", "post", "/api/feedback", {"helpful": 1}, 1),
    ("normal", "post", "/api/feedback", dict(FEEDBACK, answer_id="no-such-entry"), 1),
    ("tiny", "post", "/api/feedback", dict(FEEDBACK, kb_version="v" * 90), 1),
    ("limited", "post", "/api/feedback", FEEDBACK, 2),
    ("crash", "post", "/api/feedback", FEEDBACK, 1),
    ("normal", "get", "/api/openapi.json", None, 1),
    ("normal", "get", "/healthz", None, 1),
    ("normal", "get", "/metrics", None, 1),
    ("token", "get", "/metrics", None, 1),
    ("normal", "get", "/widget.js", None, 1),
    ("normal", "get", "/widget.css", None, 1),
    ("normal", "get", "/favicon.ico", None, 1),
    ("normal", "get", "/favicon.svg", None, 1),
    ("normal", "get", "/", None, 1),
]


def _rules(app):
    for rule in app.url_map.iter_rules():
        # /slack/events is Slack's (signed requests, docs/slack.md); /console is the support leads' signed-in HTML
        # console (docs/web.md), not part of the public JSON API
        if rule.endpoint == "static" or rule.rule.startswith(("/slack/", "/console")):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, method.lower()


def test_every_route_is_documented_and_every_documented_route_exists(apps, doc):
    routes = set(_rules(apps["normal"]))
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented


def test_every_documented_response_is_produced_and_matches(apps, doc, registry):
    seen: set[tuple[str, str, str]] = set()
    for app_name, method, path, body, repeat in EXAMPLES:
        client = apps[app_name].test_client()
        for _ in range(repeat):
            response = getattr(client, method)(path, json=body) if body is not None else getattr(client, method)(path)
        op = doc["paths"][path][method]
        status = str(response.status_code)
        assert status in op["responses"], f"{method.upper()} {path} answered {status}, which is not documented"
        spec = op["responses"][status]
        seen.add((path, method, status))
        content = spec.get("content", {})
        assert response.mimetype in content, f"{path} {status}: {response.mimetype} not in {list(content)}"
        if response.mimetype == "application/json":
            at = pointer("paths", path, method, "responses", status, "content", response.mimetype, "schema")
            validate(registry, at, response.get_json(), f"{method.upper()} {path} {status}")
        else:
            assert response.get_data(as_text=True)
        for header in spec.get("headers", {}):
            assert header in response.headers, f"{path} {status}: header {header} missing"
    documented = {
        (path, method, status)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        for status in op["responses"]
    }
    assert documented - seen == set(), "documented responses no example produced"


def test_served_document_is_the_file(apps, doc):
    served = apps["normal"].test_client().get("/api/openapi.json").get_json()
    assert served == doc
    assert served["openapi"].startswith("3.")


def test_ask_schema_matches_the_knowledge_answer_for_many_questions(registry):
    import knowledge

    for q in [
        "登录失败",
        "how to delete tag",
        "镜像加速",
        "xyz",
        "unauthorized: authentication required",
        "shop-tcr.tencentcloudcr.com/ns/app:1.0 pull fails with 401",
        "个人版和企业版有什么区别",
    ]:
        validate(registry, ASK_RESULT, knowledge.ask(q), q)


def test_log_schema_matches_the_pasted_log_causes(registry):
    import knowledge

    logs = [
        'Error response from daemon: Get "https://shop.tencentcloudcr.com/v2/": dial tcp: lookup '
        "shop.tencentcloudcr.com: no such host",
        "Error response from daemon: pull access denied for shop.tencentcloudcr.com/ns/app, repository does not "
        "exist or may require 'docker login': denied: requested access to the resource is denied",
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
        "x509: certificate signed by unknown authority",
        "how do I delete a tag?",
    ]
    seen = set()
    for text in logs:
        log = knowledge.explain_log(text)
        validate(registry, ASK_RESULT + pointer("properties", "log"), log, text)
        seen.add(log["cause"] if log else None)
    assert None in seen and len(seen) >= 4


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda r: r.pop("lang"), '"lang" is a required property'),
        (lambda r: r.update(status="nonsense"), "^broken:\n/status: "),
        (lambda r: r.update(diagnostics=["dns", "no-such-check"]), "^broken:\n/diagnostics/1: "),  # through a $ref
        (lambda r: r.update(matched="yes"), "^broken:\n/matched: "),
    ],
)
def test_a_result_that_breaks_the_contract_is_refused_with_where(registry, change, said):
    import knowledge

    result = knowledge.ask("unauthorized: authentication required")
    change(result)
    with pytest.raises(AssertionError, match=said):
        validate(registry, ASK_RESULT, result, "broken")


def test_diagnose_checks_rule_is_the_same_in_the_reference_and_the_schema(doc):
    """`checks: []` runs every configured check (the widget sends it for a log with no checks of its own): docs/web.md
    said only that checks 'can only narrow' the set, which read as if an empty list ran nothing."""
    row = next(
        line
        for line in (ROOT / "docs" / "web.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `POST /api/diagnose`")
    )
    schema = doc["paths"]["/api/diagnose"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    description = schema["properties"]["checks"]["description"]
    for text in (row, description):
        assert "empty or absent = every configured check" in text and "not configured to run" in text, text
        assert "is a 400" in text, text


@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        ("/api/diagnose", "target", {}),
        ("/api/feedback", "answer_id", {"kb_version": "v", "helpful": True}),
        ("/api/feedback", "kb_version", {"answer_id": "login-failed", "helpful": True}),
        ("/api/feedback", "question_id", {"answer_id": "login-failed", "kb_version": "v", "helpful": True}),
    ],
)
def test_the_documented_length_limits_are_the_enforced_ones(apps, doc, path, field, body):
    """Each maxLength the document declares is the one the handler applies: at the limit the field is accepted, one
    character more is refused (the document takes the limits from bot/api.py and diagnostics.AnonymousDiagnosis)."""
    schema = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    limit = schema["properties"][field]["maxLength"]
    client = apps["normal"].test_client()
    at_limit = client.post(path, json={**body, field: "a" * limit})
    over = client.post(path, json={**body, field: "a" * (limit + 1)})
    assert over.status_code in (400, 413) and over.get_json()["error"] in ("target_too_long", "bad_feedback")
    assert at_limit.get_json().get("error") not in ("target_too_long", "bad_feedback"), at_limit.get_json()


def test_the_served_question_limit_is_the_apps_setting(tmp_path):
    """TCR_DOCTOR_MAX_QUESTION_CHARS is a setting: an app that sets it serves that q.maxLength, and that is the limit
    it enforces (at the limit accepted, one character more a 413)."""
    app = create_app(
        {"DB": str(tmp_path / "q.sqlite3"), "SLACK": "off", "MAX_QUESTION_CHARS": "120", "RATE_LIMIT_ASK": "0"}
    )
    client = app.test_client()
    served = client.get("/api/openapi.json").get_json()
    limit = served["paths"]["/api/ask"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    limit = limit["properties"]["q"]["maxLength"]
    assert limit == 120
    assert client.post("/api/ask", json={"q": "docker login " + "a" * (limit - 13)}).status_code == 200
    over = client.post("/api/ask", json={"q": "docker login " + "a" * (limit - 12)})
    assert over.status_code == 413 and over.get_json()["error"] == "question_too_long"
