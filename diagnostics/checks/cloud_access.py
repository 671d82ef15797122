"""Account: access credentials the registry would accept. Long-term instance tokens (DescribeInstanceToken) that are
disabled or expired; the service account given as `--username tcr$...` (DescribeServiceAccounts): missing,
disabled, expired, or without push on the namespace."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .. import cloud
from ..findings import Finding, finding

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "cloud_access"
DEPENDS = ("cloud_instance",)
ORDER = 150
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user
API_CALLS = 1  # look-ups sent at once after the instance's (cloud.warm_connections opens their connections)


def run(ctx: Context) -> list[Finding]:
    """Personal edition: ACCESS_CREDENTIALS_OK (one login password per account). Enterprise: the instance's long-term
    tokens, or the `tcr$` service account given as --username; an API failure becomes the finding."""
    cloud.api(ctx)
    kind, _ = cloud.tcr_target(ctx)
    if kind == "personal":
        return [
            finding(
                NAME,
                "ACCESS_CREDENTIALS_OK",
                summary={
                    "en": "the personal edition has one login password per account (the same in every region)",
                    "zh": "个人版每个账号一个登录密码（各地域相同）",
                },
            )
        ]
    reg = cloud.instance(ctx)
    try:
        return _run(ctx, reg)
    except cloud.CloudError as err:
        return [cloud.error_finding(NAME, err, ctx)]


# Expiry fields are epoch milliseconds; 0 (or absent) means no expiry. Sources: the SDK's models
# (tencentcloud-sdk-python tencentcloud/tcr/v20190924/models.py: CreateServiceAccountRequest / ModifyServiceAccount
# ExpiresAt "过期时间（时间戳，单位:毫秒）"; TcrInstanceToken.ExpiredAt "令牌过期时间戳") and tccli's examples
# (tccli/examples/tcr/v20190924/DescribeServiceAccounts.md: ExpiresAt 1738133070653 for an account created
# 2024-12-30 with 30 days; CreateInstanceToken.md: ExpTime 1735880997750 for a one-hour token).
def _expired(value: Any, now_ms: float) -> bool:
    try:
        v = int(value or 0)
    except (TypeError, ValueError):
        return False
    return v > 0 and v < now_ms


def _when(value: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(value or 0) / 1000))


def _run(ctx: Context, reg: dict[str, Any]) -> list[Finding]:
    rid, region, name = reg["RegistryId"], reg["RegionName"], reg["RegistryName"]
    now = time.time() * 1000
    user = ctx.options.username or ""
    if user.startswith("tcr$"):
        return _service_account(ctx, rid, region, name, user, now)
    # every page of the long-term credentials (Offset/Limit, TotalCount: the API definition), not the first 100 only
    tokens, _ = cloud.listing(ctx, "DescribeInstanceToken", region, {"RegistryId": rid}, "Tokens")
    label = [f"{x.get('Id')} ({x.get('Desc') or '-'})" for x in tokens]
    disabled = [lbl for x, lbl in zip(tokens, label) if x.get("Enabled") is False]
    expired = [
        lbl for x, lbl in zip(tokens, label) if x.get("Enabled") is not False and _expired(x.get("ExpiredAt"), now)
    ]
    out = []
    if disabled:
        out.append(finding(NAME, "INSTANCE_TOKEN_DISABLED", name=name, count=len(disabled), tokens=disabled))
    if expired:
        out.append(finding(NAME, "INSTANCE_TOKEN_EXPIRED", name=name, count=len(expired), tokens=expired))
    if not out:
        n = len(tokens)
        out.append(
            finding(
                NAME,
                "ACCESS_CREDENTIALS_OK",
                summary={
                    "en": f"{n} long-term credential(s), none disabled or expired",
                    "zh": f"{n} 个长期访问凭证，均未禁用或过期",
                },
            )
        )
    return out


def _service_account(ctx: Context, rid: str, region: str, name: str, user: str, now: float) -> list[Finding]:
    short = user[4:]
    # the name filter need not be exact (the API definition does not say; a substring match would also find
    # tcr$ci-old, ...): every page, then the exact name
    accounts, _ = cloud.listing(
        ctx,
        "DescribeServiceAccounts",
        region,
        {"RegistryId": rid, "EmbedPermission": True, "Filters": [{"Name": "ServiceAccountName", "Values": [short]}]},
        "ServiceAccounts",
    )
    sa = next((s for s in accounts if s.get("Name") in (user, short)), None)
    if sa is None:
        return [finding(NAME, "SERVICE_ACCOUNT_NOT_FOUND", name=name, username=user)]
    if sa.get("Disable"):
        return [finding(NAME, "SERVICE_ACCOUNT_DISABLED", username=user)]
    if _expired(sa.get("ExpiresAt"), now):
        return [finding(NAME, "SERVICE_ACCOUNT_EXPIRED", username=user, expired=_when(sa.get("ExpiresAt")))]
    t = ctx.target
    ns = (t.repository or "").split("/", 1)[0]
    granted = sorted(
        {a for p in sa.get("Permissions") or [] if _covers(p.get("Resource"), ns) for a in p.get("Actions") or []}
    )
    if ctx.options.push and ns and "tcr:PushRepository" not in granted:
        return [finding(NAME, "SERVICE_ACCOUNT_NO_PUSH", username=user, namespace=ns, granted=granted or ["-"])]
    return [
        finding(
            NAME,
            "ACCESS_CREDENTIALS_OK",
            summary={
                "en": f"service account {user} is enabled" + (f"; on {ns}: {', '.join(granted) or '-'}" if ns else ""),
                "zh": f"服务级账号 {user} 已启用" + (f"；在 {ns} 上：{'、'.join(granted) or '-'}" if ns else ""),
            },
        )
    ]


def _covers(resource: Any, ns: str) -> bool:
    r = str(resource or "")
    return r in ("*", ns) or r.startswith(ns + "/")
