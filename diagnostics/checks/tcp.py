"""TCP reachability of every resolved address: connected, refused, timed out or unreachable."""

from __future__ import annotations

from ..context import Context
from ..findings import Finding

NAME = "tcp"
DEPENDS = ("dns",)
ORDER = 40


def run(ctx: Context) -> list[Finding]:
    return [ctx.tcp_finding(ctx.tcp())]
