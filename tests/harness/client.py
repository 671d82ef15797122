"""A minimal registry v2 client (requests) doing the real Bearer token flow. Used for seeding and by tests.

    c = RegistryClient(registry.url, username="alice", password="alice-pass", verify=registry.verify)
    c.get("/v2/team/app/tags/list", scope="repository:team/app:pull")

It answers the 401 challenge from WWW-Authenticate (realm/service/scope), caches tokens per scope and never
logs credentials. Every request has a timeout.
"""

from __future__ import annotations

import re

import requests

_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """'Bearer realm="...",service="...",scope="..."' -> ('bearer', {...})."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(_PARAM.findall(rest))


class RegistryClient:
    def __init__(
        self, url: str, username: str | None = None, password: str | None = None, *, verify=True, timeout: float = 5.0
    ):
        self.url = url.rstrip("/")
        self._auth = (username, password) if username is not None else None
        self.verify = verify
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # never route loopback traffic through a proxy from the environment
        self._tokens: dict[str, str] = {}
        self.last_token_response: dict | None = None

    def clone(self) -> RegistryClient:
        """A new client (own session and token cache) with the same URL, credentials and settings."""
        user, pw = self._auth if self._auth else (None, None)
        return RegistryClient(self.url, user, pw, verify=self.verify, timeout=self.timeout)

    def fetch_token(self, realm: str, service: str | None, scope: str | None) -> requests.Response:
        params = {}
        if service:
            params["service"] = service
        if scope:
            params["scope"] = scope
        return self.session.get(realm, params=params, auth=self._auth, timeout=self.timeout)

    def request(self, method: str, path: str, *, scope: str | None = None, **kw) -> requests.Response:
        kw.setdefault("timeout", self.timeout)
        kw.setdefault("verify", self.verify)
        kw.setdefault("allow_redirects", False)
        url = path if path.startswith("http") else self.url + path
        headers = dict(kw.pop("headers", None) or {})
        key = scope or ""
        if key in self._tokens:
            headers["Authorization"] = "Bearer " + self._tokens[key]
        r = self.session.request(method, url, headers=headers, **kw)
        if r.status_code != 401 or "Authorization" in headers:
            return r
        scheme, params = parse_challenge(r.headers.get("WWW-Authenticate", ""))
        if scheme != "bearer" or "realm" not in params:
            return r
        tr = self.fetch_token(params["realm"], params.get("service"), scope or params.get("scope"))
        if tr.status_code != 200:
            return r
        self.last_token_response = tr.json()
        token = self.last_token_response.get("token") or self.last_token_response.get("access_token")
        self._tokens[key] = token
        headers["Authorization"] = "Bearer " + token
        if hasattr(kw.get("data"), "seek"):
            kw["data"].seek(0)
        return self.session.request(method, url, headers=headers, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def close(self):
        self.session.close()
