"""The runner: selection, concurrency, dependency skips, deadline, errors in checks; DNS/TCP edge cases."""

from __future__ import annotations

import inspect
import threading
import time
import types

import pytest

from diagnostics import DiagnoseOptions, diagnose, select
from diagnostics import runner as runner_mod
from diagnostics.findings import finding
from tests.harness.dns_server import Zone


def fake_check(name, depends=(), sleep=0.0, code="NAME_OK", raises=None):
    def run(ctx):
        if sleep:
            time.sleep(sleep)
        if raises:
            raise raises
        return [finding(name, code, value=name)]

    return types.SimpleNamespace(NAME=name, DEPENDS=depends, run=run)


@pytest.fixture
def fake_checks(monkeypatch):
    def install(**mods):
        real = runner_mod.load_checks()
        monkeypatch.setattr(runner_mod, "load_checks", lambda names=None: {**real, **mods})

    return install


def test_select():
    assert select(None, None) == list(runner_mod.checks.default_names())
    assert select("dns,endpoint", None) == ["dns", "endpoint"]
    assert select(["image", "dns"], None) == ["dns", "image"]  # always in pipeline order
    assert select(None, "image,credentials") == ["name", "dns", "endpoint", "tcp", "tls", "http"]
    with pytest.raises(ValueError, match="unknown check"):
        select("dns,bogus", None)
    with pytest.raises(ValueError):
        select("dns", "dns")


def test_independent_checks_run_concurrently(fake_checks):
    # endpoint and tcp both depend on dns alone: once it passed, they run at the same time. Each waits for the other to
    # have started (a barrier, not a clock: a timing bound failed at 0.503 s on a loaded machine); run one after the
    # other, the first would wait in vain and never meet the second.
    both = threading.Barrier(2, timeout=10)
    met: list[str] = []

    def meeting(name):
        check = fake_check(name, ("dns",))
        run = check.run

        def run_once_both_started(ctx):
            try:
                both.wait()
                met.append(name)
            except threading.BrokenBarrierError:
                pass
            return run(ctx)

        check.run = run_once_both_started
        return check

    fake_checks(dns=fake_check("dns", ("name",)), endpoint=meeting("endpoint"), tcp=meeting("tcp"))
    r = diagnose("example.test", DiagnoseOptions(only="name,dns,endpoint,tcp", timeout=30))
    assert sorted(met) == ["endpoint", "tcp"]
    assert [f.check for f in r.findings] == ["name", "dns", "endpoint", "tcp"]


def test_a_check_starts_when_its_dependencies_passed_and_is_not_run_after_one_failed(fake_checks):
    started: list[str] = []

    def recording(name, depends, code="NAME_OK"):
        check = fake_check(name, depends, code=code)
        run = check.run
        check.run = lambda ctx: started.append(name) or run(ctx)
        return check

    fake_checks(
        name=recording("name", ()),
        dns=recording("dns", ("name",), code="DNS_NXDOMAIN"),
        endpoint=recording("endpoint", ("dns",)),
        tcp=recording("tcp", ("dns",)),
    )
    r = diagnose("example.test", DiagnoseOptions(only="name,dns,endpoint,tcp"))
    assert started == ["name", "dns"]  # in dependency order; the checks after the failed one never ran
    assert [f.code for f in r.findings] == ["NAME_OK", "DNS_NXDOMAIN", "SKIPPED", "SKIPPED"]
    assert r.findings[3].evidence["blocked_by"] == "dns"


def test_dependency_failure_skips_with_reason(fake_checks):
    fake_checks(
        name=fake_check("name", code="NAME_INVALID"),
        dns=fake_check("dns", ("name",)),
        endpoint=fake_check("endpoint", ("dns",)),
    )
    r = diagnose("example.test", DiagnoseOptions(only="name,dns,endpoint"))
    assert [f.code for f in r.findings] == ["NAME_INVALID", "SKIPPED", "SKIPPED"]
    assert r.findings[1].evidence["blocked_by"] == "name"
    assert r.findings[2].evidence["blocked_by"] == "name"  # transitively, naming the root cause
    assert "NAME_INVALID" in r.findings[2].summary["en"]
    assert r.exit_code == 1


