"""/slack/events authenticates before anything parses the body (issue 9, finding 4), and no body — signed or not,
form or JSON, random bytes or near-Slack shapes — gets a 5xx. The fuzzer is a bounded hypothesis sample; the
benchmark (benchmarks/bench_hardening.py) sends thousands."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest
import slack_bolt.request.request as bolt_request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import slackgate
from tests.harness.slack_api import SlackRig, make_web_app, sign

SECRET = "test-signing-secret"


@pytest.fixture(scope="module")
def rig():
    with SlackRig(make_web_app, secret=SECRET) as rig:
        yield rig


@pytest.fixture(scope="module")
def client(rig):
    return rig.app.test_client()


@pytest.fixture
def parse_calls(monkeypatch):
    """Counts bolt's body parser calls: an unauthenticated request must never reach it."""
    calls = []
    original = bolt_request.parse_body

    def counting(body, content_type):
        calls.append(body)
        return original(body, content_type)

    monkeypatch.setattr(bolt_request, "parse_body", counting)
    return calls


def post(client, body: bytes, content_type: str, headers: dict[str, str] | None = None):
    return client.post("/slack/events", data=body, headers={"Content-Type": content_type, **(headers or {})})


def signed(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    return sign(secret, body.decode("utf-8", "surrogateescape"), timestamp) if body.isascii() else _sign_bytes(body)


def _sign_bytes(body: bytes, secret: str = SECRET) -> dict[str, str]:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


UNSIGNED_CASES = [
    (b"{not json", "application/json", {}),
    (b"payload=%7Bbroken", "application/x-www-form-urlencoded", {}),
    (b'{"type": "url_verification", "challenge": "x"}', "application/json", {"X-Slack-Request-Timestamp": "abc"}),
    (b"{}", "application/json", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"{}", "application/json", {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=zz"}),
    (b"{}", "application/json", {"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"[" * 5000 + b"]" * 5000, "application/json", {}),
]


@pytest.mark.parametrize("body,content_type,headers", UNSIGNED_CASES)
def test_unsigned_requests_are_401_without_parsing(client, parse_calls, body, content_type, headers):
    response = post(client, body, content_type, headers)
    assert response.status_code == 401, response.data
    assert response.get_json()["error"] == "unauthorized"
    assert parse_calls == []


def test_wrong_secret_and_stale_timestamp_are_401_without_parsing(client, parse_calls):
    body = b'{"type": "url_verification", "challenge": "c"}'
    assert post(client, body, "application/json", signed(body, secret="other")).status_code == 401
    stale = sign(SECRET, body.decode(), int(time.time()) - 301)
    assert post(client, body, "application/json", stale).status_code == 401
    assert parse_calls == []


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b'{"a": ' * 100 + b"1" + b"}" * 100, "application/json"),
        (b"\xff\xfe", "application/x-www-form-urlencoded"),
        (b'[{"text": "\\ud800"}]', "application/json"),  # an unpaired surrogate does not excuse another fault
    ],
)
def test_signed_unreadable_bodies_are_400(client, body, content_type):
    response = post(client, body, content_type, signed(body))
    assert response.status_code == 400, response.data
    assert response.get_json()["error"] == "bad_json"
    assert response.headers["X-Slack-No-Retry"] == "1"  # the same bytes will never be readable


@pytest.mark.parametrize(
    "body,content_type",
    [
        (
            b'{"type": "event_callback", "event": {"type": "app_mention", "text": "\\udc00 x \\ud83d"}}',
            "application/json",
        ),
        (
            b"payload="
            + urllib.parse.quote(
                '{"type": "block_actions", "actions": [{"action_id": "x", "value": "\\ud800"}]}'
            ).encode(),
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_signed_bodies_with_an_unpaired_surrogate_are_repaired_not_refused(client, parse_calls, body, content_type):
    response = post(client, body, content_type, signed(body))
    assert response.status_code in (200, 404), response.data  # read by bolt (404: no listener for action "x")
    parsed = urllib.parse.unquote_plus(parse_calls[0])  # bolt read the repaired body, not the original
    assert "\ufffd" in json.dumps(parsed, ensure_ascii=False) and "\\ud8" not in parsed and "\\udc" not in parsed
    repaired = slackgate.repair(content_type, body)
    assert slackgate.body_problem(content_type, repaired) is None


def test_signed_url_verification_still_works(client):
    body = json.dumps({"type": "url_verification", "token": "t", "challenge": "c-9"}).encode()
    response = post(client, body, "application/json", signed(body))
    assert response.status_code == 200 and response.get_json()["challenge"] == "c-9"


def test_verify_unit():
    body = b"x=1"
    headers = sign(SECRET, "x=1")
    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert slackgate.verify(SECRET, ts, sig, body)
    assert not slackgate.verify(SECRET, ts, sig, body + b" ")
    assert not slackgate.verify(SECRET, ts, sig, body, now=int(ts) + 301)
    assert not slackgate.verify("", ts, sig, body)
    assert not slackgate.verify(SECRET, None, sig, body)
    assert not slackgate.verify(SECRET, "١٢٣", sig, body)  # non-ASCII digits are not a timestamp


# -- the fuzzer: bytes and near-Slack shapes, signed and unsigned ------------------------------------------
_text = st.text(max_size=60)
_event = st.fixed_dictionaries(
    {"type": st.sampled_from(["app_mention", "message", "reaction_added", ""]), "text": _text},
    optional={
        "channel": st.one_of(st.text(max_size=12), st.integers(), st.none()),
        "ts": st.one_of(st.text(max_size=20), st.floats(allow_nan=False), st.none()),
        "user": st.one_of(st.text(max_size=12), st.none()),
        "channel_type": st.sampled_from(["im", "channel", None]),
        "subtype": st.sampled_from([None, "bot_message", "message_changed", "file_share"]),
    },
)
_json_bodies = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited", "x"])},
        optional={
            "event": st.one_of(_event, st.text(max_size=10), st.lists(st.integers(), max_size=3), st.none()),
            "event_id": st.one_of(st.text(max_size=12), st.integers()),
            "challenge": st.one_of(_text, st.integers()),
            "team_id": st.text(max_size=10),
        },
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), _text),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
        max_leaves=8,
    ),
).map(lambda value: json.dumps(value).encode())
_command = st.fixed_dictionaries(
    {"command": st.sampled_from(["/tcr", "/other", ""]), "text": _text},
    optional={"channel_id": st.text(max_size=12), "user_id": st.text(max_size=12), "trigger_id": _text},
)
_payload = st.fixed_dictionaries(
    {"type": st.sampled_from(["block_actions", "view_submission", "shortcut", "x"])},
    optional={
        "actions": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "action_id": st.sampled_from(["tcr_diagnose", "tcr_handoff", "tcr_alternative_0", "zzz"]),
                        "value": st.one_of(_text, st.none()),
                    }
                ),
                max_size=2,
            ),
            _text,
        ),
        "view": st.one_of(st.fixed_dictionaries({"callback_id": st.sampled_from(["tcr_target", "x"])}), _text),
        "user": st.one_of(st.fixed_dictionaries({"id": st.text(max_size=8)}), _text),
        "channel": st.one_of(st.fixed_dictionaries({"id": st.text(max_size=8)}), st.none()),
    },
)
_form_bodies = st.one_of(
    _command.map(lambda form: urllib.parse.urlencode(form).encode()),
    _payload.map(lambda p: urllib.parse.urlencode({"payload": json.dumps(p)}).encode()),
    st.text(max_size=80).map(lambda t: ("payload=" + urllib.parse.quote(t)).encode()),
)
_bodies = st.one_of(_json_bodies, _form_bodies, st.binary(max_size=200))
_content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "", "application/json; charset=utf-8"]
)


