"""TCP reachability of every resolved address: connected, refused, timed out or unreachable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding

if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from ..context import Context

NAME = "tcp"
DEPENDS = ("dns",)
ORDER = 40


def run(ctx: Context) -> list[Finding]:
    return [ctx.tcp_finding(ctx.tcp())]
