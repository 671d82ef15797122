"""Run the checks: concurrently, with dependencies and one deadline for the whole diagnosis.

A selected check starts in its own (daemon) thread as soon as the selected checks it depends on have passed; checks
whose dependencies passed run at the same time. Facts several checks need are computed once through the context (see
context.py), so the wall time of the diagnosis is its critical path, not the sum of the checks. A check whose
dependency failed is not run: it is reported as `skip` with the reason. A check still running at the deadline is
reported as DEADLINE_EXCEEDED and abandoned: the diagnosis never waits for the sum of the timeouts.

A check's module is imported when the check starts, so a diagnosis pays only for the code it runs: one whose DNS step
fails never loads the TLS, HTTP and token checks (ssl, http.client: tests/test_startup.py). The clock stops while a
module loads: the deadline moves by that time and the reported duration leaves it out (both measure the network).
"""

from __future__ import annotations

import _thread
import time
from collections.abc import Callable, Iterable
from types import ModuleType

from . import checks, is_tcr_registry, net, verdict
from .context import Context, DiagnoseOptions
from .errors import InputError
from .findings import STATUSES, Finding, Unavailable, catalogue, finding
from .target import Target, parse_target
from .value import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see tests/test_startup.py
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    from .results import ReportDict, Verdict

GRACE = 0.05  # at most this many seconds (and 2 % of the deadline) for checks whose last step timed out right at it


def check_names() -> tuple[str, ...]:
    """Every check's name in report order (the registry in diagnostics/checks/__init__.py)."""
    return checks.names()


def load_checks(names: Iterable[str] | None = None) -> dict[str, ModuleType]:
    """name -> the check's module, for the checks NAMES (default: every registered check). Only these are
    imported: a diagnosis does not pay for the checks it does not run."""
    wanted = None if names is None else set(names)
    return {info.name: info.load() for info in checks.all_checks() if wanted is None or info.name in wanted}


def select(
    only: str | Iterable[str] | None = None, skip: str | Iterable[str] | None = None, cloud: bool = False
) -> list[str]:
    """The checks to run, in order: the wire checks, and the account checks too when CLOUD (or when named in ONLY).
    Raises InputError (a ValueError saying why in zh and en) on an unknown name or when none is left."""
    known, groups = check_names(), checks.groups()

    def norm(v: str | Iterable[str] | None) -> list[str] | None:
        if v is None:
            return None
        items = v.split(",") if isinstance(v, str) else [x for part in v for x in str(part).split(",")]
        items = [x.strip() for x in items if x.strip()]
        bad = [x for x in items if x not in known and x not in groups]
        if bad:
            names, choices = ", ".join(bad), ", ".join(checks.choices())
            raise InputError(
                f"unknown check(s) {names}; choose from {choices}", f"没有名为 {names} 的检查；可选：{choices}"
            )
        return [c for x in items for c in groups.get(x, (x,))]

    only_l, skip_l = norm(only), norm(skip)
    on = {"cloud"} if cloud else set()
    default = [i.name for i in checks.all_checks() if i.group is None or i.group in on]
    chosen = [c for c in known if (c in only_l if only_l is not None else c in default) and c not in (skip_l or [])]
    if not chosen:
        raise InputError("no check left to run", "排除之后没有要运行的检查")
    return chosen


