"""Account: internal access links (DescribeInternalEndpoints) for `--vpc`, and whether the name resolves to the
link (DescribeInternalEndpointDnsStatus). A link without private resolution shows on the wire only as a public
address and a public-traffic bill."""

from __future__ import annotations

from .. import cloud
from ..context import Unavailable
from ..findings import finding
from ..net import classify_address

NAME = "cloud_vpc"
DEPENDS = ("cloud_instance",)
ORDER = 130
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user
READY = "Running"


def run(ctx) -> list:
    return cloud.run_network_check(ctx, NAME, _run)


def _resolved(ctx) -> list[str] | None:
    try:
        return ctx.addresses()
    except Unavailable:
        return None


def _run(ctx, reg) -> list:
    rid, region, name = reg["RegistryId"], reg["RegionName"], reg["RegistryName"]
    data = cloud.call(ctx, "DescribeInternalEndpoints", region, {"RegistryId": rid})
    links = [v for v in data.get("AccessVpcSet") or [] if isinstance(v, dict)]
    described = [f"{v.get('VpcId')} ({v.get('Status')}, {v.get('AccessIp') or '-'})" for v in links] or ["-"]
    vpc = ctx.options.cloud.vpc
    addrs = _resolved(ctx)
    host = ctx.target.host
    if not vpc:
        hit = next((v for v in links if v.get("AccessIp") and addrs and v["AccessIp"] in addrs), None)
        if hit:
            return [_ok(hit, host, confirmed=True)]
        return [finding(NAME, "VPC_LINKS", name=name, links=described)]
    link = next((v for v in links if v.get("VpcId") == vpc), None)
    if link is None:
        return [finding(NAME, "VPC_LINK_MISSING", vpc=vpc, name=name, links=described, region=region)]
    access_ip = link.get("AccessIp") or ""
    if link.get("Status") != READY or not access_ip:
        return [
            finding(NAME, "VPC_LINK_NOT_READY", vpc=vpc, status=link.get("Status") or "-", access_ip=access_ip or "-")
        ]
    if addrs and access_ip in addrs:
        return [_ok(link, host, confirmed=True)]
    public = [ip for ip in addrs or [] if classify_address(ip) == "public"]
    if not public:
        return [_ok(link, host, confirmed=False)]
    use_public_domain = not host.endswith("-vpc.tencentcloudcr.com")
    dns = cloud.call(
        ctx,
        "DescribeInternalEndpointDnsStatus",
        region,
        {
            "VpcSet": [
                {
                    "InstanceId": rid,
                    "VpcId": vpc,
                    "EniLBIp": access_ip,
                    "UsePublicDomain": use_public_domain,
                    "RegionName": region,
                }
            ]
        },
    )
    status = next((v.get("Status") for v in dns.get("VpcSet") or [] if v.get("VpcId") == vpc), None) or "-"
    return [
        finding(NAME, "PRIVATE_DNS_OFF", vpc=vpc, access_ip=access_ip, host=host, addresses=public, dns_status=status)
    ]


def _ok(link, host, confirmed: bool):
    note = (
        {
            "en": f": {host} resolves to it, the account confirms the internal endpoint",
            "zh": f"：{host} 解析到该 IP，账号确认走内网",
        }
        if confirmed
        else {"en": "", "zh": ""}
    )
    return finding(
        NAME,
        "VPC_LINK_OK",
        vpc=link.get("VpcId"),
        access_ip=link.get("AccessIp"),
        confirmed=note,
        account_confirms=confirmed,
    )
