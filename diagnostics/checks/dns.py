"""DNS: A/AAAA (and the CNAME chain) with dnspython; NXDOMAIN vs timeout vs SERVFAIL."""

from __future__ import annotations

from ..findings import Finding, finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context
    from ..net import Resolution

NAME = "dns"
DEPENDS = ("name",)
ORDER = 20


def run(ctx: Context) -> list[Finding]:
    """The finding for the target's resolution (the context's NAME_INVALID, as unavailable, when it has no valid
    host)."""
    return [resolution_finding(ctx.resolution(), step_timeout=ctx.deadline.step, target=ctx.target.raw)]


def asked(target: str) -> str:
    """TARGET, the diagnosis's target as asked, as one shell word for the command a refusal's fix names."""
    import shlex  # only on a refusal, never on a diagnosis's start-up path

    return shlex.quote(target)


def resolution_finding(r: Resolution, *, step_timeout: float, target: str) -> Finding:
    """The finding for resolution R: refused by the policy, NXDOMAIN, timed out (after STEP_TIMEOUT seconds),
    SERVFAIL, no address, an IP literal, or the addresses found. TARGET is the diagnosis's target as asked (a
    refusal's fix names it)."""
    ev = {"host": r.host, "nameserver": r.nameserver}
    if r.error == "refused":
        return finding(NAME, "TARGET_REFUSED", host=r.host, reason=r.detail, target=asked(target))
    if r.error == "nxdomain":
        return finding(NAME, "DNS_NXDOMAIN", **ev)
    if r.error == "timeout":
        return finding(NAME, "DNS_TIMEOUT", timeout=round(step_timeout, 1), **ev)
    if r.error == "servfail":
        return finding(NAME, "DNS_SERVFAIL", detail=r.detail, **ev)
    if r.error == "no_address":
        return finding(NAME, "DNS_NO_ADDRESS", **ev)
    if r.source == "literal":
        return finding(NAME, "DNS_LITERAL", host=r.host)
    return finding(NAME, "DNS_OK", addresses=r.addresses, cnames=r.cnames, source=r.source, **ev)