class Report(Record):
    """A diagnosis: the target, the checks run, their findings (report order), timings and the verdict.

    A plain class, not a dataclass: see diagnostics.findings.Finding."""

    def __init__(
        self,
        target: Target,
        findings: list[Finding] | None = None,
        checks: list[str] | None = None,
        timings: dict[str, float] | None = None,
        duration: float = 0.0,
        deadline: float = 0.0,
        started_at: str = "",
        verdict: list[Verdict] | None = None,
    ) -> None:
        self.target = target
        self.findings: list[Finding] = [] if findings is None else findings
        self.checks: list[str] = [] if checks is None else checks
        self.timings: dict[str, float] = {} if timings is None else timings  # check -> seconds
        self.duration = duration
        self.deadline = deadline
        self.started_at = started_at
        # [{cause, symptoms}]: account findings that explain wire failures
        self.verdict: list[Verdict] = [] if verdict is None else verdict

    @property
    def exit_code(self) -> int:
        """1 when any finding failed, else 0 (the CLI's exit status)."""
        return 1 if any(f.status == "fail" for f in self.findings) else 0

    @property
    def counts(self) -> dict[str, int]:
        """Findings per status (ok, warn, fail, skip)."""
        c = dict.fromkeys(STATUSES, 0)
        for f in self.findings:
            c[f.status] = c.get(f.status, 0) + 1
        return c

    def to_dict(self) -> ReportDict:
        """The report as JSON-ready data (`diagnose --json`, the web API)."""
        return {
            "target": self.target.to_dict(),
            "checks": list(self.checks),
            "findings": [f.to_dict() for f in self.findings],
            "verdict": [{"cause": v["cause"], "symptoms": v["symptoms"]} for v in self.verdict],
            "counts": self.counts,
            "exit_code": self.exit_code,
            "duration_s": round(self.duration, 3),
            "deadline_s": self.deadline,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "started_at": self.started_at,
        }


def _skip(check: str, reason_code: str, reason_check: str) -> Finding:
    return finding(
        check,
        "SKIPPED",
        reason={"en": f"{reason_check} failed ({reason_code})", "zh": f"{reason_check} 检查未通过（{reason_code}）"},
        blocked_by=reason_check,
        blocked_code=reason_code,
    )


Progress: TypeAlias = "Callable[[str, str, dict[str, Any]], None]"
# (ok, [findings]) | (unavailable, finding) | (deadline, None) | (error, text) | (not_run, None)
Outcome: TypeAlias = "tuple[str, Any]"


def diagnose(target: str | Target, options: DiagnoseOptions | None = None, progress: Progress | None = None) -> Report:
    """Diagnose TARGET. PROGRESS(event, check, info) is called with 'start' and 'done' as checks run."""
    options = options or DiagnoseOptions()
    t = target if isinstance(target, Target) else parse_target(target)
    chosen = select(options.only, options.skip, cloud=options.cloud is not None)
    _warm_imports(t, chosen, options)
    deadline = net.Deadline(max(0.1, float(options.timeout)), options.step_timeout)
    ctx = Context(t, options, deadline, chosen)
    report = Report(
        target=t, checks=chosen, deadline=deadline.total, started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    )
    if progress:
        for name in chosen:
            progress("start", name, {})
    try:
        results = _Schedule(chosen, ctx, report, progress).run()
    finally:
        ctx.close()
    failed: dict[str, tuple[str, str]] = {}  # check -> (blocking check, code) for checks that failed or were skipped
    # a fact's owner that was not selected (`--only tcp,tls`: the name or DNS check) -> (the check that reported its
    # failure first in report order, code): the later checks that needed the same fact are SKIPPED by that one
    reported: dict[str, tuple[str, str]] = {}
    for name in chosen:
        deps = [d for d in checks.get(name).depends if d in failed]
        if name in results or deps:
            fs = _findings_of(
                name, results.get(name, _NOT_RUN), deps, failed, chosen, timeout=deadline.total, reported=reported
            )
            for f in fs:
                if f.check not in chosen and f.status == "fail":
                    reported.setdefault(f.check, (name, f.code))
        else:  # still running (or not started) at the deadline
            fs = [finding(name, "DEADLINE_EXCEEDED", check_name=name, timeout=deadline.total)]
            report.timings[name] = deadline.elapsed()
            if progress:
                progress("done", name, {"seconds": deadline.elapsed(), "status": "fail"})
        fs = [f.replace(check=name, evidence=dict(f.evidence)) for f in fs]
        report.findings.extend(fs)
        blocker = _blocker(name, fs, deps, failed)
        if blocker is not None:
            failed[name] = blocker
    if not registry_is_tcr(t, options, report.findings):
        report.findings = [f.for_other_registry() for f in report.findings]
    report.findings = verdict.settle(report.findings)
    report.verdict = verdict.causes(report.findings)
    report.duration = deadline.elapsed()
    return report


