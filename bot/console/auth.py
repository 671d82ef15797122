"""Sign-in for the console: the settings' token exchanged for a signed session cookie, and CSRF checks.

The cookie (HttpOnly, SameSite=Strict, Secure over HTTPS, Path=/console) carries {user, csrf} signed with a key
derived from the token, so every worker and host accepts it without shared state, and changing the token signs
everyone out. Every form carries the session's CSRF token; a POST without the right one is refused (403).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response  # flask's and redirect()'s responses alike

COOKIE = "tcr_console"
PRE_COOKIE = "tcr_console_pre"  # the login form's CSRF token, before there is a session
OIDC_COOKIE = "tcr_console_oidc"  # state and nonce of a Slack sign-in under way (Lax: Slack's redirect brings it)
MAX_AGE = 12 * 3600
PATH = "/console"


class Auth:
    """The console's sign-in state, kept in signed cookies: the session, the sign-in form's CSRF token and the pending
    Slack sign-in."""

    def __init__(self, token: str):
        self.token = token
        key = hmac.new(token.encode(), b"tcr-doctor console session v1", hashlib.sha256).hexdigest()
        self._serializer = URLSafeTimedSerializer(key, salt="tcr-doctor-console")

    @property
    def enabled(self) -> bool:
        """Whether the console is on (a token is configured); without one it answers 404."""
        return bool(self.token)

    def check_token(self, given: str) -> bool:
        """Whether `given` is the configured token (compared in constant time)."""
        return bool(self.token) and hmac.compare_digest(given.encode(), self.token.encode())

    def _load(self, name: str) -> dict[str, Any] | None:
        raw = request.cookies.get(name)
        if not raw or len(raw) > 4096:
            return None
        try:
            data = self._serializer.loads(raw, max_age=MAX_AGE)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def session(self) -> dict[str, Any] | None:
        """{"user", "csrf"} of a valid session cookie, else None."""
        data = self._load(COOKIE)
        if data and isinstance(data.get("user"), str) and isinstance(data.get("csrf"), str):
            return data
        return None

    def login_csrf(self) -> str:
        """The login form's CSRF token: the one in the pre-session cookie, else a new one."""
        data = self._load(PRE_COOKIE)
        csrf = data.get("csrf") if data else None
        if isinstance(csrf, str):
            return csrf
        return secrets.token_urlsafe(24)

    def keep_login_csrf(self, response: Response, csrf: str) -> None:
        """Set the cookie carrying the sign-in form's CSRF token (an hour)."""
        self._set(response, PRE_COOKIE, {"csrf": csrf}, max_age=3600)

    def keep_oidc(self, response: Response, state: str, nonce: str) -> None:
        """Set the cookie carrying a Slack sign-in's state and nonce (ten minutes; SameSite=Lax so that Slack's redirect
        back sends it)."""
        response.set_cookie(
            OIDC_COOKIE,
            self._serializer.dumps({"state": state, "nonce": nonce}),
            max_age=600,
            path=PATH,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )

    def oidc(self) -> dict[str, Any] | None:
        """The pending Slack sign-in's {state, nonce} from its cookie, or None."""
        data = self._load(OIDC_COOKIE)
        if data and isinstance(data.get("state"), str) and isinstance(data.get("nonce"), str):
            return data
        return None

    def start(self, response: Response, user: str) -> None:
        """Sign `user` in: set the session cookie with a fresh CSRF token and drop the sign-in cookies."""
        self._set(response, COOKIE, {"user": user, "csrf": secrets.token_urlsafe(24)}, max_age=MAX_AGE)
        response.delete_cookie(PRE_COOKIE, path=PATH)
        response.delete_cookie(OIDC_COOKIE, path=PATH)

    def end(self, response: Response) -> None:
        """Sign out: delete the session cookie."""
        response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="Strict")

    def _set(self, response: Response, name: str, data: dict[str, Any], *, max_age: int) -> None:
        response.set_cookie(
            name,
            self._serializer.dumps(data),
            max_age=max_age,
            path=PATH,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure,
        )


def same_origin() -> bool:
    """A browser's POST names its origin; one from another site is refused even with a token."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return origin.rstrip("/") == request.host_url.rstrip("/")
