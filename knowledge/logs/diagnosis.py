"""The `tcr-doctor diagnose …` command that confirms a cause, and its target completed from the rest of a message."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from .rules import load_rules, pattern_by_id

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