def registry_is_tcr(target: Target, options: DiagnoseOptions, findings: Iterable[Finding]) -> bool:
    """Whether the registry diagnosed is TCR, so its findings may speak of TCR's console, CAM, instances and FAQ:
    diagnostics.is_tcr_registry (the one rule, the channels' too) on the target's host, the edition the caller says it
    stands for, and the findings. Anything else gets the vendor-neutral fixes."""
    return is_tcr_registry(target.host, findings, stands_for=options.edition)


_NOT_RUN: Outcome = ("not_run", None)  # a dependency failed: the check was not started


def _load(deadline: net.Deadline, name: str) -> ModuleType:
    """The module of the check NAME, imported with the clock stopped (net.Deadline.stopped)."""
    with deadline.stopped():
        return load_checks([name])[name]


class _Schedule:
    """One diagnosis's checks: started as their dependencies pass, collected until all have ended or the deadline
    (plus a short grace) has passed."""

    def __init__(self, chosen: list[str], ctx: Context, report: Report, progress: Progress | None):
        self.ctx, self.report, self.progress = ctx, report, progress
        self.chosen = chosen
        # the account checks first: their chain of API round trips is the longest wait of a diagnosis, so its first
        # request leaves before the wire checks' threads take the CPU
        self.waiting = sorted(chosen, key=lambda n: checks.get(n).group != "cloud")
        self.results: dict[str, Outcome] = {}
        self.failed: dict[str, tuple[str, str]] = {}  # as in diagnose(): check -> (blocking check, code)
        # as diagnose()'s `reported`, in the order checks end: what a progress line says (the report's own order
        # decides which check carries the finding; the statuses the lines show are the report's)
        self.reported: dict[str, tuple[str, str]] = {}
        # The checks that ended, as their threads hand them over: a list under a lock, and a second lock released
        # when one is added, which the schedule waits on. Not a queue.Queue (its module, with heapq, ~2.4 M
        # instructions of every diagnosis's start-up) nor threading's Thread and Condition: the threading module is
        # ~4 M (valgrind, benchmarks/bench_startup.py), and _thread, which it is built on, does what is needed here
        # (its threads are daemons: one still running at the deadline is abandoned).
        self.done: list[tuple[str, Outcome, float]] = []
        self.done_lock = _thread.allocate_lock()
        self.wakeup = _thread.allocate_lock()
        self.wakeup.acquire()

    def run(self) -> dict[str, Outcome]:
        """The outcomes of the checks that ended by the deadline, with their timings in the report."""
        deadline = self.ctx.deadline
        self._start_ready()
        while len(self.results) < len(self.chosen):
            wait = deadline.remaining() + min(GRACE, deadline.total * 0.02)
            if wait <= 0:
                break
            with self.done_lock:
                handed = self.done.pop(0) if self.done else None
            if handed is None:
                if not self.wakeup.acquire(timeout=wait):
                    break
                continue  # (a wake-up may be left from a check collected already: the list says)
            self._ended(*handed)
            self._start_ready()
        return self.results

    def _start_ready(self) -> None:
        """Start each waiting check whose selected dependencies have all ended; one whose dependency failed ends at
        once, not run (it is reported as skipped)."""
        progressed = True
        while progressed:
            progressed = False
            for name in list(self.waiting):
                deps = [d for d in checks.get(name).depends if d in self.chosen]
                if any(d not in self.results for d in deps):
                    continue
                self.waiting.remove(name)
                progressed = True
                if any(d in self.failed for d in deps):
                    self._ended(name, _NOT_RUN, 0.0)
                else:
                    _thread.start_new_thread(self._worker, (name,))

    def _worker(self, name: str) -> None:
        value: Outcome
        clock = self.ctx.deadline  # its elapsed() leaves out the time spent loading code
        start = clock.elapsed()
        try:
            value = ("ok", _load(clock, name).run(self.ctx))
        except Unavailable as exc:
            value = ("unavailable", exc.finding)
        except net.DeadlineExceeded:
            value = ("deadline", None)
        except Exception as exc:  # noqa: BLE001 - a bug in a check must not take the diagnosis down
            value = ("error", f"{type(exc).__name__}: {exc}"[:300])
        with self.done_lock:
            self.done.append((name, value, clock.elapsed() - start))
            if self.wakeup.locked():
                self.wakeup.release()

    def _ended(self, name: str, value: Outcome, took: float) -> None:
        """Record NAME's outcome and whether it blocks the checks depending on it (as diagnose() will report it)."""
        self.results[name] = value
        self.report.timings[name] = took
        deps = [d for d in checks.get(name).depends if d in self.failed]
        fs = _findings_of(
            name, value, deps, self.failed, self.chosen, timeout=self.ctx.deadline.total, reported=self.reported
        )
        for f in fs:
            if f.check not in self.chosen and f.status == "fail":
                self.reported.setdefault(f.check, (name, f.code))
        blocker = _blocker(name, fs, deps, self.failed)
        if blocker is not None:
            self.failed[name] = blocker
        if self.progress:
            self.progress("done", name, {"seconds": took, "status": _status_of(fs)})


