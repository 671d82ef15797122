"""Account: internal access links (DescribeInternalEndpoints) for `--vpc`, and whether the name resolves to the
link (DescribeInternalEndpointDnsStatus). A link without private resolution shows on the wire only as a public
address and a public-traffic bill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .. import VPC_SUFFIX, cloud
from ..findings import Finding, Unavailable, finding
from ..net import classify_address

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "cloud_vpc"
DEPENDS = ("cloud_instance",)
ORDER = 130
GROUP = "cloud"  # the account, through the TCR cloud API: run with `--cloud` (or named in --only)
ANONYMOUS = False  # needs cloud credentials: never for an anonymous web or Slack user
API_CALLS = 1  # look-ups sent at once after the instance's (cloud.warm_connections opens their connections)
# When a link is ready. AccessVpc.Status ("内网接入状态") has no list of values in the API definition: its one example
# is "Running" (tencentcloud-cli tccli/services/tcr/v20190924/api.json, AccessVpc, the definition the SDK models are
# generated from). The console guide (tencentyun/qcloud-documents, 容器镜像服务/操作指南/访问配置/访问网络控制/
# 配置内网访问控制.md) calls a link created when its state shows 链路正常 *and* its 内网解析IP is set; Tencent's tccli
# guides poll `AccessVpcSet[].Status` until "Running" with a non-empty AccessIp, and terraform-provider-tencentcloud
# (services/tcr/resource_tc_tcr_vpc_attachment.go: WaitForAccessIpExists) waits for the AccessIp. One tccli guide
# (TKE Serverless 常见问题) shows "Connected", in a sample that also carries a field the model lacks (EniLBIp), so it
# is no captured answer; it is still a word for "up", so it counts as ready rather than raise a false alarm. Any other
# status (none is documented), or a ready one without an AccessIp, is VPC_LINK_NOT_READY. Compared ignoring case.
READY = ("running", "connected")
# DescribeInternalEndpointDnsStatus VpcSet[].Status (VpcPrivateDomainStatus): the SDK model says ENABLE / DISABLE /
# ERROR; the tccli example (tccli/examples/tcr/v20190924/DescribeInternalEndpointDnsStatus.md) and
# terraform-provider-tencentcloud (services/tcr/extension_tcr.go: TCR_VPC_DNS_STATUS_ENABLED = "ENABLED") show
# ENABLED / DISABLED. Both spellings are read.
DNS_ON = ("ENABLED", "ENABLE")
DNS_OFF = ("DISABLED", "DISABLE")
DNS_MEANING = {
    "on": {
        "en": "on for this VPC, so this client does not use the VPC's DNS (another resolver, /etc/hosts, or not in the VPC)",
        "zh": "该 VPC 已开启，说明此客户端没有使用 VPC 的 DNS（用了其他解析服务器、/etc/hosts，或不在该 VPC 中）",
    },
    "off": {"en": "off for this VPC", "zh": "该 VPC 未开启"},
    "unknown": {"en": "the service could not tell", "zh": "服务无法查询"},
    "custom": {
        "en": "not offered for a custom domain: add an A record for it pointing to the access IP in the VPC's DNS (Private DNS)",
        "zh": "自定义域名不支持自动解析：请在 VPC 的 DNS（私有域解析 Private DNS）中为其添加指向内网访问 IP 的 A 记录",
    },
}


def run(ctx: Context) -> list[Finding]:
    """The internal access links for --vpc and their private DNS resolution, in the frame of
    `cloud.run_network_check`."""
    return cloud.run_network_check(ctx, NAME, _run)


def _resolved(ctx: Context) -> list[str] | None:
    try:
        return ctx.addresses()
    except Unavailable:
        return None


def _run(ctx: Context, reg: dict[str, Any]) -> list[Finding]:
    rid, region, name = reg["RegistryId"], reg["RegionName"], reg["RegistryName"]
    data = cloud.call(ctx, "DescribeInternalEndpoints", region, {"RegistryId": rid})
    links = [v for v in data.get("AccessVpcSet") or [] if isinstance(v, dict)]
    described = [f"{v.get('VpcId')} ({v.get('Status')}, {v.get('AccessIp') or '-'})" for v in links] or ["-"]
    vpc = cloud.options(ctx).vpc
    addrs = _resolved(ctx)
    host = ctx.target.host
    if not vpc:
        hit = next((v for v in links if v.get("AccessIp") and addrs and v["AccessIp"] in addrs), None)
        if hit and not ready(hit):  # the name already leads to a link that is not up
            return [_not_ready(hit)]
        if hit:
            return [_ok(hit, host, confirmed=True)]
        return [finding(NAME, "VPC_LINKS", name=name, links=described)]
    link = next((v for v in links if v.get("VpcId") == vpc), None)
    if link is None:
        return [finding(NAME, "VPC_LINK_MISSING", vpc=vpc, name=name, links=described, region=region)]
    if not ready(link):
        return [_not_ready(link)]
    access_ip = str(link["AccessIp"])
    if addrs and access_ip in addrs:
        return [_ok(link, host, confirmed=True)]
    public = [ip for ip in addrs or [] if classify_address(ip) == "public"]
    if not public:
        return [_ok(link, host, confirmed=False)]
    if cloud.tcr_host_kind(ctx) is None:  # a custom domain: TCR's automatic resolution covers only its own names
        state, status = "custom", "-"
    else:  # a TCR host name here (tcr_host_kind is not None), so never None
        state, status = _dns_status(ctx, rid, region, vpc, access_ip, cast(str, host))
    return [
        finding(
            NAME,
            "PRIVATE_DNS_OFF",
            vpc=vpc,
            access_ip=access_ip,
            host=host,
            addresses=public,
            dns_status=DNS_MEANING[state],
            dns_status_code=status,
        )
    ]


def _dns_status(ctx: Context, rid: str, region: str, vpc: str, access_ip: str, host: str) -> tuple[str, Any]:
    """The VPC's private resolution as the service reports it: ("on" | "off" | "unknown", the raw status)."""
    use_public_domain = not host.endswith(VPC_SUFFIX)
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
    state = "on" if str(status).upper() in DNS_ON else "off" if str(status).upper() in DNS_OFF else "unknown"
    return state, status


def ready(link: dict[str, Any]) -> bool:
    """Whether an AccessVpc is up: a ready status (READY) and an AccessIp."""
    return str(link.get("Status") or "").lower() in READY and bool(link.get("AccessIp"))


def _not_ready(link: dict[str, Any]) -> Finding:
    return finding(
        NAME,
        "VPC_LINK_NOT_READY",
        vpc=link.get("VpcId") or "-",
        status=link.get("Status") or "-",
        access_ip=link.get("AccessIp") or "-",
    )


def _ok(link: dict[str, Any], host: str | None, confirmed: bool) -> Finding:
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
