"""The token flow step by step (diagnostics.auth): a stand-in registry and token realm on loopback answer each
step the way a broken or unusual server does, and the credentials check names what went wrong."""

from __future__ import annotations

import json
import time
import urllib.parse

import jwt
import pytest

from diagnostics import DiagnoseOptions, diagnose
from tests.harness._net import LOOPBACK, QuietHandler, ServerThread, ThreadingHTTPServer
from tests.harness.token_server import make_jwt_password


class Realm:
    """/v2/ answers 401 with `challenge` (`{realm}` filled in); /token answers `token_answer` (status, JSON)."""

    def __init__(self) -> None:
        self.challenge = 'Bearer realm="{realm}",service="stand-in"'
        self.token_answer: tuple[int, object] = (200, {"token": "t"})
        self.requests: list[dict[str, str]] = []
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/v2/":
                    challenge = outer.challenge.format(realm=f"{outer.url}/token")
                    headers = {"Docker-Distribution-Api-Version": "registry/2.0", "WWW-Authenticate": challenge}
                    return self.send_body(401, "{}", "application/json", headers=headers)
                outer.requests.append({"method": "GET", **dict(urllib.parse.parse_qsl(url.query))})
                return self._token()

            def do_POST(self):
                form = self.rfile.read(int(self.headers["Content-Length"])).decode()
                outer.requests.append({"method": "POST", **dict(urllib.parse.parse_qsl(form))})
                return self._token()

            def _token(self):
                status, body = outer.token_answer
                headers = {"Retry-After": "30"} if status == 429 else {}
                return self.send_body(status, json.dumps(body), "application/json", headers=headers)

        self.running = ServerThread(ThreadingHTTPServer((LOOPBACK, 0), Handler), "token-realm").start()
        self.url = f"http://{LOOPBACK}:{self.running.server.server_address[1]}"

    def diagnose(self, **options):
        report = diagnose(f"{self.url}/ns/app:1", DiagnoseOptions(only=["credentials"], env={}, timeout=5, **options))
        return [f for f in report.findings if f.check == "credentials"]


@pytest.fixture
def realm():
    r = Realm()
    yield r
    r.running.stop()


def _token(exp: float) -> str:
    claims = {"exp": int(exp), "access": [{"type": "repository", "name": "ns/app", "actions": ["pull"]}]}
    return jwt.encode(claims, "not-a-real-secret-0123456789abcdef", algorithm="HS256")


def test_a_challenge_without_a_realm_is_reported_as_unsupported(realm):
    realm.challenge = 'Bearer service="stand-in"'
    [f] = realm.diagnose()
    assert f.code == "TOKEN_SERVER_ERROR"
    assert "unsupported challenge" in f.evidence["error"]
    assert not realm.requests  # the realm is never asked


@pytest.mark.parametrize(
    "answer, code, detail",
    [
        ((200, {"expires_in": 300}), "TOKEN_SERVER_ERROR", "the answer holds no token"),
        ((200, ["not", "an", "object"]), "TOKEN_SERVER_ERROR", "the answer holds no token"),
        ((500, {}), "TOKEN_SERVER_ERROR", "HTTP 500"),
        ((429, {}), "RATE_LIMITED", "30"),
        ((401, {}), "CREDENTIALS_INVALID", 401),
    ],
)
def test_what_the_realm_answers_names_the_failure(realm, answer, code, detail):
    realm.token_answer = answer
    [f] = realm.diagnose(username="alice", password="pw")
    assert f.code == code
    assert detail in (f.evidence.get("error"), f.evidence.get("retry_after"), f.evidence.get("status_code"))
    assert realm.requests[0]["scope"] == "repository:ns/app:pull"  # the exact scope, as docker asks it
    assert realm.requests[0]["account"] == "alice"


def test_a_token_already_expired_when_issued_is_reported_not_ok(realm):
    realm.token_answer = (200, {"token": _token(time.time() - 3600)})
    codes = [f.code for f in realm.diagnose(username="alice", password="pw")]
    assert codes == ["CREDENTIALS_EXPIRED"]


def test_a_jwt_password_that_expires_within_a_day_is_a_warning(realm):
    realm.token_answer = (200, {"token": _token(time.time() + 600)})
    findings = realm.diagnose(username="alice", password=make_jwt_password(int(time.time()) + 3600))
    assert [f.code for f in findings] == ["CREDENTIALS_OK", "CREDENTIALS_EXPIRING"]
    assert findings[0].evidence["granted"] == ["pull"]


def test_an_identity_token_is_exchanged_by_a_refresh_token_grant(realm, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {realm.url.removeprefix("http://"): {"identitytoken": "refresh-me"}}}))
    realm.token_answer = (400, {"error": "invalid_grant"})
    [f] = realm.diagnose(docker_config=str(config))
    assert f.code == "CREDENTIALS_INVALID"
    [asked] = realm.requests
    assert asked["method"] == "POST"
    assert asked["grant_type"] == "refresh_token" and asked["refresh_token"] == "refresh-me"
    assert asked["scope"] == "repository:ns/app:pull" and asked["service"] == "stand-in"