@settings(
    max_examples=int(__import__("os").environ.get("TCR_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_bodies, content_type=_content_types, sign_it=st.booleans())
def test_fuzz_slack_events_never_5xx(client, body, content_type, sign_it):
    headers = _sign_bytes(body) if sign_it else {}
    started = time.monotonic()
    response = post(client, body, content_type, headers)
    assert response.status_code < 500, (body, content_type, sign_it, response.data)
    assert time.monotonic() - started < 5
    if not sign_it:
        assert response.status_code == 401
    data = response.get_data()
    if data:  # JSON, or Slack's expected empty body
        json.loads(data)


@pytest.mark.parametrize(
    "body",
    [
        {"type": ["event_callback"]},
        {"type": "event_callback", "event": ""},
        {"type": "event_callback", "event": {"type": "message", "channel": 5}},
        {"type": "event_callback", "event": {"type": "app_mention"}, "authorizations": ["x"]},
    ],
)
def test_signed_bodies_slack_never_sends_are_400(client, body):
    raw = json.dumps(body).encode()
    assert post(client, raw, "application/json", signed(raw)).status_code == 400


def test_signed_interaction_without_actions_is_400(client):
    raw = urllib.parse.urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})}).encode()
    assert post(client, raw, "application/x-www-form-urlencoded", signed(raw)).status_code == 400
