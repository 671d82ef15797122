"""Internal vs public endpoint: classify the resolved addresses and explain what it means for billing."""

from __future__ import annotations

from .. import VPC_SUFFIX, edition
from ..findings import Finding, finding
from ..net import classify_address

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from typing import Any

    from ..context import Context

NAME = "endpoint"
DEPENDS = ("dns",)
ORDER = 30


def run(ctx: Context) -> list[Finding]:
    """Which resolved addresses are internal (VPC), public or local, and what that means for the edition."""
    t = ctx.target
    host = t.host or ""
    addrs = ctx.addresses()
    classes = {ip: classify_address(ip) for ip in addrs}
    internal = [ip for ip, c in classes.items() if c == "internal"]
    public = [ip for ip, c in classes.items() if c == "public"]
    loopback = [ip for ip, c in classes.items() if c == "loopback"]
    ev: dict[str, Any] = {
        "host": t.host,
        "classes": classes,
        "vpc_domain": host.endswith(VPC_SUFFIX),
        "rule": "10.*, 100.*, 169.254.* and RFC1918 (VPC link IP) are internal",
    }
    r = ctx.resolution()
    # a TCR domain, or a custom domain whose CNAME chain ends at one: public traffic is billed on COS
    tcr = edition(t.host) is not None or any(edition(c) for c in r.cnames) or t.is_ip
    ev["cnames"] = r.cnames
    out = []
    if public:
        out.append(finding(NAME, "ENDPOINT_PUBLIC" if tcr else "ENDPOINT_PUBLIC_OTHER", addresses=public, **ev))
    if internal:
        out.append(finding(NAME, "ENDPOINT_INTERNAL", addresses=internal, **ev))
    if loopback:
        out.append(finding(NAME, "ENDPOINT_LOCAL", addresses=loopback, **ev))
    return out