def _findings_of(
    name: str,
    outcome: Outcome,
    deps: list[str],
    failed: dict[str, tuple[str, str]],
    chosen: list[str],
    *,
    timeout: float,
    reported: dict[str, tuple[str, str]] | None = None,
) -> list[Finding]:
    """What a finished check reports: SKIPPED when a dependency failed, else its findings, the unavailable fact's
    finding (SKIPPED when the check owning that fact already failed or, not selected, when an earlier check already
    REPORTED that fact's failure), DEADLINE_EXCEEDED or CHECK_ERROR."""
    kind, value = outcome
    if deps:
        blocker, code = failed[deps[0]]
        return [_skip(name, code, blocker)]
    if kind == "ok":
        return list(value)
    if kind == "unavailable":
        f: Finding = value
        if f.check in chosen and f.check != name and f.check in failed:
            return [_skip(name, f.code, f.check)]
        if reported and f.check in reported:
            reporter, code = reported[f.check]
            return [_skip(name, code, reporter)]
        return [f]
    if kind == "deadline":
        return [finding(name, "DEADLINE_EXCEEDED", check_name=name, timeout=timeout)]
    return [finding(name, "CHECK_ERROR", check_name=name, error=value)]


def _blocker(
    name: str, fs: list[Finding], deps: list[str], failed: dict[str, tuple[str, str]]
) -> tuple[str, str] | None:
    """(check, code) that blocks the checks depending on NAME: its own failure (unless the finding says
    blocking=False), what blocked it, or None."""
    bad = next((f for f in fs if f.status == "fail" and f.evidence.get("blocking", True)), None)
    if bad is not None:
        return name, bad.code
    if deps:
        return failed[deps[0]]
    skipped = next((f for f in fs if f.code == "SKIPPED" and f.evidence.get("blocked_by")), None)
    if skipped is not None:
        return skipped.evidence["blocked_by"], skipped.evidence["blocked_code"]
    return None


def _status_of(fs: list[Finding]) -> str:
    """A check's status as its progress line says it: the worst of the findings the report gives it (a fact it
    could not have, reported by it, is its failure: the line said `skip` beside the report's FAIL)."""
    st = [f.status for f in fs]
    return "fail" if "fail" in st else "warn" if "warn" in st else "ok" if "ok" in st else "skip"


def _warm_imports(t: Target, chosen: list[str], options: DiagnoseOptions) -> None:
    """Import what the checks will need before the clock starts: the deadline is for the network. Only what a
    diagnosis of this kind needs: rapidfuzz (closest tag, ~10 ms) is imported by the image check when a tag is
    missing, the DNS step needs no import (stub_resolver), and the wire checks load as they start. The account
    checks load here, with the cloud client: `cloud.warm_connections` reads how many look-ups each will send."""
    account = [c for c in chosen if checks.get(c).group == "cloud"]
    if account and options.cloud is not None:
        from .cloud import warm

        warm(options.cloud)
        load_checks(account)

    catalogue()
