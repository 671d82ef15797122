"""Name rules for the target: the reference grammar, and TCR instance / namespace / repository rules."""

from __future__ import annotations

import dataclasses

from ..findings import finding
from ..names import (
    NameError_,
    suggest_instance,
    suggest_namespace,
    suggest_ref,
    suggest_repo,
    validate_instance,
    validate_namespace,
    validate_repo,
)

NAME = "name"
DEPENDS: tuple = ()
ORDER = 10

ENTERPRISE_SUFFIX = ".tencentcloudcr.com"
PERSONAL_SUFFIX = "ccr.ccs.tencentyun.com"


def edition(host: str | None) -> str | None:
    if not host:
        return None
    if host.endswith(ENTERPRISE_SUFFIX):
        return "enterprise"
    if host == PERSONAL_SUFFIX or host.endswith(PERSONAL_SUFFIX):
        return "personal"
    return None


def run(ctx) -> list:
    # The FAQ documents the instance-name rules only; other names carry the rule and a suggestion, no FAQ link.
    return [f if f.evidence.get("kind") in (None, "instance") else dataclasses.replace(f, faq=None) for f in _run(ctx)]


def _run(ctx) -> list:
    t = ctx.target
    if t.error:
        return [
            finding(
                NAME,
                "NAME_INVALID",
                kind="ref",
                value=t.raw,
                error=t.error,
                rule=t.error["rule"],
                suggestion=suggest_ref(t.raw) or "-",
            )
        ]
    out = []
    ed = edition(t.host)
    if ed == "enterprise" and not t.is_ip:
        label = t.host[: -len(ENTERPRISE_SUFFIX)]
        # the mirror domains (quay.tencentcloudcr.com ...) and -vpc names: the instance name is the label
        if label.endswith("-vpc"):
            label = label[:-4]
        if "." not in label and label not in ("quay", "nvcr", "gcr", "k8s", "docker", "ghcr", "mirror"):
            try:
                validate_instance(label)
            except NameError_ as exc:
                out.append(
                    finding(
                        NAME,
                        "NAME_INVALID",
                        kind="instance",
                        value=label,
                        error=exc.message,
                        rule=exc.rule,
                        suggestion=suggest_instance(label) or "-",
                    )
                )
    if t.repository and ed:
        ns, _, repo = t.repository.partition("/")
        if ed == "enterprise":
            try:
                validate_namespace(ns)
            except NameError_ as exc:
                out.append(
                    finding(
                        NAME,
                        "NAME_INVALID",
                        kind="namespace",
                        value=ns,
                        error=exc.message,
                        rule=exc.rule,
                        suggestion=suggest_namespace(ns) or "-",
                    )
                )
            if repo:
                try:
                    validate_repo(repo)
                except NameError_ as exc:
                    out.append(
                        finding(
                            NAME,
                            "NAME_INVALID",
                            kind="repo",
                            value=repo,
                            error=exc.message,
                            rule=exc.rule,
                            suggestion=suggest_repo(repo) or "-",
                        )
                    )
            else:
                out.append(
                    finding(
                        NAME,
                        "NAME_INVALID",
                        kind="repo",
                        value=t.repository,
                        error={
                            "en": "an enterprise image is <namespace>/<repository>",
                            "zh": "企业版镜像为 <命名空间>/<仓库名>",
                        },
                        rule="enterprise.namespace-required",
                        suggestion=f"{ns}/{ns}",
                    )
                )
        elif ed == "personal":
            if "/" in repo or not repo:
                out.append(
                    finding(
                        NAME,
                        "NAME_INVALID",
                        kind="repo",
                        value=t.repository,
                        error={
                            "en": "the personal edition takes exactly <namespace>/<repository>; multi-level paths are not allowed",
                            "zh": "个人版镜像必须是 <命名空间>/<仓库名>，不支持多级路径",
                        },
                        rule="personal.single-level",
                        suggestion=f"{ns}/{repo.replace('/', '-')}" if repo else "-",
                    )
                )
    for f in out:
        # the reference itself is well-formed, so the network checks still run and tell more
        f.evidence["blocking"] = False
    if not out:
        out.append(finding(NAME, "NAME_OK", value=t.image or t.registry, parts=t.to_dict(), edition=ed or "-"))
    return out
