"""Account: does the namespace, repository and tag exist (DescribeNamespaces / DescribeRepositories / DescribeImages;
personal edition: DescribeNamespacePersonal / DescribeRepositoryOwnerPersonal / DescribeImagePersonal), without any
docker credentials. A push to a namespace that does not exist is only "denied" on the wire; a personal-edition image
pushed to another region's host is only "not found"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .. import cloud
from ..findings import NO_IMAGE, Finding, finding
from .image import tag_hint

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "cloud_image"
DEPENDS = ("cloud_instance",)
ORDER = 140
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user
API_CALLS = 2  # look-ups sent at once after the instance's (cloud.warm_connections opens their connections)
PERSONAL_PAIR = ("ap-guangzhou", "ap-hongkong")  # the usual mix-up: ccr. vs hkccr.


def run(ctx: Context) -> list[Finding]:
    """Whether the image's namespace, repository and tag exist in the account (SKIPPED without a repository in the
    target); an API failure becomes the finding."""
    cloud.api(ctx)
    kind, value = cloud.tcr_target(ctx)
    t = ctx.target
    if not t.repository:
        return [finding(NAME, "SKIPPED", reason=NO_IMAGE)]
    try:
        if kind == "personal":
            return _personal(ctx, value)
        return _enterprise(ctx, cloud.instance(ctx))
    except cloud.CloudError as err:
        return [cloud.error_finding(NAME, err, ctx)]


def _ev(ctx: Context) -> dict[str, Any]:
    t = ctx.target
    return {
        "registry": t.registry,
        "repository": t.repository,
        "reference": t.digest or t.tag,
        "source": {"en": "the TCR API", "zh": "TCR 云 API"},
    }


def _enterprise(ctx: Context, reg: dict[str, Any]) -> list[Finding]:
    t = ctx.target
    rid, region, name = reg["RegistryId"], reg["RegionName"], reg["RegistryName"]
    ns, _, rest = cast(str, t.repository).partition("/")  # run() answered SKIPPED without one
    out = []
    repo_q = {"RegistryId": rid, "NamespaceName": ns, "RepositoryName": rest, "Limit": 100}
    image_q = {"RegistryId": rid, "NamespaceName": ns, "RepositoryName": rest, "Limit": 100}
    if t.digest:
        image_q["Digest"] = t.digest
    else:
        image_q.update({"ImageVersion": t.tag, "ExactMatch": True})
    if rest:  # the image and the namespaces do not depend on each other's answers: one round trip for both
        cloud.prefetch(ctx, [("DescribeImages", region, image_q)])
    every = cloud.namespaces(ctx, rid, region)  # one answer for this check and the quota check
    names = every.get("NamespaceList") or []
    found = next((n for n in names if n.get("Name") == ns), None)
    if found is None and int(every.get("TotalCount") or 0) > len(names):  # more than one page: ask for it by name
        data = cloud.call(ctx, "DescribeNamespaces", region, {"RegistryId": rid, "NamespaceName": ns, "Limit": 100})
        found = next((n for n in data.get("NamespaceList") or [] if n.get("Name") == ns), None)
    if found is None:
        existing = sorted(n.get("Name") for n in names if n.get("Name"))
        return [finding(NAME, "NAMESPACE_NOT_FOUND", name=name, namespace=ns, existing=existing[:20] or ["-"])]
    public = bool(found.get("Public"))
    visibility = (
        {"en": "public: anyone the network allows can pull without login", "zh": "公开：网络允许的任何人都可免登录拉取"}
        if public
        else {"en": "private", "zh": "私有"}
    )
    out.append(finding(NAME, "NAMESPACE_FOUND", namespace=ns, visibility=visibility, public=public))
    if not rest:
        return out
    try:
        imgs = cloud.call(ctx, "DescribeImages", region, image_q).get("ImageInfoList") or []
    except cloud.CloudError as err:
        if err.kind != "not_found":
            raise
        imgs = []
    hit = next((i for i in imgs if (i.get("Digest") == t.digest if t.digest else i.get("ImageVersion") == t.tag)), None)
    if hit:  # the usual case: one round trip after the instance, no repository look-up
        out.append(finding(NAME, "TAG_FOUND", digest=hit.get("Digest") or "-", **_ev(ctx)))
        return out
    # not found: is it the repository or the tag? (both look-ups at once)
    cloud.prefetch(
        ctx,
        [("DescribeImages", region, {"RegistryId": rid, "NamespaceName": ns, "RepositoryName": rest, "Limit": 100})],
    )
    repos = cloud.call(ctx, "DescribeRepositories", region, repo_q)
    if not any(r.get("Name") in (t.repository, rest) for r in repos.get("RepositoryList") or []):
        # a push creates the repository: only a problem for a pull
        out.append(finding(NAME, "REPO_NOT_FOUND", level="ok" if ctx.options.push else None, **_ev(ctx)))
        return out
    every = cloud.call(
        ctx, "DescribeImages", region, {"RegistryId": rid, "NamespaceName": ns, "RepositoryName": rest, "Limit": 100}
    )
    tags = [i.get("ImageVersion") for i in every.get("ImageInfoList") or [] if i.get("ImageVersion")]
    level = "ok" if ctx.options.push and not t.digest else None
    out.append(
        finding(
            NAME,
            "TAG_NOT_FOUND",
            level=level,
            tag_count=every.get("TotalCount", len(tags)),
            **tag_hint(t.reference or "", tags, _ev(ctx)["registry"], _ev(ctx)["repository"]),
            **_ev(ctx),
        )
    )
    return out


def _personal_repo(ctx: Context, region: str, repo: str) -> dict[str, Any] | None:
    data = cloud.call(ctx, "DescribeRepositoryOwnerPersonal", region, {"RepoName": repo, "Limit": 100})
    info = (data.get("Data") or {}).get("RepoInfo") or []
    return next((r for r in info if r.get("RepoName") == repo), None)


def _personal_tag(ctx: Context, region: str, repo: str, tag: str) -> dict[str, Any] | None:
    try:
        data = cloud.call(ctx, "DescribeImagePersonal", region, {"RepoName": repo, "Tag": tag, "Limit": 100})
    except cloud.CloudError as err:
        if err.kind == "not_found":
            return None
        raise
    return next((x for x in (data.get("Data") or {}).get("TagInfo") or [] if x.get("TagName") == tag), None)


def _elsewhere(ctx: Context, region: str, repo: str, tag: str | None) -> str | None:
    """Another region (of the usual pair) where the repository (and tag) exists."""
    for other in PERSONAL_PAIR:
        if other == region:
            continue
        try:
            if _personal_repo(ctx, other, repo) is None:
                continue
            if tag and _personal_tag(ctx, other, repo, tag) is None:
                continue
        except cloud.CloudError:
            continue  # the other region is extra evidence, not the diagnosis
        return other
    return None


def _personal(ctx: Context, region: str) -> list[Finding]:
    t = ctx.target
    repo = cast(str, t.repository)  # run() answered SKIPPED without one
    ns = repo.split("/", 1)[0]
    tag = None if t.digest else t.tag

    def other_region(other: str) -> Finding:
        return finding(
            NAME,
            "IMAGE_IN_OTHER_REGION",
            host=t.host,
            region=region,
            other_host=cloud.PERSONAL_HOSTS[other],
            other_region=other,
            **_ev(ctx),
        )

    if tag:  # the repository and the tag are looked up at once: one round trip when both are there
        cloud.prefetch(ctx, [("DescribeImagePersonal", region, {"RepoName": repo, "Tag": tag, "Limit": 100})])
    if _personal_repo(ctx, region, repo) is None:
        other = _elsewhere(ctx, region, repo, None)
        if other:
            return [other_region(other)]
        data = cloud.call(ctx, "DescribeNamespacePersonal", region, {"Namespace": ns, "Limit": 100})
        names = [n.get("Namespace") for n in (data.get("Data") or {}).get("NamespaceInfo") or []]
        if ns not in names:
            if cloud.options(ctx).scope == "account":
                return [
                    finding(NAME, "INSTANCE_OUTSIDE_ACCOUNT", name=f"{t.host}/{ns}", account=cloud.account_label(ctx))
                ]
            # someone else's namespace may still be public: only a push needs it to be ours
            return [
                finding(
                    NAME,
                    "NAMESPACE_NOT_FOUND",
                    level=None if ctx.options.push else "warn",
                    name=t.host,
                    namespace=ns,
                    existing=sorted(x for x in names if x)[:20] or ["-"],
                )
            ]
        return [finding(NAME, "REPO_NOT_FOUND", level="ok" if ctx.options.push else None, **_ev(ctx))]
    if not tag:
        return [finding(NAME, "NAMESPACE_FOUND", namespace=ns, visibility={"en": "personal edition", "zh": "个人版"})]
    hit = _personal_tag(ctx, region, repo, tag)
    if hit:
        return [finding(NAME, "TAG_FOUND", digest=hit.get("ImageId") or "-", **_ev(ctx))]
    other = _elsewhere(ctx, region, repo, tag)
    if other:
        return [other_region(other)]
    data = cloud.call(ctx, "DescribeImagePersonal", region, {"RepoName": repo, "Limit": 100}).get("Data") or {}
    tags = [x.get("TagName") for x in data.get("TagInfo") or [] if x.get("TagName")]
    return [
        finding(
            NAME,
            "TAG_NOT_FOUND",
            level="ok" if ctx.options.push else None,
            tag_count=data.get("TagCount", len(tags)),
            **tag_hint(tag, tags, _ev(ctx)["registry"], _ev(ctx)["repository"]),
            **_ev(ctx),
        )
    ]
