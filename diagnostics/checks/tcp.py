"""TCP reachability of every resolved address: connected, refused, timed out or unreachable."""

from __future__ import annotations

import time

from .. import net
from ..findings import Finding, finding
from ..value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:  # the context is handed in; importing it would tie the checks to it
    from typing import Any

    from ..context import Context

NAME = "tcp"
DEPENDS = ("dns",)
ORDER = 40
MAX_ADDRESSES = 8  # a name with more answers is tried on its first eight


class TCPResult(Record):
    """What connecting to each resolved address gave."""

    def __init__(self, port: int) -> None:
        self.port = port
        # [{address, outcome: ok|refused|timeout|unreachable, elapsed_ms, timeout?, error?}], in resolution order
        self.results: list[dict[str, Any]] = []
        self.address: str | None = None  # the first address (in resolution order) that accepted


def run(ctx: Context) -> list[Finding]:
    """The finding for the connection attempts to the target's addresses."""
    return [result_finding(ctx.tcp(), step_timeout=ctx.deadline.step)]


def probe(ctx: Context) -> TCPResult:
    """Connect to every resolved address of the target at once (so a blackholed first address does not eat the
    others' time) and close each connection."""
    import threading  # here: a diagnosis that ends at its DNS step loads this module (the context's tcp fact) only

    addrs = ctx.addresses()[:MAX_ADDRESSES]
    out: dict[str, dict[str, Any]] = {}
    threads = [
        threading.Thread(target=_attempt, args=(ip, ctx.target.port, ctx.deadline, out), daemon=True) for ip in addrs
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(max(0.0, ctx.deadline.remaining()))
    res = TCPResult(port=ctx.target.port)
    res.results = [out.get(ip, {"address": ip, "outcome": "timeout"}) for ip in addrs]
    res.address = next((e["address"] for e in res.results if e["outcome"] == "ok"), None)
    return res


def _attempt(ip: str, port: int, deadline: net.Deadline, out: dict[str, dict[str, Any]]) -> None:
    """One connection attempt, recorded as out[ip] = {address, outcome, elapsed_ms, timeout?, error?}."""
    start = time.monotonic()
    entry: dict[str, Any] = {"address": ip}
    try:
        timeout = deadline.timeout()
        entry["timeout"] = round(timeout, 2)
        net.tcp_connect(ip, port, timeout).close()
        entry["outcome"] = "ok"
    except net.DeadlineExceeded:
        entry["outcome"] = "timeout"
    except ConnectionRefusedError:
        entry["outcome"] = "refused"
    except OSError as exc:  # TimeoutError is an OSError
        if isinstance(exc, TimeoutError) or "timed out" in str(exc):
            entry["outcome"] = "timeout"
        else:
            entry["outcome"] = "unreachable"
            entry["error"] = exc.strerror or str(exc)
    entry["elapsed_ms"] = round((time.monotonic() - start) * 1000, 1)
    out[ip] = entry


def result_finding(r: TCPResult, *, step_timeout: float) -> Finding:
    """TCP_OK for the first address that accepted; else timed out, unreachable or refused (in that order of
    precedence), with every attempt as evidence."""
    port = r.port
    ok = [e for e in r.results if e["outcome"] == "ok"]
    if ok:
        e = ok[0]
        return finding(NAME, "TCP_OK", address=e["address"], port=port, elapsed_ms=e["elapsed_ms"], attempts=r.results)
    addrs = [e["address"] for e in r.results]
    timed_out = next((e for e in r.results if e["outcome"] == "timeout"), None)
    if timed_out is not None:
        timeout = timed_out.get("timeout", round(step_timeout, 1))
        return finding(NAME, "TCP_TIMEOUT", address=addrs, port=port, timeout=timeout, attempts=r.results)
    unreachable = next((e for e in r.results if e["outcome"] == "unreachable"), None)
    if unreachable is not None:
        error = unreachable.get("error", "")
        return finding(NAME, "TCP_UNREACHABLE", address=addrs, port=port, error=error, attempts=r.results)
    shown = addrs if len(addrs) > 1 else (addrs[0] if addrs else "-")
    return finding(NAME, "TCP_REFUSED", address=shown, port=port, attempts=r.results)
