"""Account: quotas. Enterprise: namespaces and repositories against the instance's tier (shared/facts/tcr.md §3).
Personal edition: DescribeUserQuotaPersonal against the namespaces, repositories and the image's tags in use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import LANGS, cloud
from ..findings import Finding, finding

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "cloud_quota"
DEPENDS = ("cloud_instance",)
ORDER = 160
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user
API_CALLS = 2  # look-ups sent at once after the instance's (cloud.warm_connections opens their connections)
NEAR = 0.9
TIERS = {
    "basic": {"namespace": 50, "repo": 1000},
    "standard": {"namespace": 100, "repo": 3000},
    "premium": {"namespace": 500, "repo": 5000},
}
WHAT = {
    "namespace": {"en": "Namespaces", "zh": "命名空间"},
    "repo": {"en": "Repositories", "zh": "镜像仓库"},
    "tag": {"en": "Tags of this image", "zh": "该镜像的版本数"},
}
ADVICE_ENTERPRISE = {
    "en": "Delete namespaces or repositories you no longer use, or upgrade the instance's tier (premium quotas can be raised by a ticket).",
    "zh": "删除不再使用的命名空间或仓库，或升级实例规格（高级版配额可提工单提升）。",
}
ADVICE_PERSONAL = {
    "en": "Personal-edition quotas cannot be raised: delete what you no longer need, or move to the enterprise edition.",
    "zh": "个人版配额不可提升：删除不再需要的内容，或迁移到企业版。",
}


def run(ctx: Context) -> list[Finding]:
    """Namespaces, repositories (and personal-edition tags) in use against the quota: a warning when near it, a failure
    when at it; an API failure becomes the finding."""
    cloud.api(ctx)
    kind, value = cloud.tcr_target(ctx)
    try:
        if kind == "personal":
            return _judge(_personal(ctx, value), {"en": "personal edition", "zh": "个人版"}, ADVICE_PERSONAL)
        reg = cloud.instance(ctx)
        return _judge(_enterprise(ctx, reg), _tier_label(reg), ADVICE_ENTERPRISE)
    except cloud.CloudError as err:
        return [cloud.error_finding(NAME, err, ctx)]


def _tier_label(reg: dict[str, Any]) -> dict[str, str]:
    tier = str(reg.get("RegistryType") or "-")
    return {"en": f"{tier} tier", "zh": f"{tier} 规格"}


def _enterprise(ctx: Context, reg: dict[str, Any]) -> list[tuple[str, int, int]]:
    limits = TIERS.get(str(reg.get("RegistryType")))
    if not limits:
        return []
    rid, region = reg["RegistryId"], reg["RegionName"]
    cloud.prefetch(ctx, [("DescribeRepositories", region, {"RegistryId": rid, "Limit": 1})])
    ns = cloud.namespaces(ctx, rid, region)
    repos = cloud.call(ctx, "DescribeRepositories", region, {"RegistryId": rid, "Limit": 1})
    return [
        ("namespace", int(ns.get("TotalCount") or 0), limits["namespace"]),
        ("repo", int(repos.get("TotalCount") or 0), limits["repo"]),
    ]


def _personal(ctx: Context, region: str) -> list[tuple[str, int, int]]:
    # LimitInfo[].Type is "namespace", "repo" or "tag" (tccli/examples/tcr/v20190924/DescribeUserQuotaPersonal.md:
    # namespace 10, repo 1000, tag 1000; the SDK model `Limit` names the field only)
    repo = ctx.target.repository
    counts: list[tuple[str, str, dict[str, Any]]] = [
        ("DescribeNamespacePersonal", region, {"Namespace": "", "Limit": 1}),
        ("DescribeRepositoryOwnerPersonal", region, {"Limit": 1}),
    ]
    if repo:
        counts.append(("DescribeImagePersonal", region, {"RepoName": repo, "Limit": 1}))
    cloud.prefetch(ctx, counts)  # the limits and the counts at once: one round trip, not four
    q = cloud.call(ctx, "DescribeUserQuotaPersonal", region, {})
    limits = {str(x.get("Type")): int(x.get("Value") or 0) for x in (q.get("Data") or {}).get("LimitInfo") or []}
    out = []
    if limits.get("namespace"):
        d = cloud.call(ctx, "DescribeNamespacePersonal", region, {"Namespace": "", "Limit": 1}).get("Data") or {}
        out.append(("namespace", int(d.get("NamespaceCount") or 0), limits["namespace"]))
    if limits.get("repo"):
        d = cloud.call(ctx, "DescribeRepositoryOwnerPersonal", region, {"Limit": 1}).get("Data") or {}
        out.append(("repo", int(d.get("TotalCount") or 0), limits["repo"]))
    if limits.get("tag") and repo:
        try:
            d = cloud.call(ctx, "DescribeImagePersonal", region, {"RepoName": repo, "Limit": 1}).get("Data") or {}
            out.append(("tag", int(d.get("TagCount") or 0), limits["tag"]))
        except cloud.CloudError as err:
            if err.kind != "not_found":
                raise
    return out


def _judge(usage: list[tuple[str, int, int]], edition: dict[str, str], advice: dict[str, str]) -> list[Finding]:
    out = []
    for what, used, limit in usage:
        if limit and used >= limit:
            code = "CLOUD_QUOTA_EXCEEDED"
        elif limit and used >= NEAR * limit:
            code = "CLOUD_QUOTA_NEAR"
        else:
            continue
        out.append(
            finding(NAME, code, what=WHAT[what], used=used, limit=limit, edition=edition, advice=advice, kind=what)
        )
    if not out:
        text = {
            lang: ("、" if lang == "zh" else ", ").join(f"{WHAT[w][lang]} {u}/{lim}" for w, u, lim in usage) or "-"
            for lang in LANGS
        }
        out.append(finding(NAME, "CLOUD_QUOTA_OK", edition=edition, usage=text))
    return out
