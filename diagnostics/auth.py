"""Registry authentication: the WWW-Authenticate challenge, where credentials come from, the token request.

Credentials are used for the requests and never put in a finding, a log line or an exception message.
"""

from __future__ import annotations

import base64
import errno
import json
import os
import re
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from . import net
from .findings import TIMED_OUT, Finding, Said, Unavailable, finding
from .reference import DEFAULT_DOMAIN, DOCKER_HUB_DOMAINS, DOCKER_HUB_INDEX, DOCKER_HUB_REGISTRY, LEGACY_DEFAULT_DOMAIN
from .value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context hands itself in; it imports this module
    from pathlib import Path
    from typing import Any

    from .context import Context, DiagnoseOptions
    from .transport import Response

CHECK = "credentials"
EXPIRING_WITHIN = 24 * 3600
MAX_CONFIG_BYTES = 4 << 20  # a docker config larger than this is not read
HELPER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


# ------------------------------------------------------------------------------------------------ challenge
def parse_challenge(header: str | None) -> tuple[str, dict[str, str]]:
    """'Bearer realm="...",service="...",scope="..."' -> ("bearer", {realm, service, scope})."""
    if not header:
        return "", {}
    scheme, _, rest = header.strip().partition(" ")
    params = {}
    # a name is tried where a run of name characters starts (from each of its characters, a registry's 65,536-character
    # header line took minutes)
    for m in re.finditer(
        r'(?<![A-Za-z0-9_-])[0-9-]*+([A-Za-z_][A-Za-z0-9_-]*+)\s*+=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', rest
    ):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return scheme.lower(), params


# ------------------------------------------------------------------------------------------------ JWT
def jwt_claims(value: str | None) -> dict[str, Any] | None:
    """The payload of a JWT (not verified: we only read `exp` and `access`), or None."""
    if not value or value.count(".") != 2 or len(value) > 16384:
        return None
    try:
        payload = value.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
        return claims if isinstance(claims, dict) else None
    except Exception:  # noqa: BLE001
        return None


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _span(seconds: float) -> str:
    s = int(abs(seconds))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return (
        (f"{d}d" if d else "")
        + (f"{h}h" if h else "")
        + (f"{m}m" if m and not d else "")
        + (f"{s}s" if not (d or h or m) else "")
    )


# ------------------------------------------------------------------------------------------------ credentials
class Credentials(Record):
    """Credentials for a registry, and where they were found (the secret never in repr). The types of the token flow
    are plain classes, not dataclasses: see diagnostics.findings.Finding."""

    def __init__(
        self, username: str | None, password: str | None = None, identity_token: str | None = None, source: str = "-"
    ) -> None:
        self.username = username
        self.password = password
        self.identity_token = identity_token
        self.source = source

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, source={self.source!r})"


def _config_path(options: DiagnoseOptions, env: Mapping[str, str]) -> Path:
    """The docker config file: --docker-config, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json."""
    from pathlib import Path  # here: a diagnosis given --username never reads the config (~6 M instructions)

    if options.docker_config:
        return docker_config_file(options.docker_config)
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]).expanduser() / "config.json"
    return Path(env.get("HOME") or Path.home()) / ".docker" / "config.json"


def _keys_for(registry: str, host: str) -> list[str]:
    if registry in DOCKER_HUB_DOMAINS or host == DOCKER_HUB_REGISTRY:
        return [
            DOCKER_HUB_INDEX,
            LEGACY_DEFAULT_DOMAIN,
            DEFAULT_DOMAIN,
            DOCKER_HUB_REGISTRY,
            DOCKER_HUB_INDEX.rstrip("/"),
        ]
    return [
        registry,
        f"https://{registry}",
        f"http://{registry}",
        f"https://{registry}/v1/",
        f"https://{registry}/v2/",
        f"{registry}/",
    ]


