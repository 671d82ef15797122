"""The `tcr-doctor diagnose …` command that confirms a cause, and its target completed from the rest of a message."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING, Any, Literal

from ..dialogue import names_tcr, vendor_of_host
from ..redact import names_a_secret
from .rules import faq_exists, filled, fix_text, load_rules, pattern_by_id

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
    target = _registry_target((image or host) if kind == "image" else (host or image))
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


def _registry_target(target: str | None) -> str | None:
    """`target` (a host or an image reference) as a diagnosis may check it (diagnostics.reference.registry_named):
    None when its registry is a stand-in for a name (`xxx`, `<registry>`, registry.example.com: the command then
    shows `<registry>`), Docker Hub's registry for Hub's web site hub.docker.com (an image there is a web page's
    path, `hub.docker.com/r/ns/app`, no image: no target)."""
    if not target:
        return target
    # Imported here for the reason parse_image gives (only a reading with a target pays for it).
    from diagnostics.reference import registry_named

    host = target.split("/", 1)[0]
    registry = registry_named(host)
    if registry == host:
        return target
    return registry if registry and "/" not in target else None


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
        # (the texts' placeholders name what the evidence shows: the port dialled, a 4xx status: rules.filled)
        "summary": filled((pattern or {}).get("summary") or meta["summary"], evidence),
        # the fix speaks of TCR when the paste's registry (or the host the user's prose links to) is TCR's, or none
        "fix": fix_text(cause, pattern, tcr=not host or names_tcr(host), evidence=evidence),
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
