"""TCP reachability of every resolved address: connected, refused, timed out or unreachable."""

from __future__ import annotations

NAME = "tcp"
DEPENDS = ("dns",)
ORDER = 40


def run(ctx) -> list:
    return [ctx.tcp_finding(ctx.tcp())]
