"""A Docker registry token server (https://distribution.github.io/distribution/spec/auth/token/).

GET /token?service=S&scope=repository:ns/repo:pull,push[&scope=...]  with HTTP Basic auth or anonymously,
and POST /token (OAuth2 password grant, form-encoded). Issues RS256 JWTs signed with a generated RSA key.
The registry trusts the matching self-signed certificate (auth.token.rootcertbundle = TokenServer.cert_file).

distribution 2.8 (registry/auth/token/token.go, VerifySigningKey) accepts a signing key from, in order:
the `x5c` header (certificate chain verified against the root bundle), a `jwk` header, or the `kid` header
looked up among the root bundle's keys by their libtrust key ID (SHA-256 of the DER public key, truncated to
240 bits, base32, 12 groups of 4 joined by ':'). We send `kid` by default; `key_header="x5c"` switches.
Both are exercised by tests/test_harness.py.

Access granted = requested ∩ allowed, so a valid user without push gets a token whose `access` lists only pull.
Passwords are never logged or recorded; `requests_log` keeps account/scope/outcome only.
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import hashlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ._net import LOOPBACK, QuietHandler, ServerThread, ThreadingHTTPServer, assert_loopback

SERVICE = "tcr-doctor-test-registry"
ISSUER = "tcr-doctor-test-token-issuer"


def libtrust_key_id(public_key) -> str:
    """The libtrust key ID distribution 2.8 uses to look up `kid` among the root bundle's keys."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i : i + 4] for i in range(0, len(s), 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt_password(exp, key=None, subject: str = "100012345678") -> str:
    """A JWT used as a password (like TCR's temporary login tokens). EXP: unix seconds or datetime."""
    if isinstance(exp, dt.datetime):
        exp = int(exp.timestamp())
    payload = {"sub": subject, "iss": "tcr-doctor-test-console", "iat": int(exp) - 3600, "exp": int(exp)}
    if key is None:
        return jwt.encode(payload, "not-a-real-secret-0123456789abcdef", algorithm="HS256")
    return jwt.encode(payload, key, algorithm="RS256")


@dataclass
class User:
    """A token-server account. `allow` maps a repository glob (fnmatch) to the actions allowed on it."""

    name: str
    password: str
    allow: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # When set, the password is a JWT whose exp is in the past: the token server rejects it ("expired").
    password_expired: bool = False
    # When set, tokens issued to this user already expired (exp in the past): the registry rejects them.
    stale_tokens: bool = False
    catalog: bool = False  # may ask for registry:catalog:*


# Default accounts. Passwords are test fixtures, not secrets.
NOW = int(time.time())
EXPIRED_JWT_PASSWORD = make_jwt_password(NOW - 2 * 86400)  # expired two days before the test session started
VALID_JWT_PASSWORD = make_jwt_password(NOW + 30 * 86400)

PUBLIC_NAMESPACES = ("public/*",)
ANONYMOUS_ALLOW = {"public/*": ("pull",)}


def default_users() -> dict[str, User]:
    users = [
        User("admin", "admin-pass", {"*": ("pull", "push", "delete", "*")}, catalog=True),
        User("alice", "alice-pass", {"team/*": ("pull", "push"), "public/*": ("pull",)}),  # pull+push on team/*
        User("bob", "bob-pass", {"team/*": ("pull",), "public/*": ("pull",)}),  # pull only
        User("carol", "carol-pass", {"other/*": ("pull", "push"), "public/*": ("pull",)}),  # nothing on team/*
        # TCR-style temporary login token as password, still valid:
        User("100012345678", VALID_JWT_PASSWORD, {"team/*": ("pull", "push"), "public/*": ("pull",)}),
        # same, but the JWT password's exp is in the past: the token server rejects it (401, "expired")
        User("100087654321", EXPIRED_JWT_PASSWORD, {"team/*": ("pull", "push")}, password_expired=True),
        # correct password, but the registry tokens it gets are already expired (registry answers 401 invalid_token)
        User("stale", "stale-pass", {"team/*": ("pull", "push")}, stale_tokens=True),
    ]
    return {u.name: u for u in users}


def parse_scope(scope: str) -> tuple[str, str, list[str]] | None:
    """'repository:ns/repo:pull,push' -> ('repository', 'ns/repo', ['pull', 'push'])."""
    first = scope.find(":")
    last = scope.rfind(":")
    if first <= 0 or last == first:
        return None
    typ, name, actions = scope[:first], scope[first + 1 : last], scope[last + 1 :]
    return typ, name, [a for a in actions.split(",") if a]


