"""Account: is the target's instance in this account (all regions), and is it Running? (DescribeInstances,
CheckInstanceName when it is not.) The personal edition has no instance: it is reported as such."""

from __future__ import annotations

from typing import Any

from .. import cloud
from ..findings import finding

NAME = "cloud_instance"
DEPENDS: tuple = ()
ORDER = 110
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user


def run(ctx) -> list:
    cloud.api(ctx)
    kind, value = cloud.tcr_target(ctx)
    if kind == "personal":
        return [finding(NAME, "PERSONAL_EDITION", host=ctx.target.host, region=value)]
    reg = cloud.instance(ctx)
    ev: dict[str, Any] = {}
    o = ctx.options.cloud
    if o.region and o.region != reg.get("RegionName"):
        ev["note"] = {
            "en": f"--region {o.region} was given; the instance is in {reg.get('RegionName')}",
            "zh": f"指定了 --region {o.region}，实例实际位于 {reg.get('RegionName')}",
        }
    return [
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