def _run_helper(
    helper: str, server: str, deadline: net.Deadline, env: Mapping[str, str]
) -> tuple[Credentials | None, str | None]:
    """Ask `docker-credential-HELPER get` for SERVER: (credentials, None) or (None, why not)."""
    if not HELPER_NAME_RE.match(helper):
        return None, "invalid helper name"
    # imported here: only a docker config naming a helper needs it, and the import (with signal and selectors) is
    # 2-3 ms of every diagnosis that checks credentials (python -X importtime)
    import subprocess

    try:
        proc = subprocess.run(
            [f"docker-credential-{helper}", "get"],
            input=server.encode(),
            capture_output=True,
            timeout=deadline.timeout(5.0),
            env=dict(env),
        )
    except FileNotFoundError:
        return None, "not installed (not on PATH)"
    except subprocess.TimeoutExpired:
        return None, "timed out"
    except (net.DeadlineExceeded, OSError) as exc:
        return None, type(exc).__name__
    if proc.returncode != 0:
        msg = proc.stdout.decode("utf-8", "replace").strip().splitlines()[:1]
        return None, (msg[0][:200] if msg else f"exit status {proc.returncode}")
    try:
        data = json.loads(proc.stdout.decode("utf-8"))
        user, secret = data.get("Username"), data.get("Secret")
    except Exception:  # noqa: BLE001
        return None, "unreadable output"
    if not secret:
        return None, "no credentials stored"
    if user == "<token>":
        return Credentials(None, identity_token=secret, source=f"docker-credential-{helper}"), None
    return Credentials(user, secret, source=f"docker-credential-{helper}"), None


def lookup_credentials(ctx: Context) -> tuple[Credentials | None, list[Finding]]:
    """The credentials docker would use for the target, and warnings about helpers that failed: --username, then
    the docker config's credHelpers entry, its credsStore, its auths (the order docker reads them in)."""
    opts = ctx.options
    if opts.username:
        return Credentials(opts.username, opts.password or "", source="--username"), []
    env = opts.env if opts.env is not None else os.environ
    path = _config_path(opts, env)
    cfg = _read_config(path)
    if cfg is None:
        return None, []
    t = ctx.target
    keys = _keys_for(t.registry or t.hostport, t.host or "")
    warnings: list[Finding] = []
    for source in (_from_cred_helper, _from_creds_store):
        creds = source(cfg, keys, ctx, env, warnings)
        if creds:
            return creds, warnings
    return _from_auths(cfg, keys, path), warnings


def docker_config_file(given: str) -> Path:
    """The file a --docker-config names: the path itself, or the config.json in it when it is a directory (as
    docker's --config DIR)."""
    from pathlib import Path  # (see _config_path)

    p = Path(given).expanduser()
    return p / "config.json" if p.is_dir() else p


def read_docker_config(path: Path | str) -> dict[str, Any]:
    """The docker config at PATH (a file: docker_config_file); an empty file is an empty config, as docker reads it.
    Raises OSError when it cannot be read (EFBIG over 4 MiB), UnicodeDecodeError when it is not UTF-8,
    json.JSONDecodeError when it is not JSON, and ValueError when it is JSON but not an object."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size > MAX_CONFIG_BYTES:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), str(path))
        text = fh.read().decode("utf-8")
    cfg = json.loads(text) if text.strip() else {}
    if not isinstance(cfg, dict):
        raise ValueError(f"a JSON {type(cfg).__name__}, not an object")
    return cfg


def _read_config(path: Path) -> dict[str, Any] | None:
    """The docker config at PATH, or None when it is missing, unreadable, over 4 MiB or not a JSON object."""
    try:
        return read_docker_config(path)
    except (OSError, ValueError):
        return None


def _from_cred_helper(
    cfg: dict[str, Any], keys: list[str], ctx: Context, env: Mapping[str, str], warnings: list[Finding]
) -> Credentials | None:
    """The credHelpers entry for the first key that has one (its failure is a warning)."""
    helpers = cfg.get("credHelpers") or {}
    key = next((k for k in keys if isinstance(helpers, dict) and k in helpers), None)
    if key is None:
        return None
    helper = str(helpers[key])
    creds, err = _run_helper(helper, key, ctx.deadline, env)
    if not creds:
        registry = ctx.target.registry
        warnings.append(finding(CHECK, "CREDENTIALS_HELPER_ERROR", helper=helper, registry=registry, error=err))
    return creds


def _from_creds_store(
    cfg: dict[str, Any], keys: list[str], ctx: Context, env: Mapping[str, str], warnings: list[Finding]
) -> Credentials | None:
    """The credsStore's answer for the registry (its failure is a warning unless auths has an entry)."""
    store = cfg.get("credsStore")
    if not isinstance(store, str) or not store:
        return None
    creds, err = _run_helper(store, keys[0], ctx.deadline, env)
    auths = cfg.get("auths")
    in_auths = isinstance(auths, dict) and any(k in auths for k in keys)
    if not creds and err != "no credentials stored" and not in_auths:
        registry = ctx.target.registry
        warnings.append(finding(CHECK, "CREDENTIALS_HELPER_ERROR", helper=store, registry=registry, error=err))
    return creds


