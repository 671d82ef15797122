"""Account: the public access entry (DescribeExternalEndpointStatus) and its whitelist (DescribeSecurityPolicies)
against `--client-ip`. A blocked client only sees a timeout; the account says why."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from .. import cloud
from ..findings import Finding, Unavailable, finding
from ..net import classify_address

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "cloud_network"
DEPENDS = ("cloud_instance",)
ORDER = 120
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user
API_CALLS = 2  # look-ups sent at once after the instance's (cloud.warm_connections opens their connections)
OPEN_TO_ALL = ("0.0.0.0/0", "::/0")


def run(ctx: Context) -> list[Finding]:
    """The public entry's status and whitelist against --client-ip, in the frame of `cloud.run_network_check`."""
    return cloud.run_network_check(ctx, NAME, _run)


def _internal_only(ctx: Context) -> bool:
    """Whether the target resolves only to internal addresses (then the public entry does not matter)."""
    try:
        addrs = ctx.addresses()
    except Unavailable:
        return False
    return bool(addrs) and all(classify_address(ip) == "internal" for ip in addrs)


def _run(ctx: Context, reg: dict[str, Any]) -> list[Finding]:
    rid, region, name = reg["RegistryId"], reg["RegionName"], reg["RegistryName"]
    cloud.prefetch(ctx, [("DescribeSecurityPolicies", region, {"RegistryId": rid})])
    st = cloud.call(ctx, "DescribeExternalEndpointStatus", region, {"RegistryId": rid})
    status = str(st.get("Status") or "-")
    if status != "Opened":
        level = "ok" if _internal_only(ctx) else None  # clients inside the VPC do not use the public entry
        return [
            finding(NAME, "PUBLIC_ACCESS_CLOSED", level=level, name=name, status=status, reason=st.get("Reason") or "-")
        ]
    out = [finding(NAME, "PUBLIC_ACCESS_OPEN", name=name)]
    pol = cloud.call(ctx, "DescribeSecurityPolicies", region, {"RegistryId": rid})
    cidrs = [str(p.get("CidrBlock")) for p in pol.get("SecurityPolicySet") or [] if isinstance(p, dict)]
    for c in cidrs:
        if c in OPEN_TO_ALL:
            out.append(finding(NAME, "WHITELIST_OPEN_TO_ALL", name=name, cidr=c))
    client_ip = cloud.options(ctx).client_ip
    if not cidrs:
        out.append(finding(NAME, "PUBLIC_IP_NOT_ALLOWED", name=name, client_ip=client_ip or "-", cidrs=["-"]))
        return out
    if not client_ip:
        out.append(finding(NAME, "PUBLIC_WHITELIST", name=name, cidrs=cidrs))
        return out
    ip = ipaddress.ip_address(client_ip)
    match = next((c for c in cidrs if _contains(c, ip)), None)
    if match:
        out.append(finding(NAME, "PUBLIC_IP_ALLOWED", client_ip=client_ip, cidr=match))
    else:
        out.append(finding(NAME, "PUBLIC_IP_NOT_ALLOWED", name=name, client_ip=client_ip, cidrs=cidrs))
    return out


def _contains(cidr: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    try:
        return ip in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
