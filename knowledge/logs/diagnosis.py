"""The `tcr-doctor diagnose …` command that confirms a cause, and its target completed from the rest of a message."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING, Any, Literal

from ..dialogue import names_tcr, vendor_of_host
from ..redact import names_a_secret
from .rules import faq_exists, fix_text, load_rules, pattern_by_id

if TYPE_CHECKING:
    from ..results import Entities, LogCause


def diagnose_command(
    cause: str, ent: dict[str, Any], op: str | None, pattern: dict[str, Any] | None = None
) -> tuple[str | None, str | None, list[str], bool]:
    """(the `tcr-doctor diagnose …` command that confirms `cause`, its target or None when the log names no
    registry, the --only checks (empty = all), whether --push is given)."""
    meta = dict(load_rules()["causes"][cause])
    if pattern:  # a pattern whose causes need a wider diagnosis to be told apart overrides the cause's own
        meta.update({k: pattern[k] for k in ("target", "only") if k in pattern})
    kind = meta.get("target", "host")
    if kind == "none":
        return None, None, [], False
    host, image = ent.get("host"), ent.get("image")
    placeholder = "<registry>"
    if image and host is None and set(meta.get("only", [])) != {"name"}:
        # A repository path whose registry the paste does not name (Harbor's `artifact ns/app:1 not found`): it is
        # not on Docker Hub, so there is nothing to run yet; show where the registry goes.
        placeholder, image = f"<registry>/{image}", None
    target = (image or host) if kind == "image" else (host or image)
    if target and ent.get("plain_http") and host and target.startswith(host):
        target = "http://" + target  # the scheme the client spoke: diagnose sends it as the client did
    push = bool(meta.get("push")) or (
        op == "push" and ((target is not None and target == image) or placeholder != "<registry>")
    )
    parts = ["tcr-doctor", "diagnose", shlex.quote(target) if target else placeholder]
    if push:
        parts.append("--push")
    only = list(meta.get("only", []))
    if only:
        parts += ["--only", ",".join(only)]
    return " ".join(parts), target, only, push


# The fields of a reading that repeat a name read from the user's text (host, image, tag …) and so reach every channel.
_NAMED = ("host", "linked_host", "image", "image_as_written", "tag", "digest")


def _without_secrets(names: dict[str, Any]) -> dict[str, Any]:
    """`names` (what the log reader read from a paste) without any value the secret detector would mask: a pasted
    token can be host-shaped (a JWT is dotted base64), and a name is shown, stored and posted unmasked where evidence
    is masked. Such a value is no name (None), so no diagnosis targets it either. (A question's own entities are
    guarded where they are read: knowledge/entities.py.)"""
    secret = [k for k in _NAMED if names_a_secret(names.get(k))]  # type: ignore[arg-type]
    return {**names, **dict.fromkeys(secret)} if secret else names


def _plain_http(cause: str, evidence: str, host: str | None) -> bool:
    """Whether the evidence line shows the client calling the registry's API over plain HTTP (`Get
    "http://HOST/v2/": …`, a registry run without TLS and listed in insecure-registries): its diagnosis then speaks
    HTTP as the client did (port 80 unless given; over HTTPS TLS would fail with HTTP_NOT_HTTPS and the log's cause
    would never be checked). Not for a TCR host or another vendor's (they serve HTTPS only: an http:// line there is
    a fallback attempt or a misconfiguration diagnose should show), nor for the TLS causes, which HTTPS confirms."""
    if not host or cause == "HTTP_NOT_HTTPS" or cause.startswith("TLS_") or names_tcr(host) or vendor_of_host(host):
        return False
    return host.lower() in (m.lower() for m in _PLAIN_HTTP_API.findall(evidence))


# A registry API URL over plain HTTP. Fixed, not built from the host: a pattern made of user text would be kept with
# the compiled patterns on disk (diagnostics.kept_patterns).
_PLAIN_HTTP_API = re.compile(r"\bhttp://([A-Za-z0-9.\-]{1,253}(?::\d{1,5})?)/v[12]/", re.IGNORECASE)


def complete_target(result: LogCause, entities: Entities) -> LogCause:
    """`result` with its diagnosis target filled from what the rest of the message names, when the log itself
    names no registry ("docker push fails with unauthorized … pushing to shop.tencentcloudcr.com/team/app:1")."""
    if result.get("target") or not result.get("diagnose"):
        return result
    registry, image = entities.get("registry"), entities.get("image")
    log_image = result.get("image")
    if log_image and result.get("host") is None and registry:
        image = f"{registry}/{log_image}"  # a registry-relative path from the log, on the registry the user named
    if not (registry or image):
        return result
    pattern = pattern_by_id(result.get("pattern"))
    ent = {"host": result.get("host") or registry, "image": image or log_image}
    diagnose, target, checks, push = diagnose_command(result["cause"], ent, result.get("op"), pattern)
    return {**result, "host": ent["host"], "diagnose": diagnose, "target": target, "checks": checks, "push": push}


def reading(
    cause: str,
    ent: dict[str, Any],
    tool: str | None,
    evidence: str,
    *,
    pattern: dict[str, Any] | None = None,
    also: list[str] | None = None,
    note: dict[str, Any] | None = None,
    confidence: Literal["low", "medium", "high"],
) -> LogCause:
    """The reading `explain` returns for `cause`, found on the line shown as `evidence` (already cut and masked) by
    `pattern` (None for the learned fallback's): the FAQ entry that answers it, the confirming diagnosis and the
    texts. One shape for the rules' readings and the fallback's, so every channel shows both alike."""
    meta = load_rules()["causes"][cause]
    faq = (
        (pattern or {}).get("faq")
        or (meta.get("faq_kubelet") if tool == "kubelet" else None)
        or (meta.get("faq_transfer") if ent["op"] in ("pull", "push") else None)
        or meta.get("faq")
    )
    if faq and not faq_exists(faq):
        faq = None
    ent = _without_secrets(ent)
    if _plain_http(cause, evidence, ent["host"]):
        ent = {**ent, "plain_http": True}
    diagnose, target, checks, push = diagnose_command(cause, ent, ent["op"], pattern)
    host = ent["host"] or ent.get("linked_host")
    return {
        "cause": cause,
        "also": also or [],
        "host": ent["host"],
        "image": ent["image"],
        "image_as_written": ent["image_as_written"],
        "tag": ent["tag"],
        "digest": ent["digest"],
        "tool": tool,
        "op": ent["op"],
        "diagnose": diagnose,
        "target": target,
        "checks": checks,
        "push": push,
        "evidence": evidence,
        "faq": faq,
        "summary": dict((pattern or {}).get("summary") or meta["summary"]),
        # the fix speaks of TCR when the paste's registry (or the host the user's prose links to) is TCR's, or none
        "fix": fix_text(cause, pattern, tcr=not host or names_tcr(host)),
        "note": dict(note) if note else None,
        "confidence": confidence,
        "pattern": pattern["id"] if pattern else "learned",
    }


# A CI step's own image (Drone's and Woodpecker's `image: plugins/ecr`, `plugins/docker`, …) is the tool that pushes,
# not the image that failed: the registry is the one the error's URL names, else the one the message names.
_STEP_IMAGE = re.compile(
    r"(?:(?:index\.)?docker\.io/)?(?:plugins|woodpeckerci|thegeeklab|drone-plugins)/(?:plugin-|drone-)?[a-z0-9._-]+"
    r"(?::[a-z0-9._-]+)?"
)
_URL_HOST = re.compile(r"https?://([^/\s\"'`]+)/v[12]/")