def _from_auths(cfg: dict[str, Any], keys: list[str], path: Path) -> Credentials | None:
    """The first usable `auths` entry: an identity token, or a username and password (`auth` is base64)."""
    auths = cfg.get("auths") or {}
    if not isinstance(auths, dict):
        return None
    for k in keys:
        entry = auths.get(k)
        if not isinstance(entry, dict):
            continue
        if entry.get("identitytoken"):
            return Credentials(entry.get("username"), identity_token=entry["identitytoken"], source=f"{path} (auths)")
        user, pw = entry.get("username"), entry.get("password")
        if entry.get("auth"):
            try:
                user, _, pw = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
            except Exception:  # noqa: BLE001 - an unreadable entry is skipped, as docker does
                continue
        if user:
            return Credentials(user, pw or "", source=f"{path} (auths)")
    return None


# ------------------------------------------------------------------------------------------------ token
class AuthResult(Record):
    """What the token flow found: the challenge, the scope asked, the actions granted, the header for later
    requests, and the findings."""

    def __init__(self, wanted: list[str] | None = None) -> None:
        self.scheme = "none"  # none | bearer | basic
        self.realm: str | None = None
        self.service: str | None = None
        self.scope: str | None = None
        self.wanted: list[str] = [] if wanted is None else wanted
        self.granted: list[str] | None = None
        self.username: str | None = None
        self.source = "anonymous"
        self.header: str | None = None  # Authorization header for later requests (never in repr)
        self.findings: list[Finding] = []

    def __repr__(self) -> str:
        shown = {k: v for k, v in vars(self).items() if k != "header"}
        return f"AuthResult({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @property
    def failed(self) -> Finding | None:
        """The first failing finding that blocks the image check (None when it can go on)."""
        return next((f for f in self.findings if f.status == "fail" and f.evidence.get("blocking", True)), None)


def _granted(claims: dict[str, Any] | None, repository: str | None) -> list[str] | None:
    """The actions a token grants on REPOSITORY (`*` counts as pull and push); None when it does not say."""
    if not claims or "access" not in claims:
        return None
    acts: set[str] = set()
    for a in claims.get("access") or []:
        if (
            isinstance(a, dict)
            and a.get("type") == "repository"
            and (repository is None or a.get("name") == repository)
        ):
            acts.update(str(x) for x in a.get("actions") or [])
    if "*" in acts:
        acts.update({"pull", "push"})
    return sorted(acts)


def authenticate(ctx: Context) -> AuthResult:
    """The token flow as docker runs it: ping /v2/, read the challenge, ask the realm for the exact scope, read
    the granted actions, then give the verdict. Every outcome is a finding in the result."""
    ping = ctx.require_v2()
    flow = _Flow.begin(ctx)
    if ping.status == 200:
        flow.add("AUTH_NOT_REQUIRED")
        return flow.result
    scheme, params = parse_challenge(ping.header("www-authenticate"))
    flow.use(*lookup_credentials(ctx))
    if scheme == "basic":
        _basic_login(ctx, flow)
    elif scheme == "bearer" and params.get("realm"):
        _token_flow(ctx, flow, params)
    else:
        challenge = ping.header("www-authenticate")
        error = Said(f"unsupported challenge {challenge!r}", f"不支持的认证质询 {challenge!r}")
        flow.add("TOKEN_SERVER_ERROR", realm="-", error=error)
    return flow.result


