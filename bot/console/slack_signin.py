""" "Sign in with Slack" for the console: OpenID Connect (authorization code flow) against the Slack app.

    GET /console/login/slack            -> 303 to Slack's authorize page (state and nonce in a signed cookie)
    GET /console/login/slack/callback   <- Slack's redirect: the code is exchanged at openid.connect.token, the
                                           id_token verified (RS256 against Slack's published keys, issuer,
                                           audience = the app's client id, nonce, expiry) and the workspace
                                           checked against TCR_DOCTOR_CONSOLE_SLACK_TEAM.

Offered only when the Slack app's client id and secret and the allowed workspace are configured.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("tcr_doctor.console")

ISSUER = "https://slack.com"
TEAM_CLAIM = "https://slack.com/team_id"
TIMEOUT = 10.0


class SignInError(Exception):
    """Slack did not vouch for a member of the allowed workspace; the message is safe to log (no token)."""


class SlackSignIn:
    """Sign-in with Slack (OpenID Connect) for the console, against the app's client id and secret and limited to one
    workspace."""

    def __init__(self, *, client_id: str, client_secret: str, team: str, base_url: str = "https://slack.com"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.team = team
        if urllib.parse.urlsplit(base_url).scheme not in ("https", "http"):
            # the token exchange sends the client secret there: never to file: or a custom scheme
            raise ValueError(f"the Slack sign-in base URL must be an http(s) URL, not {base_url!r}")
        self.base = base_url.rstrip("/")
        self._jwks: Any = None  # jwt.PyJWKClient, made on first use (importing jwt costs start-up)

    @classmethod
    def from_settings(cls, cfg: Settings) -> SlackSignIn | None:
        """The sign-in for the settings, or None when the client id, the secret or the allowed workspace is missing."""
        if not (cfg.slack_client_id and cfg.slack_client_secret and cfg.console_slack_team):
            return None
        return cls(
            client_id=cfg.slack_client_id,
            client_secret=cfg.slack_client_secret,
            team=cfg.console_slack_team,
            base_url=cfg.slack_oidc_base_url or "https://slack.com",
        )

    def authorize_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        """Slack's authorize URL for this sign-in (openid profile, the workspace preselected)."""
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "scope": "openid profile",
                "client_id": self.client_id,
                "state": state,
                "nonce": nonce,
                "redirect_uri": redirect_uri,
                "team": self.team,
            }
        )
        return f"{self.base}/openid/connect/authorize?{query}"

    @staticmethod
    def new_state() -> tuple[str, str]:
        """A fresh (state, nonce) pair for one sign-in."""
        return secrets.token_urlsafe(24), secrets.token_urlsafe(24)

    def exchange(self, code: str, redirect_uri: str, nonce: str) -> dict[str, Any]:
        """The verified id_token claims for `code`; SignInError when anything does not hold."""
        body = urllib.parse.urlencode(
            {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "code": code,
                "redirect_uri": redirect_uri,
                "grant_type": "authorization_code",
            }
        ).encode()
        req = urllib.request.Request(  # noqa: S310 - self.base is http(s), checked in __init__
            f"{self.base}/api/openid.connect.token",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 - req's URL is self.base's
                data = json.loads(resp.read(1_000_000))
        except (OSError, ValueError) as exc:
            raise SignInError(f"token exchange failed ({type(exc).__name__})") from None
        if not isinstance(data, dict) or not data.get("ok") or not isinstance(data.get("id_token"), str):
            raise SignInError(f"token exchange refused ({(data or {}).get('error', 'no id_token')})")
        return self.verify(data["id_token"], nonce)

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The id_token's claims once its RS256 signature (Slack's published keys), issuer, audience, expiry, nonce and
        workspace check out; SignInError otherwise."""
        import jwt  # PyJWT (and cryptography under it): only a Slack sign-in verifies an ID token

        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(f"{self.base}/openid/connect/keys", cache_keys=True, timeout=TIMEOUT)
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token)
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise SignInError(f"id_token rejected ({type(exc).__name__})") from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SignInError("id_token nonce does not match")
        if claims.get(TEAM_CLAIM) != self.team:
            raise SignInError("member of another workspace")
        return claims

    @staticmethod
    def user_name(claims: dict[str, Any]) -> str:
        """How the audit trail names a Slack user: the name (else the email or subject) and the Slack user id."""
        name = claims.get("name") or claims.get("email") or claims.get("sub")
        return f"{' '.join(str(name).split())[:80]} (Slack {claims.get('sub', '?')})"
