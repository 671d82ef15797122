"""Image: repository and tag exist? closest tag, digest, tags sharing it, compressed size, tag quota."""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import quote, urljoin, urlsplit

from .. import edition, net, transport
from ..findings import NO_IMAGE, TIMED_OUT, Finding, Said, Unavailable, finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from typing import Any

    from ..auth import AuthResult
    from ..context import Context

NAME = "image"
DEPENDS = ("credentials",)
ORDER = 80
SUBJECT = "image"  # one image: nothing to look at unless the target names one

MANIFEST_TYPES = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
]
ACCEPT = ", ".join(MANIFEST_TYPES)
INDEX_TYPES = {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}
PERSONAL_TAG_LIMIT = 100
QUOTA_WARN_AT = 90
MAX_TAGS = 10000
MAX_DIGEST_PROBES = 500
# Another connection for the digest probes only when it saves time: opening one (TCP and TLS) takes about as many
# round trips as three requests, and the first prober takes the image check's own kept-alive connection.
TAGS_PER_CONNECTION = 3


class _Stop(Exception):
    """Ends the check with FINDING (the registry could not be asked further)."""

    def __init__(self, f: Finding):
        self.finding = f


# What a repository or tag not there yet means to a diagnosis with --push and push rights (the `note` evidence).
FIRST_PUSH = {
    "repository": {
        "zh": "你有推送权限：首次推送会创建这个仓库。",
        "en": "You may push here: the first push creates this repository.",
    },
    "tag": {"zh": "你有推送权限：推送会创建这个版本。", "en": "You may push here: the push creates this tag."},
}
# The same where the registry does not say what may be pushed: Basic auth, no auth, a token that lists no rights.
FIRST_PUSH_IF_ALLOWED = {
    "repository": {
        "zh": "仓库服务没有说明你能否在这里推送（没有列出权限的令牌）：如果可以，首次推送会创建这个仓库。",
        "en": "The registry does not say whether you may push here (no token lists your rights): if you may, the "
        "first push creates this repository.",
    },
    "tag": {
        "zh": "仓库服务没有说明你能否在这里推送（没有列出权限的令牌）：如果可以，推送会创建这个版本。",
        "en": "The registry does not say whether you may push here (no token lists your rights): if you may, the "
        "push creates this tag.",
    },
}


class _Session:
    """One image check: the context, a client to the registry, the headers (Accept, Authorization), the token
    flow's result, the repository and reference asked about, and the evidence every finding carries."""

    def __init__(
        self,
        ctx: Context,
        client: transport.HTTPClient,
        headers: dict[str, str],
        auth: AuthResult,
        repo: str,
        ref: str,
        ev: dict[str, Any],
    ) -> None:
        self.ctx = ctx
        self.client = client
        self.headers = headers
        self.auth = auth
        self.repo = repo
        self.ref = ref
        self.ev = ev

    def request(self, method: str, path: str) -> transport.Response:
        """METHOD PATH on the registry with the session's headers; _Stop on a network failure."""
        return _request(self.ctx, self.client, method, path, self.headers)