def test_hung_check_is_abandoned_at_the_deadline(fake_checks):
    fake_checks(dns=fake_check("dns", ("name",), sleep=30), endpoint=fake_check("endpoint", ("dns",)))
    start = time.monotonic()
    r = diagnose("example.test", DiagnoseOptions(only="name,dns,endpoint", timeout=0.5))
    took = time.monotonic() - start
    assert took <= 0.5 * 1.1 + 0.1, took  # deadline + 10 %, plus scheduling slack
    by = {f.check: f.code for f in r.findings}
    assert by == {"name": "NAME_OK", "dns": "DEADLINE_EXCEEDED", "endpoint": "SKIPPED"}


def test_crashing_check_becomes_a_finding(fake_checks):
    fake_checks(endpoint=fake_check("endpoint", raises=RuntimeError("boom")))
    r = diagnose("127.0.0.1", DiagnoseOptions(only="name,dns,endpoint"))
    f = [f for f in r.findings if f.check == "endpoint"][0]
    assert f.code == "CHECK_ERROR" and "boom" in f.evidence["error"] and f.status == "fail"


def test_progress_callback():
    events = []
    diagnose("127.0.0.1", DiagnoseOptions(only="name,dns"), progress=lambda e, c, i: events.append((e, c)))
    assert ("start", "name") in events and ("done", "dns") in events


def test_dependency_not_selected_reports_the_underlying_failure(bad_servers):
    r = diagnose(f"{bad_servers.refused.url}/ns/app:1", DiagnoseOptions(only="image", env={}))
    assert [(f.check, f.code) for f in r.findings] == [("image", "TCP_REFUSED")]
    assert r.exit_code == 1


def test_unparsable_target_never_raises():
    for target in (
        "",
        " ",
        "x" * 5000,
        "a\x00b",
        "http:///",
        "ftp://host/x",
        "host:99999/x",
        "::::",
        "[::1/x",
        "@@@",
        "UPPER/Case",
    ):
        r = diagnose(target, DiagnoseOptions(timeout=2, env={}))
        assert r.findings[0].check == "name"
        assert r.exit_code == 1
        assert all(f.code != "CHECK_ERROR" for f in r.findings), [f.evidence for f in r.findings]


def test_slow_dns_answer_vs_deadline(dns_server):
    """An answer slower (1.0 s) than the deadline (0.6 s) is a DNS_TIMEOUT, found without waiting for the answer;
    with a deadline well above it, the same name resolves. Timing bounds are wide (a loaded 2-core machine);
    benchmarks/bench_diagnose.py measures how close to the deadline a diagnosis ends."""
    start = time.monotonic()
    r = diagnose(Zone.SLOW, DiagnoseOptions(nameserver=dns_server.nameserver, timeout=0.6, only="dns"))
    # the DNS step's own timeout, or (when the machine is loaded) the runner's deadline first: either way a
    # failure at the deadline, never a late DNS_OK
    assert [f.code for f in r.findings] in (["DNS_TIMEOUT"], ["DEADLINE_EXCEEDED"])
    assert r.exit_code == 1
    assert time.monotonic() - start < 0.6 + 5.0
    r = diagnose(Zone.SLOW, DiagnoseOptions(nameserver=dns_server.nameserver, timeout=20, only="dns"))
    assert [f.code for f in r.findings] == ["DNS_OK"]


def test_dual_stack_uses_the_address_that_answers(registry, dns_server):
    # dual.tcr-doctor.test has A 127.0.0.1 and AAAA ::1; the registry listens on 127.0.0.1 only
    r = diagnose(
        f"http://{Zone.DUAL}:{registry.port}",
        DiagnoseOptions(nameserver=dns_server.nameserver, only="dns,tcp,http", env={}),
    )
    codes = [f.code for f in r.findings]
    assert "TCP_OK" in codes and "HTTP_OK" in codes
    tcp = [f for f in r.findings if f.code == "TCP_OK"][0]
    assert tcp.evidence["address"] == "127.0.0.1"
    assert {a["address"]: a["outcome"] for a in tcp.evidence["attempts"]}["::1"] in ("refused", "unreachable")


def test_v6_only_name_refused(registry, dns_server):
    r = diagnose(
        f"http://{Zone.V6ONLY}:{registry.port}",
        DiagnoseOptions(nameserver=dns_server.nameserver, only="dns,tcp", env={}),
    )
    assert [f.code for f in r.findings][-1] in ("TCP_REFUSED", "TCP_UNREACHABLE")