class _Flow:
    """What one authentication knows so far: the target, the credentials found, the evidence every finding
    carries, and the result being built."""

    def __init__(self, base_url: str, repository: str | None, result: AuthResult, evidence: dict[str, Any]) -> None:
        self.base_url = base_url
        self.repository = repository
        self.result = result
        self.evidence = evidence
        self.creds: Credentials | None = None
        self.secret_exp: float | None = None  # `exp` of a password or identity token that is itself a JWT
        self.now = time.time()

    @classmethod
    def begin(cls, ctx: Context) -> _Flow:
        """A flow for the target, wanting pull (and push with --push)."""
        t = ctx.target
        result = AuthResult(wanted=["pull"] + (["push"] if ctx.options.push else []))
        evidence: dict[str, Any] = {"registry": t.registry, "repository": t.repository or "-"}
        return cls(base_url=t.base_url, repository=t.repository, result=result, evidence=evidence)

    def use(self, creds: Credentials | None, warnings: list[Finding]) -> None:
        """Take the credentials lookup_credentials found (and its warnings)."""
        self.result.findings.extend(warnings)
        self.creds = creds
        if creds:
            self.result.username, self.result.source = creds.username or "<token>", creds.source
            secret = creds.password or creds.identity_token
            exp = (jwt_claims(secret) or {}).get("exp") if secret else None
            self.secret_exp = exp if isinstance(exp, (int, float)) else None
        self.evidence.update(username=self.result.username or "-", source=self.result.source)

    @property
    def secret_expired(self) -> bool:
        """Whether the JWT password or identity token has expired."""
        return self.secret_exp is not None and self.secret_exp < self.now

    def add(self, code: str, level: str | None = None, **extra: Any) -> Finding:
        """Record the finding CODE with EXTRA and the flow's evidence."""
        wording = {"anonymous": _anonymous_access(self.repository)} if code == "CREDENTIALS_MISSING" else {}
        f = finding(CHECK, code, level, **{**extra, **self.evidence, **wording})
        for key in wording:  # words of the summary, not something observed: --json and the evidence stay as they were
            del f.evidence[key]
        self.result.findings.append(f)
        return f

    def refused(self, status: int) -> None:
        """The registry or realm refused the login: not logged in, an expired credential, or a wrong one."""
        if not self.creds:
            self.add("CREDENTIALS_MISSING", level="fail" if self.repository else "warn")
        elif self.secret_exp is not None and self.secret_expired:
            self.add("CREDENTIALS_EXPIRED", expired_at=_iso(self.secret_exp), ago=_span(self.now - self.secret_exp))
        else:
            self.add("CREDENTIALS_INVALID", status_code=status)


# What valid credentials may do where the registry does not list it (Basic auth; a token whose claims name no rights).
GRANT_UNKNOWN = {
    "zh": "仓库服务没有列出这个用户的权限（Basic 认证，或令牌中没有权限）：能否拉取、推送未知。",
    "en": "The registry does not list this user's rights (Basic auth, or a token that names none): whether it may "
    "pull or push is unknown.",
}


def _anonymous_access(repository: str | None) -> Said:
    """The end of CREDENTIALS_MISSING's summary: the repository anonymous access was refused for, or, when none was
    given (a registry alone: `docker login`'s case), that it was not tried ("and - cannot be accessed anonymously"
    named no repository)."""
    if repository:
        return Said(f", and {repository} cannot be accessed anonymously", f"，且匿名不能访问 {repository}")
    return Said(
        " (no repository given: whether one can be pulled anonymously was not checked)",
        "（未给出镜像仓库，没有检查能否匿名拉取）",
    )


