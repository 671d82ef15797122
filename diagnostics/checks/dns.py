"""DNS: A/AAAA (and the CNAME chain) with dnspython; NXDOMAIN vs timeout vs SERVFAIL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding, Unavailable, finding

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "dns"
DEPENDS = ("name",)
ORDER = 20


def run(ctx: Context) -> list[Finding]:
    t = ctx.target
    if t.host is None:
        raise Unavailable(
            finding(
                "name",
                "NAME_INVALID",
                kind="ref",
                value=t.raw,
                error=t.error or {},
                rule=(t.error or {}).get("rule"),
                suggestion="-",
            )
        )
    return [ctx.dns_finding(ctx.resolution())]
