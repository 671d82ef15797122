"""Registry authentication: the WWW-Authenticate challenge, where credentials come from, the token request.

Credentials are used for the requests and never put in a finding, a log line or an exception message.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from . import net
from .findings import Finding, Unavailable, finding

CHECK = "credentials"
EXPIRING_WITHIN = 24 * 3600
HELPER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


# ------------------------------------------------------------------------------------------------ challenge
def parse_challenge(header: str | None) -> tuple[str, dict]:
    """'Bearer realm="...",service="...",scope="..."' -> ("bearer", {realm, service, scope})."""
    if not header:
        return "", {}
    scheme, _, rest = header.strip().partition(" ")
    params = {}
    for m in re.finditer(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', rest):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return scheme.lower(), params


# ------------------------------------------------------------------------------------------------ JWT
def jwt_claims(value: str | None) -> dict | None:
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
@dataclass
class Credentials:
    username: str | None
    password: str | None = field(default=None, repr=False)
    identity_token: str | None = field(default=None, repr=False)
    source: str = "-"


def _config_path(options, env) -> Path:
    if options.docker_config:
        p = Path(options.docker_config).expanduser()
        return p / "config.json" if p.is_dir() else p
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]).expanduser() / "config.json"
    return Path(env.get("HOME") or Path.home()) / ".docker" / "config.json"


def _keys_for(registry: str, host: str) -> list[str]:
    if registry in ("docker.io", "index.docker.io") or host == "registry-1.docker.io":
        return [
            "https://index.docker.io/v1/",
            "index.docker.io",
            "docker.io",
            "registry-1.docker.io",
            "https://index.docker.io/v1",
        ]
    return [
        registry,
        f"https://{registry}",
        f"http://{registry}",
        f"https://{registry}/v1/",
        f"https://{registry}/v2/",
        f"{registry}/",
    ]


def _run_helper(helper: str, server: str, deadline: net.Deadline, env) -> tuple[Credentials | None, str | None]:
    if not HELPER_NAME_RE.match(helper):
        return None, "invalid helper name"
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


def lookup_credentials(ctx) -> tuple[Credentials | None, list[Finding]]:
    opts = ctx.options
    if opts.username:
        return Credentials(opts.username, opts.password or "", source="--username"), []
    env = opts.env if opts.env is not None else os.environ
    path = _config_path(opts, env)
    try:
        if path.stat().st_size > 4 << 20:
            return None, []
        cfg = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(cfg, dict):
            return None, []
    except (OSError, ValueError):
        return None, []
    t = ctx.target
    keys = _keys_for(t.registry or t.hostport, t.host)
    warnings: list[Finding] = []
    helpers = cfg.get("credHelpers") or {}
    for k in keys:
        if isinstance(helpers, dict) and k in helpers:
            creds, err = _run_helper(str(helpers[k]), k, ctx.deadline, env)
            if creds:
                return creds, warnings
            warnings.append(
                finding(CHECK, "CREDENTIALS_HELPER_ERROR", helper=str(helpers[k]), registry=t.registry, error=err)
            )
            break
    store = cfg.get("credsStore")
    if isinstance(store, str) and store:
        creds, err = _run_helper(store, keys[0], ctx.deadline, env)
        if creds:
            return creds, warnings
        if err != "no credentials stored" and not (
            isinstance(cfg.get("auths"), dict) and any(k in cfg["auths"] for k in keys)
        ):
            warnings.append(finding(CHECK, "CREDENTIALS_HELPER_ERROR", helper=store, registry=t.registry, error=err))
    auths = cfg.get("auths") or {}
    if isinstance(auths, dict):
        for k in keys:
            entry = auths.get(k)
            if not isinstance(entry, dict):
                continue
            if entry.get("identitytoken"):
                return Credentials(
                    entry.get("username"), identity_token=entry["identitytoken"], source=f"{path} (auths)"
                ), warnings
            user, pw = entry.get("username"), entry.get("password")
            if entry.get("auth"):
                try:
                    user, _, pw = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
                except Exception:  # noqa: BLE001
                    continue
            if user:
                return Credentials(user, pw or "", source=f"{path} (auths)"), warnings
    return None, warnings


# ------------------------------------------------------------------------------------------------ token
@dataclass
class AuthResult:
    scheme: str = "none"  # none | bearer | basic
    realm: str | None = None
    service: str | None = None
    scope: str | None = None
    wanted: list = field(default_factory=list)
    granted: list | None = None
    username: str | None = None
    source: str = "anonymous"
    header: str | None = field(default=None, repr=False)  # Authorization header for later requests
    findings: list = field(default_factory=list)

    @property
    def failed(self) -> Finding | None:
        return next((f for f in self.findings if f.status == "fail" and f.evidence.get("blocking", True)), None)


def _granted(claims: dict | None, repository: str | None) -> list | None:
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


def authenticate(ctx) -> AuthResult:
    t = ctx.target
    resp = ctx.require_v2()
    res = AuthResult()
    repo = t.repository
    res.wanted = ["pull"] + (["push"] if ctx.options.push else [])
    ev = {"registry": t.registry, "repository": repo or "-"}
    if resp.status == 200:
        res.findings.append(finding(CHECK, "AUTH_NOT_REQUIRED", **ev))
        return res
    scheme, params = parse_challenge(resp.header("www-authenticate"))
    creds, warnings = lookup_credentials(ctx)
    res.findings.extend(warnings)
    if creds:
        res.username, res.source = creds.username or "<token>", creds.source
    ev.update(username=res.username or "-", source=res.source)

    # a password or identity token that is itself a JWT tells us when it expires
    secret = creds.password or creds.identity_token if creds else None
    exp = (jwt_claims(secret) or {}).get("exp") if secret else None
    now = time.time()
    expired = isinstance(exp, (int, float)) and exp < now

    if scheme == "basic":
        res.scheme = "basic"
        if not creds:
            res.findings.append(finding(CHECK, "CREDENTIALS_MISSING", level="fail" if repo else "warn", **ev))
            return res
        header = "Basic " + base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
        r = _get(ctx, f"{t.base_url}/v2/", {"Authorization": header})
        if isinstance(r, Finding):
            res.findings.append(r)
            return res
        if r.status == 200:
            res.header = header
            res.findings.append(finding(CHECK, "CREDENTIALS_OK", granted="-", **ev))
        elif expired:
            res.findings.append(finding(CHECK, "CREDENTIALS_EXPIRED", expired_at=_iso(exp), ago=_span(now - exp), **ev))
        else:
            res.findings.append(finding(CHECK, "CREDENTIALS_INVALID", status_code=r.status, **ev))
        return res

    if scheme != "bearer" or not params.get("realm"):
        res.findings.append(
            finding(
                CHECK,
                "TOKEN_SERVER_ERROR",
                realm="-",
                error=f"unsupported challenge {resp.header('www-authenticate')!r}",
                **ev,
            )
        )
        return res
    res.scheme, res.realm, res.service = "bearer", params["realm"], params.get("service")
    res.scope = f"repository:{repo}:{','.join(res.wanted)}" if repo else None
    ev.update(realm=res.realm, scope=res.scope or "-")

    query = {}
    if res.service:
        query["service"] = res.service
    if res.scope:
        query["scope"] = res.scope
    headers = {}
    method, body = "GET", None
    if creds and creds.identity_token:
        method = "POST"
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds.identity_token,
            "client_id": "tcr-doctor",
            **query,
        }
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = res.realm
    else:
        if creds:
            query["account"] = creds.username
            headers["Authorization"] = (
                "Basic " + base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
            )
        sep = "&" if "?" in res.realm else "?"
        url = res.realm + (sep + urlencode(query) if query else "")
    r = _get(ctx, url, headers, method=method, body=body, realm=res.realm)
    if isinstance(r, Finding):
        res.findings.append(r)
        return res
    if r.status in (401, 403) or (creds and creds.identity_token and r.status == 400):
        if not creds:
            res.findings.append(finding(CHECK, "CREDENTIALS_MISSING", level="fail" if repo else "warn", **ev))
        elif expired:
            res.findings.append(finding(CHECK, "CREDENTIALS_EXPIRED", expired_at=_iso(exp), ago=_span(now - exp), **ev))
        else:
            res.findings.append(finding(CHECK, "CREDENTIALS_INVALID", status_code=r.status, **ev))
        return res
    if r.status != 200:
        kind = "RATE_LIMITED" if r.status == 429 else "TOKEN_SERVER_ERROR"
        if kind == "RATE_LIMITED":
            res.findings.append(finding(CHECK, kind, url=res.realm, retry_after=r.header("retry-after") or "-"))
        else:
            res.findings.append(finding(CHECK, kind, error=f"HTTP {r.status}", **ev))
        return res
    try:
        data = r.json()
        token = data.get("token") or data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ValueError
    except Exception:  # noqa: BLE001
        res.findings.append(finding(CHECK, "TOKEN_SERVER_ERROR", error="the answer holds no token", **ev))
        return res
    res.header = f"Bearer {token}"
    claims = jwt_claims(token)
    res.granted = _granted(claims, repo)
    tok_exp = (claims or {}).get("exp")
    granted_text = res.granted if res.granted is not None else ["?"]
    if not repo:
        # a login without a scope (what `docker login` does)
        if creds:
            res.findings.append(finding(CHECK, "CREDENTIALS_OK", granted=["login"], **ev))
        else:
            res.findings.append(finding(CHECK, "CREDENTIALS_MISSING", level="warn", **ev))
    elif not creds:
        if res.granted and "pull" in res.granted:
            res.findings.append(finding(CHECK, "ANONYMOUS_PULL", granted=res.granted, **ev))
            if ctx.options.push:
                missing_for_push = finding(CHECK, "CREDENTIALS_MISSING", **ev)
                missing_for_push.evidence["blocking"] = False  # anonymous pull still lets the image check run
                res.findings.append(missing_for_push)
        else:
            res.header = None if not res.granted else res.header
            res.findings.append(finding(CHECK, "CREDENTIALS_MISSING", granted=granted_text, **ev))
    else:
        missing = [a for a in res.wanted if res.granted is not None and a not in res.granted]
        if missing:
            denied = finding(CHECK, "PERMISSION_DENIED", granted=res.granted or ["-"], missing=missing, **ev)
            if "pull" in (res.granted or []):
                # Pull works, only push is missing: the image check can still read the repository and its tags.
                denied.evidence["blocking"] = False
            res.findings.append(denied)
        else:
            res.findings.append(finding(CHECK, "CREDENTIALS_OK", granted=granted_text, **ev))
    if isinstance(tok_exp, (int, float)) and tok_exp < now - 60:
        # the registry will refuse a token that has already expired (a stale token, or a clock far off)
        res.findings = [f for f in res.findings if f.code != "CREDENTIALS_OK"]
        res.findings.append(
            finding(
                CHECK,
                "CREDENTIALS_EXPIRED",
                expired_at=_iso(tok_exp),
                ago=_span(now - tok_exp),
                note="the token service issued a token that had already expired (stale token or clock skew)",
                **{**ev, "username": res.username or "-"},
            )
        )
    if isinstance(exp, (int, float)) and now <= exp < now + EXPIRING_WITHIN:
        res.findings.append(
            finding(CHECK, "CREDENTIALS_EXPIRING", expires_at=_iso(exp), remaining=_span(exp - now), **ev)
        )
    return res


def _get(ctx, url, headers, method="GET", body=None, realm=None):
    """A request whose network failure becomes a TOKEN_SERVER_ERROR finding (never echoing headers)."""
    try:
        return ctx.fetch(url, headers=headers, method=method, body=body, max_body=1 << 20)
    except Unavailable as exc:
        f = exc.finding
        if f.check in ("tcp", "tls", "dns") and f.code != "TARGET_REFUSED":
            return finding(CHECK, "TOKEN_SERVER_ERROR", realm=realm or url, error=f.summary.get("en"))
        raise
    except (TimeoutError, net.DeadlineExceeded):
        return finding(CHECK, "TOKEN_SERVER_ERROR", realm=realm or url, error="timed out")
    except Exception as exc:  # noqa: BLE001
        return finding(CHECK, "TOKEN_SERVER_ERROR", realm=realm or url, error=type(exc).__name__)