def without_step_image(log: LogCause) -> LogCause:
    """`log` without the image and registry it took from a CI step's own image (its diagnosis target then the
    registry its evidence's URL names, or none: complete_target fills it from the message)."""
    written = str(log.get("image_as_written") or "").lower()
    if not written or not _STEP_IMAGE.fullmatch(written):
        return log
    m = _URL_HOST.search(str(log.get("evidence") or ""))
    host = m.group(1).lower() if m else None
    pattern = pattern_by_id(log.get("pattern"))
    stepless = log.copy()
    stepless["diagnose"], stepless["target"], stepless["checks"], stepless["push"] = diagnose_command(
        log["cause"], {"host": host, "image": None}, log.get("op"), pattern
    )
    stepless["host"] = host
    stepless["image"] = stepless["image_as_written"] = stepless["tag"] = stepless["digest"] = None
    return stepless


# The port a TCP failure's evidence dialled (`dial tcp 10.0.0.1:5000: …`, curl's `port 5000`): the TCP causes' texts
# speak of the registry's port 443, the HTTPS default, which a plain-HTTP (:80) or self-hosted (:5000) one is not.
_DIALED_PORT = re.compile(r"\bdial tcp \S+?:(\d{1,5}):|\bport (\d{1,5})\b")
_PORT_WORDS = (  # the words for port 443 -> the words for the port dialled (the longer phrases first)
    ("that the port is 443", "that port {port} is the one the registry listens on (HTTPS is 443)"),
    ("端口为 443", "端口 {port} 确为仓库监听的端口（HTTPS 为 443）"),
    ("port 443", "port {port}"),
    ("443 端口", "{port} 端口"),
)


