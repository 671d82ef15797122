""" "Sign in with Slack" (OpenID Connect) against a local stand-in that speaks Slack's protocol: the authorize
redirect, `openid.connect.token` (form POST, {"ok": ..., "id_token": ...}) and the published keys (JWKS), with
id_tokens signed RS256 by a key the stand-in generates."""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.parse

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.web import create_app
from tests.harness._net import LOOPBACK, QuietHandler, ServerThread, ThreadingHTTPServer

CLIENT_ID = "1234.5678"
CLIENT_SECRET = "stand-in-client-secret"
TEAM = "T0TEAM"


class SlackOIDC:
    """Slack's OpenID Connect endpoints on 127.0.0.1: approve every authorize request as `user`."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "stand-in-1"
        self.codes: dict[str, dict] = {}
        self.user = {"sub": "U0LEAD", "name": "Mei Lead", "team": TEAM}
        self.tamper: str | None = None  # "aud", "iss", "exp", "nonce", "signature", "team"
        self.token_calls = 0
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/openid/connect/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._json(400, {"ok": False, "error": "invalid_client_id"})
                    code = secrets.token_hex(8)
                    outer.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"]}
                    target = (
                        query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    )
                    return self.send_body(302, "", headers={"Location": target})
                if url.path == "/openid/connect/keys":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(outer.key.public_key()))
                    jwk.update(kid=outer.kid, alg="RS256", use="sig")
                    return self._json(200, {"keys": [jwk]})
                return self._json(404, {"ok": False})

            def do_POST(self):
                if self.path != "/api/openid.connect.token":
                    return self._json(404, {"ok": False})
                outer.token_calls += 1
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                grant = outer.codes.pop(form.get("code", ""), None)
                if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                    return self._json(200, {"ok": False, "error": "invalid_client"})
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json(200, {"ok": False, "error": "invalid_code"})
                return self._json(200, {"ok": True, "access_token": "xoxp-stand-in", "id_token": outer.id_token(grant)})

            def _json(self, status, body):
                self.send_body(status, json.dumps(body), "application/json")

        self.running = ServerThread(ThreadingHTTPServer((LOOPBACK, 0), Handler), "slack-oidc").start()
        self.url = f"http://{LOOPBACK}:{self.running.server.server_address[1]}"

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://slack.com",
            "sub": self.user["sub"],
            "aud": CLIENT_ID,
            "exp": now + 600,
            "iat": now,
            "auth_time": now,
            "nonce": grant["nonce"],
            "https://slack.com/team_id": self.user["team"],
            "https://slack.com/user_id": self.user["sub"],
            "name": self.user["name"],
        }
        key = self.key
        if self.tamper == "aud":
            claims["aud"] = "another-app"
        elif self.tamper == "iss":
            claims["iss"] = "https://evil.example"
        elif self.tamper == "exp":
            claims["exp"], claims["iat"] = now - 3600, now - 7200
        elif self.tamper == "nonce":
            claims["nonce"] = "replayed"
        elif self.tamper == "team":
            claims["https://slack.com/team_id"] = "T0OTHER"
        elif self.tamper == "signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    def stop(self):
        self.running.stop()


@pytest.fixture(scope="module")
def slack():
    stand_in = SlackOIDC()
    yield stand_in
    stand_in.stop()


def app_for(tmp_path, slack, **extra):
    config = {
        "DB": str(tmp_path / "s.sqlite3"),
        "SLACK": "off",
        "CONSOLE_TOKEN": "console-token",
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "CONSOLE_SLACK_TEAM": TEAM,
        "SLACK_OIDC_BASE_URL": slack.url,
    }
    config.update(extra)
    return create_app(config).test_client()


def slack_round_trip(client, slack):
    """The browser's part: start, follow Slack's approval back to the callback. Returns the callback response."""
    start = client.get("/console/login/slack")
    assert start.status_code == 303
    authorize = start.headers["Location"]
    assert authorize.startswith(slack.url + "/openid/connect/authorize?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    assert query["scope"] == "openid profile" and query["team"] == TEAM and query["nonce"] and query["state"]
    approved = requests.get(authorize, allow_redirects=False, timeout=10)
    callback = urllib.parse.urlsplit(approved.headers["Location"])
    assert callback.path == "/console/login/slack/callback"
    return client.get(f"{callback.path}?{callback.query}")


def test_the_button_is_offered_only_when_the_slack_app_is_configured(tmp_path, slack):
    with_slack = app_for(tmp_path, slack).get("/console/login").text
    assert 'href="/console/login/slack"' in with_slack and "Sign in with Slack" in with_slack
    without = app_for(tmp_path, slack, SLACK_CLIENT_SECRET="").get("/console/login")
    assert "/console/login/slack" not in without.text
    assert app_for(tmp_path, slack, SLACK_CLIENT_SECRET="").get("/console/login/slack").status_code == 404


def test_sign_in_with_slack_gives_a_session_named_after_the_user(tmp_path, slack):
    slack.tamper = None
    client = app_for(tmp_path, slack)
    done = slack_round_trip(client, slack)
    assert done.status_code == 200 and 'content="0;url=/console"' in done.text
    cookie = next(c for c in done.headers.getlist("Set-Cookie") if c.startswith("tcr_console="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = client.get("/console")
    assert page.status_code == 200 and "Mei Lead (Slack U0LEAD)" in page.text


@pytest.mark.parametrize("tamper", ["aud", "iss", "exp", "nonce", "signature", "team"])
def test_an_id_token_that_does_not_hold_gives_no_session(tmp_path, slack, tamper):
    slack.tamper = tamper
    try:
        client = app_for(tmp_path, slack)
        done = slack_round_trip(client, slack)
        assert done.status_code == 401
        assert not [c for c in done.headers.getlist("Set-Cookie") if c.startswith("tcr_console=")]
        assert client.get("/console").status_code == 303
    finally:
        slack.tamper = None


def test_a_callback_without_the_matching_state_is_refused(tmp_path, slack):
    client = app_for(tmp_path, slack)
    start = client.get("/console/login/slack")
    authorize = start.headers["Location"]
    approved = requests.get(authorize, allow_redirects=False, timeout=10)
    callback = urllib.parse.urlsplit(approved.headers["Location"])
    forged = re.sub(r"state=[^&]+", "state=forged", callback.query)
    calls = slack.token_calls
    assert client.get(f"{callback.path}?{forged}").status_code == 403
    assert slack.token_calls == calls  # the code was never exchanged
    # another browser (no state cookie) cannot use the callback either
    other = app_for(tmp_path, slack)
    assert other.get(f"{callback.path}?{callback.query}").status_code == 403


@pytest.mark.parametrize("base_url", ["file:///etc", "ftp://slack.example", "slack.com", "gopher://x"])
def test_the_sign_in_base_url_must_be_http(base_url):
    # The token exchange sends the client secret to this URL: a typo or a custom scheme is a clear error at start-up.
    from bot.console.slack_signin import SlackSignIn

    with pytest.raises(ValueError, match="http"):
        SlackSignIn(client_id="c", client_secret="s", team="T1", base_url=base_url)
    assert SlackSignIn(client_id="c", client_secret="s", team="T1", base_url="https://slack.com/").base == (
        "https://slack.com"
    )