class TokenServer:
    """In-process token server on 127.0.0.1:<free port>. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        users: dict[str, User] | None = None,
        *,
        service: str = SERVICE,
        issuer: str = ISSUER,
        anonymous: dict[str, tuple[str, ...]] | None = None,
        expires_in: int = 300,
        key_header: str = "kid",
        host: str = LOOPBACK,
        workdir=None,
    ):
        assert_loopback(host)
        if key_header not in ("kid", "x5c"):
            raise ValueError("key_header must be 'kid' or 'x5c'")
        self.users = default_users() if users is None else dict(users)
        self.service = service
        self.issuer = issuer
        self.anonymous = dict(ANONYMOUS_ALLOW if anonymous is None else anonymous)
        self.expires_in = expires_in
        self.key_header = key_header
        self.host = host
        self.requests_log: list[dict] = []  # {"method","account","scopes","granted","status","reason"}; never passwords
        self._lock = threading.Lock()
        self._make_key()
        self.workdir = workdir
        self.cert_file = None
        if workdir is not None:
            self.write_cert(workdir)
        self._thread: ServerThread | None = None
        self.port: int | None = None

    # ---- key material -------------------------------------------------------------------------------------
    def _make_key(self):
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tcr-doctor test token signer")])
        now = dt.datetime.now(dt.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.private_key, hashes.SHA256())
        )
        self.key_id = libtrust_key_id(self.private_key.public_key())
        self.cert_pem = self.certificate.public_bytes(serialization.Encoding.PEM)
        self._x5c = [base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()]

    def write_cert(self, directory) -> str:
        import pathlib

        path = pathlib.Path(directory) / "token-signer.pem"
        path.write_bytes(self.cert_pem)
        self.cert_file = str(path)
        return self.cert_file

    # ---- tokens -------------------------------------------------------------------------------------------
    def allowed_actions(self, user: User | None, typ: str, name: str) -> list[str]:
        if typ == "registry" and name == "catalog":
            return ["*"] if (user is not None and user.catalog) else []
        if typ != "repository":
            return []
        rules = self.anonymous if user is None else user.allow
        out: list[str] = []
        for pattern, actions in rules.items():
            if fnmatch.fnmatchcase(name, pattern):
                for a in actions:
                    if a not in out:
                        out.append(a)
        return out

    def grant(self, user: User | None, scopes: list[str]) -> list[dict]:
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if parsed is None:
                continue
            typ, name, requested = parsed
            allowed = self.allowed_actions(user, typ, name)
            granted = [a for a in requested if a in allowed or ("*" in allowed and typ == "registry")]
            if "*" in allowed and typ == "repository":
                granted = list(requested)
            access.append({"type": typ, "name": name, "actions": granted})
        return access

    def issue(self, subject: str, access: list[dict], *, expired: bool = False, service: str | None = None) -> dict:
        now = int(time.time())
        exp = now - 3600 if expired else now + self.expires_in
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": service or self.service,
            "exp": exp,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        headers = {"kid": self.key_id} if self.key_header == "kid" else {"x5c": self._x5c}
        token = jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)
        issued_at = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "token": token,
            "access_token": token,
            "expires_in": exp - now if not expired else 0,
            "issued_at": issued_at,
        }

    def authenticate(self, username: str | None, password: str | None) -> tuple[User | None, str | None]:
        """-> (user or None for anonymous, error reason or None)."""
        if username is None:
            return None, None
        user = self.users.get(username)
        if user is None or not secrets.compare_digest(user.password.encode(), (password or "").encode()):
            return None, "invalid username or password"
        if user.password_expired:
            return None, "login token expired"
        return user, None

    def token_for(self, username: str | None, password: str | None, scopes: list[str]) -> dict:
        """Programmatic token (no HTTP). Raises PermissionError on bad credentials."""
        user, err = self.authenticate(username, password)
        if err:
            raise PermissionError(err)
        return self.issue(user.name if user else "", self.grant(user, scopes), expired=bool(user and user.stale_tokens))

    # ---- HTTP ---------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def realm(self) -> str:
        return f"{self.url}/token"

    def _record(self, **entry):
        with self._lock:
            self.requests_log.append(entry)

    def start(self) -> TokenServer:
        server = ThreadingHTTPServer((self.host, 0), _TokenHandler)
        server.token_server = self  # what the handler answers for
        self.port = server.server_address[1]
        self._thread = ServerThread(server, "token-server").start()
        return self

    def stop(self):
        if self._thread:
            self._thread.stop()
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _TokenHandler(QuietHandler):
    """/token, as a distribution token server answers it: GET with Basic auth, or the OAuth2 password grant by POST;
    then the token flow: the service named, the account authenticated, the scopes granted, a token issued."""

    server: ThreadingHTTPServer

    def do_GET(self):
        u = urlsplit(self.path)
        if u.path != "/token":
            return self._not_found()
        username, password = self._basic()
        return self._token(parse_qs(u.query), username, password, "GET")

    def do_POST(self):
        u = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if u.path != "/token":
            return self._not_found()
        form = parse_qs(data)
        if (form.get("grant_type") or [""])[0] != "password":
            return self._reply(400, {"error": "unsupported_grant_type"})
        username = (form.get("username") or [None])[0]
        password = (form.get("password") or [""])[0]
        return self._token(form, username, password, "POST")

    def _token(self, params: dict[str, list[str]], username, password, method):
        ts: TokenServer = self.server.token_server
        scopes = [s for scope in params.get("scope", []) for s in scope.split(" ") if s]  # OAuth2: space-separated
        service = (params.get("service") or [None])[0]
        if service is not None and service != ts.service:
            ts._record(
                method=method, account=username, scopes=scopes, granted=None, status=400, reason="unknown service"
            )
            return self._reply(400, {"errors": [{"code": "DENIED", "message": f"unknown service {service!r}"}]})
        user, err = ts.authenticate(username, password)
        if err:
            ts._record(method=method, account=username, scopes=scopes, granted=None, status=401, reason=err)
            challenge = {"WWW-Authenticate": f'Basic realm="{ts.realm}"'}
            return self._reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": err}]}, challenge)
        access = ts.grant(user, scopes)
        body = ts.issue(user.name if user else "", access, expired=bool(user and user.stale_tokens))
        ts._record(method=method, account=username, scopes=scopes, granted=access, status=200, reason=None)
        return self._reply(200, body)

    def _basic(self):
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None, None
        try:
            raw = base64.b64decode(h[6:].strip(), validate=True).decode("utf-8")
        except Exception:  # noqa: BLE001
            return "", ""
        name, _, pw = raw.partition(":")
        return name, pw

    def _reply(self, status, obj, headers=None):
        self.send_body(status, json.dumps(obj), "application/json", headers)

    def _not_found(self):
        return self._reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