def port_said(log: LogCause) -> LogCause:
    """`log` whose TCP cause's summary and fix name the port its evidence dialled where they said port 443."""
    if log.get("cause") not in ("TCP_TIMEOUT", "TCP_REFUSED"):
        return log
    m = _DIALED_PORT.search(str(log.get("evidence") or ""))
    port = m.group(1) or m.group(2) if m else None
    if not port or port == "443":
        return log

    def said(text: str) -> str:
        for old, new in _PORT_WORDS:
            text = text.replace(old, new.format(port=port))
        return text

    ported = log.copy()
    ported["summary"] = {lang: said(v) for lang, v in log["summary"].items()}
    ported["fix"] = {lang: said(v) for lang, v in log["fix"].items()}
    return ported


# The HTTP status an error line shows, as Go's net/http and the registry clients print one ("unexpected status: 400 Bad
# Request", "returned 400", "error parsing HTTP 413 response body", "StatusCode: 413", "(Code: 404;", "Status 404"): a
# status word before it, or its reason phrase after it (never a bare number: ":443" is a port).
_STATUS_SAID = re.compile(
    r"(?:\b(?:status(?: code)?|HTTP|returned|Code|StatusCode|RESPONSE)[:=]?\s?\[?(\d{3})\b)"
    r"|\b(\d{3}) (?:Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Not Acceptable|Request Time-?out|"
    r"Conflict|Gone|Precondition Failed|Request Entity Too Large|Payload Too Large|Unsupported Media Type|"
    r"Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b",
    re.IGNORECASE,
)
_SERVER_ERROR_WORDS = (
    ("a server error (5xx)", "an error status (HTTP {status})"),
    ("服务端错误（5xx）", "错误状态（HTTP {status}）"),
)


def status_said(log: LogCause) -> LogCause:
    """`log` whose server-error summary names the 4xx status its evidence shows where it said "(5xx)": a gateway's 413
    or a token service's 400 read as the registry's fault is no 5xx, and the card contradicted its own evidence."""
    if log.get("cause") != "SERVER_ERROR" or not any(
        old in v for v in log["summary"].values() for old, _ in _SERVER_ERROR_WORDS
    ):
        return log
    statuses = [a or b for a, b in _STATUS_SAID.findall(str(log.get("evidence") or ""))]
    if not statuses or any(s.startswith("5") for s in statuses) or not statuses[0].startswith("4"):
        return log
    said = log.copy()
    summary = dict(log["summary"])
    for lang, text in summary.items():
        for old, new in _SERVER_ERROR_WORDS:
            text = text.replace(old, new.format(status=statuses[0]))
        summary[lang] = text
    said["summary"] = summary
    return said