def _basic_header(creds: Credentials) -> str:
    return "Basic " + base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()


def _basic_login(ctx: Context, flow: _Flow) -> None:
    """A Basic challenge: send the credentials to /v2/ itself."""
    flow.result.scheme = "basic"
    if not flow.creds:
        flow.refused(401)
        return
    header = _basic_header(flow.creds)
    r = _get(ctx, f"{flow.base_url}/v2/", {"Authorization": header})
    if isinstance(r, Finding):
        flow.result.findings.append(r)
    elif r.status == 200:
        flow.result.header = header
        flow.add("CREDENTIALS_OK", granted="-", note=GRANT_UNKNOWN)
    else:
        flow.refused(r.status)


def _token_flow(ctx: Context, flow: _Flow, challenge: dict[str, str]) -> None:
    """A Bearer challenge: ask the realm for a token for the exact scope, then read what it grants."""
    res = flow.result
    res.scheme, res.realm, res.service = "bearer", challenge["realm"], challenge.get("service")
    res.scope = f"repository:{flow.repository}:{','.join(res.wanted)}" if flow.repository else None
    flow.evidence.update(realm=res.realm, scope=res.scope or "-")
    token = _ask_realm(ctx, flow)
    if token is None:
        return
    res.header = f"Bearer {token}"
    claims = jwt_claims(token)
    res.granted = _granted(claims, flow.repository)
    _verdict(flow, push=ctx.options.push)
    _check_token_expiry(flow, claims)
    _check_secret_expiring(flow)


def _token_request(flow: _Flow) -> tuple[str, str, dict[str, str], bytes | None]:
    """(method, url, headers, body) of the token request: an identity token is exchanged by POST (OAuth2
    refresh_token grant), a username and password go by GET with Basic authentication."""
    res, creds = flow.result, flow.creds
    assert res.realm is not None
    query = {k: v for k, v in (("service", res.service), ("scope", res.scope)) if v}
    if creds and creds.identity_token:
        form = {"grant_type": "refresh_token", "refresh_token": creds.identity_token, "client_id": "tcr-doctor"}
        body = urlencode({**form, **query}).encode()
        return "POST", res.realm, {"Content-Type": "application/x-www-form-urlencoded"}, body
    headers = {}
    if creds:
        query["account"] = creds.username or ""
        headers["Authorization"] = _basic_header(creds)
    sep = "&" if "?" in res.realm else "?"
    return "GET", res.realm + (sep + urlencode(query) if query else ""), headers, None


def _ask_realm(ctx: Context, flow: _Flow) -> str | None:
    """The token the realm grants, or None with the finding that says why there is none."""
    method, url, headers, body = _token_request(flow)
    r = _get(ctx, url, headers, method=method, body=body, realm=flow.result.realm)
    if isinstance(r, Finding):
        flow.result.findings.append(r)
        return None
    identity = bool(flow.creds and flow.creds.identity_token)
    if r.status in (401, 403) or (identity and r.status == 400):  # a refused refresh_token grant is a 400
        flow.refused(r.status)
        return None
    if r.status == 429:
        retry_after = r.header("retry-after") or "-"
        flow.result.findings.append(finding(CHECK, "RATE_LIMITED", url=flow.result.realm, retry_after=retry_after))
        return None
    if r.status != 200:
        flow.add("TOKEN_SERVER_ERROR", error=f"HTTP {r.status}")
        return None
    token = _token_of(r)
    if token is None:
        flow.add("TOKEN_SERVER_ERROR", error=Said("the answer holds no token", "应答中没有令牌"))
    return token


