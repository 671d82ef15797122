"""Account: is the target's instance in this account (all regions), and is it Running? (DescribeInstances,
CheckInstanceName when it is not.) The personal edition has no instance: it is reported as such."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import cloud
from ..findings import Finding, finding

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "cloud_instance"
DEPENDS: tuple[str, ...] = ()
ORDER = 110
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user
API_CALLS = 0  # look-ups sent at once after the instance's (cloud.warm_connections opens their connections)
READY_DOMAIN = "SUCCESS"


def run(ctx: Context) -> list[Finding]:
    """PERSONAL_EDITION for a personal-edition host; otherwise the instance's findings (found, Running, its region
    against --region, and a custom domain's status when the host is one)."""
    cloud.api(ctx)
    kind, value = cloud.tcr_target(ctx)
    if kind == "personal":
        return [finding(NAME, "PERSONAL_EDITION", host=ctx.target.host, region=value)]
    reg = cloud.instance(ctx)
    ev: dict[str, Any] = {}
    o = cloud.options(ctx)
    if o.region and o.region != reg.get("RegionName"):
        ev["note"] = {
            "en": f"--region {o.region} was given; the instance is in {reg.get('RegionName')}",
            "zh": f"指定了 --region {o.region}，实例实际位于 {reg.get('RegionName')}",
        }
    out = []
    custom = cloud.custom_domain(ctx) if cloud.tcr_host_kind(ctx) is None else None
    if custom is not None:
        domain = custom[1]
        status = str(domain.get("Status") or "-")
        # CustomizedDomainInfo.Status: SUCCESS, FAILURE, CREATING or DELETING (the SDK model; tccli's example shows
        # "success" in lower case)
        ready = status.upper() == READY_DOMAIN
        dom = {"host": ctx.target.host, "name": reg.get("RegistryName"), "status": status}
        dom["cert_id"] = domain.get("CertId") or "-"
        out.append(
            finding(NAME, "CUSTOM_DOMAIN_OK", **dom) if ready else finding(NAME, "CUSTOM_DOMAIN_NOT_READY", **dom)
        )
    return out + [
        finding(
            NAME,
            "INSTANCE_OK",
            name=reg.get("RegistryName"),
            registry_id=reg.get("RegistryId"),
            registry_type=reg.get("RegistryType"),
            region=reg.get("RegionName"),
            account=cloud.account_label(ctx),
            public_domain=reg.get("PublicDomain"),
            **ev,
        )
    ]
