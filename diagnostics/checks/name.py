"""Name rules for the target: the reference grammar, and TCR instance / namespace / repository rules."""

from __future__ import annotations

from collections.abc import Callable

from .. import PERSONAL_HOST, edition, enterprise_instance
from ..findings import Finding, finding
from ..names import (
    KIND_WORDS,
    suggest_instance,
    suggest_namespace,
    suggest_ref,
    suggest_repo,
    validate_instance,
    validate_namespace,
    validate_repo,
    validate_tcr_path,
)
from ..reference import NameRuleError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "name"
DEPENDS: tuple[str, ...] = ()
ORDER = 10
SUBJECT = "reference"  # the written name alone: no network

MIRROR_LABELS = ("quay", "nvcr", "gcr", "k8s", "docker", "ghcr", "mirror")  # quay.tencentcloudcr.com ...


def run(ctx: Context) -> list[Finding]:
    """NAME_OK, or each name rule the target breaks (the reference grammar, then TCR's instance, namespace and
    repository rules)."""
    # The FAQ documents the instance-name rules only; other names carry the rule and a suggestion, no FAQ link.
    return [f if f.evidence.get("kind") in (None, "instance") else f.replace(faq=None) for f in _run(ctx)]


def _run(ctx: Context) -> list[Finding]:
    t = ctx.target
    if t.error:
        return [invalid_reference(t.raw, t.error)]
    ed = edition(t.host)
    out = _instance_findings(t.host or "") if ed == "enterprise" and not t.is_ip else []
    if t.repository and ed == "enterprise":
        out += _enterprise_path_findings(t.repository)
    elif t.repository and ed == "personal":
        out += _personal_path_findings(t.repository)
    for f in out:
        # the reference itself is well-formed, so the network checks still run and tell more
        f.evidence["blocking"] = False
    if not out:
        out.append(finding(NAME, "NAME_OK", value=t.image or t.registry, parts=t.to_dict(), edition=ed or "-"))
    return out


def invalid_reference(raw: str, error: dict[str, str]) -> Finding:
    """NAME_INVALID for a target that is not a reference (RAW, the grammar's ERROR), with no FAQ link: the name
    check's finding, and what every check that needs the target's host reports when the name check is not run."""
    return _invalid("ref", raw, error, error["rule"], suggest_ref(raw)).replace(faq=None)


def _invalid(kind: str, value: str, error: dict[str, str], rule: str, suggestion: str | None) -> Finding:
    # `suggested`, the fix's last sentence, is empty when no valid name is close: never "Suggested: -", nor the value
    # itself (a target that parses as another kind of reference: `127.0.0.1:99999` is image 127.0.0.1, tag 99999)
    if suggestion == value:
        suggestion = None
    suggested = (
        {"zh": f"建议改为：{suggestion}", "en": f"Suggested: {suggestion}"} if suggestion else {"zh": "", "en": ""}
    )
    what = KIND_WORDS[kind]
    return finding(
        NAME,
        "NAME_INVALID",
        kind=kind,
        what=what,
        value=value,
        error=error,
        rule=rule,
        suggestion=suggestion,
        suggested=suggested,
    )


def _broken_rule(
    kind: str, value: str, validate: Callable[[str], object], suggest: Callable[[str], str | None]
) -> list[Finding]:
    """[NAME_INVALID] when VALUE breaks VALIDATE's rule (with SUGGEST's correction), else []."""
    try:
        validate(value)
    except NameRuleError as exc:
        return [_invalid(kind, value, exc.message, exc.rule, suggest(value))]
    return []


def _instance_findings(host: str) -> list[Finding]:
    """The instance name in an enterprise host (`<instance>[-vpc]` and ENTERPRISE_SUFFIX; not the mirror domains)."""
    label = enterprise_instance(host)
    if label is None or label in MIRROR_LABELS:
        return []
    return _broken_rule("instance", label, validate_instance, suggest_instance)


def _enterprise_path_findings(repository: str) -> list[Finding]:
    """An enterprise image is <namespace>/<repository>, each under its own rules."""
    ns, _, repo = repository.partition("/")
    out = _broken_rule("namespace", ns, validate_namespace, suggest_namespace)
    if repo:
        return out + _broken_rule("repo", repo, validate_repo, suggest_repo)
    error = {"en": "an enterprise image is <namespace>/<repository>", "zh": "企业版镜像为 <命名空间>/<仓库名>"}
    return [*out, _invalid("repo", repository, error, "enterprise.namespace-required", f"{ns}/{ns}")]


def _personal_path_findings(repository: str) -> list[Finding]:
    """The personal edition takes exactly <namespace>/<repository>: check-name's rule and words
    (diagnostics.names.validate_tcr_path), with its paths too deep joined by '-' as the suggestion."""
    ns, _, repo = repository.partition("/")
    suggestion = f"{ns}/{repo.replace('/', '-')}" if repo else None
    return _broken_rule("repo", repository, _personal_path, lambda _value: suggestion)


def _personal_path(path: str) -> None:
    validate_tcr_path(PERSONAL_HOST, path)