def _token_of(r: Response) -> str | None:
    """The `token` (or OAuth2 `access_token`) of a token server's JSON answer."""
    try:
        data = r.json()
    except ValueError:  # not JSON, or not UTF-8
        return None
    token = (data.get("token") or data.get("access_token")) if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def _verdict(flow: _Flow, *, push: bool) -> None:
    """What the granted actions mean: a login without scope, anonymous access, or an account's rights."""
    granted_text = flow.result.granted if flow.result.granted is not None else ["?"]
    if not flow.repository:  # a login without a scope (what `docker login` does)
        if flow.creds:
            flow.add("CREDENTIALS_OK", granted=["login"])
        else:
            flow.add("CREDENTIALS_MISSING", level="warn")
    elif not flow.creds:
        _anonymous_verdict(flow, granted_text, push=push)
    else:
        _account_verdict(flow, granted_text)


def _anonymous_verdict(flow: _Flow, granted_text: list[str], *, push: bool) -> None:
    res = flow.result
    if res.granted and "pull" in res.granted:
        flow.add("ANONYMOUS_PULL", granted=res.granted)
        if push:
            missing_for_push = flow.add("CREDENTIALS_MISSING")
            missing_for_push.evidence["blocking"] = False  # anonymous pull still lets the image check run
        return
    if not res.granted:
        res.header = None
    flow.add("CREDENTIALS_MISSING", granted=granted_text)


def _account_verdict(flow: _Flow, granted_text: list[str]) -> None:
    res = flow.result
    missing = [a for a in res.wanted if res.granted is not None and a not in res.granted]
    if not missing:
        ok = flow.add("CREDENTIALS_OK", granted=granted_text)
        if res.granted is None:  # (the finding's text names no note: it is shown beside it)
            ok.evidence["note"] = GRANT_UNKNOWN
        return
    denied = flow.add("PERMISSION_DENIED", granted=res.granted or ["-"], missing=missing)
    if "pull" in (res.granted or []):
        # Pull works, only push is missing: the image check can still read the repository and its tags.
        denied.evidence["blocking"] = False


def _check_token_expiry(flow: _Flow, claims: dict[str, Any] | None) -> None:
    """The registry will refuse a token that has already expired (a stale token, or a clock far off)."""
    exp = (claims or {}).get("exp")
    if not isinstance(exp, (int, float)) or exp >= flow.now - 60:
        return
    flow.result.findings = [f for f in flow.result.findings if f.code != "CREDENTIALS_OK"]
    note = Said(
        "the token service issued a token that had already expired (stale token or clock skew)",
        "令牌服务签发的令牌已经过期（令牌过旧，或时钟有偏差）",
    )
    flow.add("CREDENTIALS_EXPIRED", expired_at=_iso(exp), ago=_span(flow.now - exp), note=note)


def _check_secret_expiring(flow: _Flow) -> None:
    """A JWT password or identity token that expires within EXPIRING_WITHIN: a warning."""
    exp = flow.secret_exp
    if exp is not None and flow.now <= exp < flow.now + EXPIRING_WITHIN:
        flow.add("CREDENTIALS_EXPIRING", expires_at=_iso(exp), remaining=_span(exp - flow.now))


def _get(
    ctx: Context,
    url: str,
    headers: dict[str, str],
    method: str = "GET",
    body: bytes | None = None,
    realm: str | None = None,
) -> Response | Finding:
    """A request whose network failure becomes a TOKEN_SERVER_ERROR finding (never echoing headers)."""
    try:
        return ctx.fetch(url, headers=headers, method=method, body=body, max_body=1 << 20)
    except Unavailable as exc:
        f = exc.finding
        if f.check in ("tcp", "tls", "dns") and f.code != "TARGET_REFUSED":
            error = Said(f.summary.get("en") or f.code, f.summary.get("zh") or f.code)
            return finding(CHECK, "TOKEN_SERVER_ERROR", realm=realm or url, error=error)
        raise
    except (TimeoutError, net.DeadlineExceeded):
        return finding(CHECK, "TOKEN_SERVER_ERROR", realm=realm or url, error=TIMED_OUT)
    except Exception as exc:  # noqa: BLE001
        return finding(CHECK, "TOKEN_SERVER_ERROR", realm=realm or url, error=type(exc).__name__)