def test_proxy_variables_reported(registry):
    from tests.harness._net import free_port

    env = {"HTTP_PROXY": f"http://user:secret@127.0.0.1:{free_port()}", "NO_PROXY": "other.example"}
    r = diagnose(registry.url, DiagnoseOptions(only="http", env=env))
    f = [f for f in r.findings if f.code == "PROXY_ERROR"][0]  # the client's path goes through a dead proxy
    assert f.status == "fail" and f.evidence["variable"] == "HTTP_PROXY"
    assert "secret" not in str(r.to_dict()) and "127.0.0.1:" in f.evidence["proxy"]
    r = diagnose(registry.url, DiagnoseOptions(only="http", env={**env, "NO_PROXY": "127.0.0.1"}))
    assert not {"PROXY_IN_EFFECT", "PROXY_ERROR"} & {f.code for f in r.findings}


def test_report_to_dict_shape(registry):
    d = diagnose(registry.url, DiagnoseOptions(only="name,dns,tcp", env={})).to_dict()
    assert set(d) >= {"target", "checks", "findings", "counts", "exit_code", "duration_s", "deadline_s", "timings_s"}
    assert d["checks"] == ["name", "dns", "tcp"]
    for f in d["findings"]:
        assert set(f) == {"check", "status", "code", "summary", "evidence", "fix", "faq"}


def test_options_name_their_checks_as_select_reads_them():
    """DiagnoseOptions hands only/skip to select() unchanged, and the CLI passes --only as typed (one comma-separated
    string): the options declare the types select() takes, not a list only."""
    options = inspect.signature(DiagnoseOptions).parameters
    selecting = inspect.signature(select).parameters
    for name in ("only", "skip"):
        assert options[name].annotation == selecting[name].annotation, name
    assert DiagnoseOptions(only="dns, tcp", skip=["tcp"]).only == "dns, tcp"
    assert select(DiagnoseOptions(only="dns, tcp").only, ["tcp"]) == ["dns"]


def test_the_clock_stops_while_code_loads_and_nested_stops_count_once():
    """Deadline.stopped(): the deadline moves by the time spent, elapsed() leaves it out, nested stops count once,
    and a stop left by an exception still restarts the clock (its lock is free for another thread's load)."""
    import threading

    from diagnostics.net import Deadline

    deadline = Deadline(10.0)
    end, before_stop = deadline.end, time.monotonic()
    with deadline.stopped():
        with deadline.stopped():
            time.sleep(0.05)
        time.sleep(0.05)
    assert 0.1 <= deadline.stopped_seconds <= time.monotonic() - before_stop  # the inner stop is not counted again
    assert deadline.end - end == pytest.approx(deadline.stopped_seconds)
    assert deadline.elapsed() < time.monotonic() - deadline.start - 0.09
    before = deadline.stopped_seconds
    with pytest.raises(KeyError), deadline.stopped():
        raise KeyError("a check module that fails to import")
    assert deadline.stopped_seconds >= before and deadline._stop_depth == 0

    def load_elsewhere() -> None:
        with deadline.stopped():
            pass

    other = threading.Thread(target=load_elsewhere)
    other.start()
    other.join(timeout=5)
    assert not other.is_alive()


def test_a_fact_is_computed_once_for_every_check_that_asks_and_its_error_reaches_each():
    """Context.memo: the first caller computes, the others wait for its value (or its exception); a waiter gives up
    at the deadline. (Its wait is a _thread lock, not threading.Event: see diagnostics.runner.)"""
    import threading

    from diagnostics.context import Context
    from diagnostics.net import Deadline, DeadlineExceeded
    from diagnostics.target import parse_target

    ctx = Context(parse_target("example.com/a/b:1"), DiagnoseOptions(), Deadline(5.0))
    calls, got = [], []

    def slow(value):
        def compute():
            calls.append(value)
            time.sleep(0.2)
            if isinstance(value, Exception):
                raise value
            return value

        return compute

    def ask(key, value):
        try:
            got.append(ctx.memo(key, slow(value)))
        except Exception as exc:  # noqa: BLE001 - the test collects what each caller saw
            got.append(type(exc).__name__)

    for key, value in (("fact", 42), ("broken", KeyError("x"))):
        calls.clear(), got.clear()
        threads = [threading.Thread(target=ask, args=(key, value)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=5)
        assert len(calls) == 1 and len(got) == 4
        assert got == [42] * 4 if key == "fact" else got == ["KeyError"] * 4
    late = Context(parse_target("example.com/a/b:1"), DiagnoseOptions(), Deadline(0.3))
    first = threading.Thread(target=lambda: late.memo("hung", lambda: time.sleep(1.0)))
    first.start()
    time.sleep(0.05)
    with pytest.raises(DeadlineExceeded):
        late.memo("hung", lambda: None)
    first.join(timeout=5)