def human_size(n: int) -> str:
    """N bytes in decimal units (kB = 1000 B), as registries and docker show sizes."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def tag_hint(wanted: str, tags: list[str], registry: str, repository: str) -> dict[str, Any]:
    """TAG_NOT_FOUND's evidence about the tags there are: `closest` (None when no tag is close), and the sentences
    its text is filled with, {zh, en}: `nearest` (which tag is closest, or that none is) and `try_this` (the pull of
    the closest tag, or some of the tags the repository has)."""
    close = closest_tag(wanted, tags)
    if close:
        pull = f"`docker pull {registry}/{repository}:{close}`"
        return {
            "closest": close,
            "nearest": {"zh": f"最接近的是 {close}", "en": f"the closest is {close}"},
            "try_this": {"zh": pull, "en": pull},
        }
    if not tags:
        return {
            "closest": None,
            "nearest": {"zh": "该仓库还没有任何版本", "en": "it has no tags yet"},
            "try_this": {"zh": "请先推送该版本", "en": "push that tag first"},
        }
    some = sorted(tags)[:8]
    return {
        "closest": None,
        "nearest": {"zh": "没有相近的版本", "en": "none is close"},
        "try_this": {
            "zh": "现有版本包括 " + "、".join(some) + ("等" if len(tags) > len(some) else ""),
            "en": "its tags include " + ", ".join(some) + (", …" if len(tags) > len(some) else ""),
        },
    }


def closest_tag(wanted: str, tags: list[str]) -> str | None:
    """The tag closest to WANTED (same letters in another case first, then a fuzzy match of at least 50)."""
    if not tags:
        return None
    lower = {t.lower(): t for t in tags}
    if wanted.lower() in lower:
        return lower[wanted.lower()]
    from rapidfuzz import fuzz, process  # only when a tag is missing: the import is ~42 M instructions (valgrind)

    best = process.extractOne(wanted, tags, scorer=fuzz.ratio, score_cutoff=50)
    if best is None:
        best = process.extractOne(wanted.lower(), tags, scorer=fuzz.ratio, processor=str.lower, score_cutoff=50)
    return str(best[0]) if best else None


def _request(
    ctx: Context, client: transport.HTTPClient, method: str, path: str, headers: dict[str, str], max_body: int = 4 << 20
) -> transport.Response:
    try:
        return client.request(method, path, headers=headers, max_body=max_body)
    except (TimeoutError, net.DeadlineExceeded):
        raise _Stop(
            finding(NAME, "HTTP_TIMEOUT", url=f"{ctx.target.base_url}{path}", timeout=round(ctx.deadline.step, 1))
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _Stop(
            finding(NAME, "HTTP_ERROR", url=f"{ctx.target.base_url}{path}", error=str(exc) or type(exc).__name__)
        ) from exc


def _status_stop(ctx: Context, resp: transport.Response, auth: AuthResult, what: str) -> Finding:
    """What an unexpected answer to WHAT means: no pull right, rate-limited, a server error, or not a registry."""
    t = ctx.target
    if resp.status in (401, 403):
        return finding(
            NAME,
            "PERMISSION_DENIED",
            username=auth.username or "-",
            repository=t.repository,
            granted=auth.granted or ["-"],
            missing=["pull"],
            status_code=resp.status,
            request=what,
            registry=t.registry,
        )
    if resp.status == 429:
        return finding(NAME, "RATE_LIMITED", url=resp.url, retry_after=resp.header("retry-after") or "-")
    if resp.status >= 500:
        return finding(NAME, "SERVER_ERROR", url=resp.url, status=resp.status)
    return finding(
        NAME,
        "NOT_A_REGISTRY",
        url=resp.url,
        status=resp.status,
        api_version=resp.header("docker-distribution-api-version") or "-",
    )


def list_tags(
    ctx: Context, client: transport.HTTPClient, headers: dict[str, str], repo: str
) -> tuple[list[str] | None, transport.Response | None]:
    """All tags, following `Link: <...>; rel="next"` pagination. (None, resp) when the repository is unknown."""
    path = f"/v2/{repo}/tags/list?n=100"
    tags: list[str] = []
    seen: set[str] = set()
    next_path: str | None = path
    while next_path and len(tags) < MAX_TAGS:
        path = next_path
        if path in seen:
            break
        seen.add(path)
        resp = _request(ctx, client, "GET", path, headers)
        if resp.status == 404:
            return None, resp
        if resp.status != 200:
            return None, resp
        try:
            page = json.loads(resp.body.decode("utf-8")).get("tags") or []
        except (ValueError, AttributeError):
            return None, resp
        tags.extend(str(x) for x in page)
        link = resp.header("link")
        next_path = None
        if link and 'rel="next"' in link:
            target = link.split(";")[0].strip().strip("<>")
            nxt = urljoin(f"{ctx.target.base_url}{resp.url and urlsplit(resp.url).path}", target)
            u = urlsplit(nxt)
            if (u.hostname or "").lower() == ctx.target.host:
                next_path = u.path + (f"?{u.query}" if u.query else "")
    return tags, None


def run(ctx: Context) -> list[Finding]:
    """Does the image exist (repository, tag or digest), and what it is: digest, size, storage, sharing tags, the
    tag quota. SKIPPED without an image."""
    t = ctx.target
    if not t.repository:
        return [finding(NAME, "SKIPPED", reason=NO_IMAGE)]
    auth = ctx.auth()
    if auth.failed is not None:
        raise Unavailable(auth.failed)
    headers = {"Accept": ACCEPT}
    if auth.header:
        headers["Authorization"] = auth.header
    ref = t.digest or t.tag or "latest"
    ev = {"registry": t.registry, "repository": t.repository, "reference": ref}
    client = ctx.client()
    try:
        return _run(_Session(ctx, client, headers, auth, t.repository, ref, ev))
    except _Stop as stop:
        return [stop.finding]
    finally:
        client.close()


def _run(s: _Session) -> list[Finding]:
    # One GET: its answer carries the status and the headers a HEAD would (digest, media type), and the body the
    # size needs. A registry counts a manifest GET as a pull (Docker Hub's limit): the check sends one, as a pull does.
    manifest = s.request("GET", f"/v2/{s.repo}/manifests/{quote(s.ref, safe=':@')}")
    if manifest.status == 404:
        return _not_found(s)
    if manifest.status != 200:
        raise _Stop(_status_stop(s.ctx, manifest, s.auth, "manifest"))
    digest = manifest.header("docker-content-digest")
    media_type = (manifest.header("content-type") or "").split(";")[0].strip()
    body = manifest.body
    if not digest and body:
        import hashlib  # only for a registry that sends no digest: the import is ~6 M instructions (valgrind)

        digest = "sha256:" + hashlib.sha256(body).hexdigest()
    out = [finding(NAME, "TAG_FOUND", digest=digest or "-", media_type=media_type or "-", **s.ev)]
    out += _size_findings(s, body)
    tags, _ = list_tags(s.ctx, s.client, s.headers, s.repo)
    if tags is not None:
        _quota(s.ctx, out, len(tags), s.ev)
        if digest:
            out += _shared_digest_findings(s, tags, digest)
    return out


def _not_found(s: _Session) -> list[Finding]:
    """The manifest is unknown: is the repository, the digest or the tag missing (and which tag is closest)?"""
    tags, bad = list_tags(s.ctx, s.client, s.headers, s.repo)
    if tags is None and bad is not None and bad.status != 404:
        raise _Stop(_status_stop(s.ctx, bad, s.auth, "tags/list"))
    # With --push, a repository or tag that is not there yet is what the push creates, not a failure (as the
    # account-side check says it: cloud_image), unless the token says push is not granted here. Where the registry
    # does not say (Basic auth, no auth, a token without grants), the note says so.
    granted = s.auth.granted
    pushing = s.ctx.options.push and not s.ctx.target.digest and (granted is None or "push" in granted)
    notes = FIRST_PUSH if granted is not None else FIRST_PUSH_IF_ALLOWED
    if tags is None:
        if pushing:
            return [finding(NAME, "REPO_NOT_FOUND", level="ok", note=notes["repository"], **s.ev)]
        return [finding(NAME, "REPO_NOT_FOUND", **s.ev)]
    if s.ctx.target.digest:
        return [finding(NAME, "DIGEST_NOT_FOUND", tag_count=len(tags), **s.ev)]
    hint = tag_hint(s.ref, tags, s.ev["registry"], s.ev["repository"])
    sample = sorted(tags)[:20]
    if pushing:
        hint = {**hint, "note": notes["tag"]}
    level = "ok" if pushing else None
    out = [finding(NAME, "TAG_NOT_FOUND", level=level, tag_count=len(tags), tags_sample=sample, **hint, **s.ev)]
    _quota(s.ctx, out, len(tags), s.ev)
    return out


def _size_findings(s: _Session, body: bytes) -> list[Finding]:
    """SIZE_COMPRESSED, and where the smallest layer is really downloaded from (BLOB_STORAGE_*)."""
    size = _size(s.ctx, s.client, s.headers, s.repo, body)
    if not size:
        return []
    layer = size.pop("layer", None)
    out = [finding(NAME, "SIZE_COMPRESSED", **size)]
    storage = _storage(s.ctx, s.client, s.headers, s.repo, layer) if layer else None
    return out if storage is None else [*out, storage]


def _shared_digest_findings(s: _Session, tags: list[str], digest: str) -> list[Finding]:
    """TAGS_SHARE_DIGEST when other tags point at the same manifest."""
    own_tag = s.ref if not s.ctx.target.digest else None
    s.client.close()  # back to the pool: the first prober takes it
    sharing, checked = _tags_with_digest(s.ctx, s.headers, s.repo, tags, digest, own_tag)
    if len(sharing) < 2:
        return []
    return [
        finding(
            NAME,
            "TAGS_SHARE_DIGEST",
            tags=sorted(sharing),
            digest=digest,
            checked=checked,
            tag_count=len(tags),
            **s.ev,
        )
    ]


def _quota(ctx: Context, out: list[Finding], count: int, ev: dict[str, Any]) -> None:
    """TCR's per-image tag limit applies to the personal edition only: to its hosts, or to a host the caller
    declares to stand for it (`DiagnoseOptions.edition`, e.g. a custom domain or a test registry)."""
    ed = getattr(ctx.options, "edition", None) or edition(ctx.target.host)
    if ed != "personal" or count < QUOTA_WARN_AT:
        return
    out.append(
        finding(
            NAME,
            "QUOTA_NEAR",
            tag_count=count,
            limit=PERSONAL_TAG_LIMIT,
            level="fail" if count >= PERSONAL_TAG_LIMIT else None,
            **ev,
        )
    )


def _size(
    ctx: Context, client: transport.HTTPClient, headers: dict[str, str], repo: str, body: bytes
) -> dict[str, Any] | None:
    try:
        m = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(m, dict):
        return None
    platform: dict[str, str] | str = {"en": "single platform", "zh": "单平台"}
    mt = m.get("mediaType", "")
    if mt in INDEX_TYPES or "manifests" in m:
        children = [c for c in m.get("manifests") or [] if isinstance(c, dict)]
        if not children:
            return None
        pick = next(
            (
                c
                for c in children
                if (c.get("platform") or {}).get("os") == "linux"
                and (c.get("platform") or {}).get("architecture") == "amd64"
            ),
            children[0],
        )
        p = pick.get("platform") or {}
        platform = "/".join(x for x in (p.get("os"), p.get("architecture"), p.get("variant")) if x) or "-"
        resp = _request(ctx, client, "GET", f"/v2/{repo}/manifests/{pick.get('digest')}", headers)
        if resp.status != 200:
            return None
        try:
            m = json.loads(resp.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
        platforms = len(children)
    else:
        platforms = 1
    layers = [layer for layer in m.get("layers") or [] if isinstance(layer, dict)]
    if not layers:
        return None
    total = sum(int(layer.get("size") or 0) for layer in layers) + int((m.get("config") or {}).get("size") or 0)
    smallest = min(layers, key=lambda layer: int(layer.get("size") or 0))
    return {
        "layer": smallest.get("digest"),
        "size": human_size(total),
        "bytes": total,
        "layers": len(layers),
        "platform": platform,
        "platforms": platforms,
    }


def _storage(
    ctx: Context, client: transport.HTTPClient, headers: dict[str, str], repo: str, digest: str
) -> Finding | None:
    """Where layers really come from. A registry that keeps them in object storage (TCR: COS) answers a blob GET
    with a redirect; the client then downloads from that host, so a pull that stalls on its layers is a problem
    of the storage host, not of the registry. One byte of the smallest layer is fetched the way the client does:
    BLOB_STORAGE_OK / BLOB_STORAGE_UNREACHABLE, or None when the registry serves the layer itself."""
    t = ctx.target
    path = f"/v2/{repo}/blobs/{digest}"
    try:
        resp = client.request("GET", path, headers={**headers, "Range": "bytes=0-0"}, max_body=4096)
    except Exception:  # noqa: BLE001 - the manifest answered; a failed blob request is reported by its own finding
        return None
    location = resp.header("location")
    if resp.status not in (301, 302, 303, 307, 308) or not location:
        return None
    url = urljoin(f"{t.base_url}{path}", location)
    u = urlsplit(url)
    storage_host = u.netloc.rsplit("@", 1)[-1]
    if storage_host.lower() == t.hostport.lower():
        return None
    ev = {"storage_host": storage_host, "registry": t.registry}
    start = time.monotonic()
    try:
        # no Authorization: the client drops it when a redirect leaves the registry's host
        got = ctx.fetch(url, headers={"Range": "bytes=0-0"}, redirects=2, max_body=4096)
    except Unavailable as exc:
        if exc.finding.code == "TARGET_REFUSED":
            return None  # the address policy (web, Slack) does not allow that host: not checked
        summary = exc.finding.summary  # our own words: a string in JSON that reads in Chinese in a Chinese text
        return finding(NAME, "BLOB_STORAGE_UNREACHABLE", error=Said(summary["en"], summary["zh"]), **ev)
    except (TimeoutError, net.DeadlineExceeded):
        return finding(NAME, "BLOB_STORAGE_UNREACHABLE", error=TIMED_OUT, **ev)
    except (OSError, http.client.HTTPException) as exc:
        return finding(NAME, "BLOB_STORAGE_UNREACHABLE", error=str(exc) or type(exc).__name__, **ev)
    elapsed = round((time.monotonic() - start) * 1000, 1)
    if got.status not in (200, 206):
        return finding(NAME, "BLOB_STORAGE_UNREACHABLE", error=f"HTTP {got.status}", **ev)
    return finding(NAME, "BLOB_STORAGE_OK", status=got.status, elapsed_ms=elapsed, **ev)


def _tags_with_digest(
    ctx: Context, headers: dict[str, str], repo: str, tags: list[str], digest: str, own_tag: str | None
) -> tuple[set[str], str]:
    """Tags whose manifest digest equals DIGEST (HEAD each, a few connections in parallel, within the deadline)."""
    sharing: set[str] = {own_tag} if own_tag else set()
    todo = [x for x in tags if x != own_tag][:MAX_DIGEST_PROBES]
    lock = threading.Lock()
    checked = [0]
    it = iter(todo)

    def worker() -> None:
        try:
            c = ctx.client()
        except Exception:  # noqa: BLE001
            return
        try:
            while True:
                with lock:
                    tag = next(it, None)
                if tag is None or ctx.deadline.remaining() < 0.2:
                    return
                try:
                    r = c.request("HEAD", f"/v2/{repo}/manifests/{quote(tag, safe='')}", headers=headers, max_body=0)
                except Exception:  # noqa: BLE001
                    return
                with lock:
                    checked[0] += 1
                    if r.status == 200 and r.header("docker-content-digest") == digest:
                        sharing.add(tag)
        finally:
            c.close()

    n = min(4, -(-len(todo) // TAGS_PER_CONNECTION))
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(max(0.0, ctx.deadline.remaining()))
    return sharing, f"{checked[0]}/{len(todo)}"
