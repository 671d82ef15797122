"""Figures for `tcr-doctor diagnose` (a script that prints numbers, not a test).

    .venv/bin/python benchmarks/bench_diagnose.py [--runs 15]

Starts the test harness's real parts on loopback (docker-registry over HTTPS with token auth, seeded; the
token server; the loopback DNS server; a silent server and a blackholed port; the TCR API stand-in), all in one
child process, so that only the diagnosis runs in this interpreter (as in real use: the DNS server, the registry's
token server and the cloud API never share the client's GIL), and measures:

1. Full diagnosis of `registry.tcr-doctor.test:PORT/team/app:latest` (DNS via the loopback server, TLS with the
   test CA, token for alice, image with tags sharing a digest): wall time vs its slowest single check.
   "slowest single check" = the slowest of the checks run alone (`--only CHECK`, which still performs the
   facts it needs: DNS, TCP, TLS, /v2/, token), median of --runs. Goal: ratio <= 1.2.
   For comparison it prints the sum of the checks run alone (what a sequential runner would cost).
2. A silent host (TCP accepted, nothing ever sent), a blackholed port (SYN dropped) and a DNS server that never
   answers: when the diagnosis ends vs its deadline (--timeout). Goal: <= deadline + 10 %.
4. What the command does after the diagnosis, in a fresh process each run (as `tcr-doctor diagnose` pays it): the
   --json output (json.dumps and the secret detector over the ~6 KB report) and the text output (Jinja2, the
   template kept compiled in the cache directory, or compiled afresh with the cache off, and the detector), on the
   report of (1). Medians of --runs of its CPU time; with --instructions also valgrind callgrind counts (the load
   moves neither much).
5. Full diagnosis WITH the account-side checks (`--cloud`, against tests/harness/tcr_api.py on loopback; every API
   answer delayed by --api-delay seconds to stand for the round trip to tcr.tencentcloudapi.com): wall time vs
   its slowest single check, the account checks included. Goal: ratio <= 1.2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diagnostics import DiagnoseOptions, diagnose, select  # noqa: E402


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def _serve_tcr_api(api_delay: float, out, stop) -> None:
    """The TCR API stand-in in a process of its own, as the real API is."""
    from tests.harness.tcr_api import ACTIONS_WITH_DELAY, Account, TCRAPIServer, make_instance

    account = Account.example()
    account.instances.append(make_instance("local-tcr", "tcr-local001", "ap-guangzhou"))
    images = account.instance("local-tcr").images["team/app"]
    images.append({**images[0], "ImageVersion": "latest"})
    account.delay = {a: api_delay for a in ACTIONS_WITH_DELAY}
    with TCRAPIServer(account) as api:
        out.put({"tcr_endpoint": api.endpoint})
        stop.wait()


def _serve_parts(workdir: str, out, stop) -> None:
    """The registry's token server, the DNS server and the silent servers outside the diagnosing interpreter, as in
    real use (their CPU must not queue on the diagnosis' GIL). Puts the addresses on OUT, serves until STOP is set."""
    from tests.harness.dns_server import DNSServer, Zone
    from tests.harness.fixtures import seed_into
    from tests.harness.registry import Registry
    from tests.harness.servers import BlackholeServer, SilentServer
    from tests.harness.tls import TLSMaterial
    from tests.harness.token_server import TokenServer

    work = Path(workdir)
    (work / "token").mkdir()
    ts = TokenServer(workdir=work / "token").start()
    tls = TLSMaterial(work / "tls")
    reg = Registry(work / "registry", token_server=ts, tls_cert=tls.valid, ca_file=tls.ca_file, name="bench-registry")
    reg.start()
    reg.seed = seed_into(reg)
    dns = DNSServer(Zone.default()).start()
    silent = SilentServer().start()
    blackhole = BlackholeServer().start()
    try:
        out.put(
            {
                "registry_port": reg.port,
                "nameserver": dns.nameserver,
                "ca_file": tls.ca_file,
                "silent": silent.host,
                "blackhole": blackhole.host,
            }
        )
        stop.wait()
    finally:
        for part in (blackhole, silent, dns, reg, ts):
            try:
                part.stop()
            except Exception:  # noqa: BLE001
                pass


class Parts:
    """The harness servers, started in two child processes (the registry side, the TCR API); attributes hold their
    addresses."""

    def __init__(self, workdir: Path, api_delay: float):
        import multiprocessing

        mp = multiprocessing.get_context("spawn")
        out, self._stop = mp.Queue(), mp.Event()
        self._procs = [
            mp.Process(target=_serve_parts, args=(str(workdir), out, self._stop), daemon=True),
            mp.Process(target=_serve_tcr_api, args=(api_delay, out, self._stop), daemon=True),
        ]
        for proc in self._procs:
            proc.start()
        info = {**out.get(timeout=120), **out.get(timeout=120)}
        self.registry_port: int = info["registry_port"]
        self.nameserver: str = info["nameserver"]
        self.ca_file: str = info["ca_file"]
        self.silent: str = info["silent"]
        self.blackhole: str = info["blackhole"]
        self.tcr_endpoint: str = info["tcr_endpoint"]

    def stop(self) -> None:
        self._stop.set()
        for proc in self._procs:
            proc.join(30)


def _interleaved(target: str, base: dict, names, runs: int, expect: tuple[str, ...]):
    """RUNS rounds of the full diagnosis, each followed by every check in NAMES alone, so drift hits all equally.
    Returns the full runs' wall times, their slowest in-run check times, each check's median alone, the last codes."""
    walls, in_run_max, codes = [], [], []
    alone_runs: dict[str, list] = {c: [] for c in names}
    for _ in range(runs):
        r = diagnose(target, DiagnoseOptions(**base))
        codes = [f.code for f in r.findings]
        assert r.exit_code == 0 and all(c in codes for c in expect), codes
        walls.append(r.duration)
        in_run_max.append(max(r.timings.values()))
        for check in names:
            alone_runs[check].append(diagnose(target, DiagnoseOptions(**base, only=check)).duration)
    return walls, in_run_max, {c: median(xs) for c, xs in alone_runs.items()}, codes


def _print_against_slowest(names, alone: dict, wall: float) -> None:
    """Each check alone, the full diagnosis, and its ratio to the slowest check alone."""
    slowest = max(alone, key=alone.get)
    print("   each check alone (median ms): " + ", ".join(f"{c} {alone[c] * 1000:.1f}" for c in names))
    print(f"   full diagnosis wall time, median: {wall * 1000:.1f} ms")
    print(f"   slowest single check alone: {slowest} {alone[slowest] * 1000:.1f} ms")
    print(f"   ratio wall / slowest single check: {wall / alone[slowest]:.2f}  (goal <= 1.2)")


def bench_full(parts, runs: int) -> None:
    from tests.harness.dns_server import Zone

    target = f"{Zone.REGISTRY}:{parts.registry_port}/team/app:latest"
    base = dict(
        timeout=10,
        nameserver=parts.nameserver,
        ca_file=parts.ca_file,
        username="alice",
        password="alice-pass",
        env={},
    )
    print("1. full diagnosis against the local registry (HTTPS, token auth, DNS via loopback server)")
    print(
        f"   command: printf alice-pass | tcr-doctor diagnose {target} --nameserver {parts.nameserver} "
        f"--ca-file {shlex.quote(parts.ca_file)} --username alice --password-stdin"
    )
    # warm-up (imports, first TLS context, registry caches)
    for _ in range(2):
        diagnose(target, DiagnoseOptions(**base))
    # interleaved: each round runs the full diagnosis, then every check alone, so drift hits all equally
    wire = select()  # the checks a diagnosis without --cloud runs
    walls, in_run_max, alone, codes = _interleaved(target, base, wire, runs, ("TAG_FOUND", "TAGS_SHARE_DIGEST"))
    wall = median(walls)
    print(f"   runs: {runs} (+2 warm-up); findings: {', '.join(codes)}")
    _print_against_slowest(wire, alone, wall)
    # a check starts when its dependencies have passed, so its time in the report is its own work, not the wait for
    # the facts before it: this ratio is about 1 / (the slowest check's share of the critical path)
    print(
        f"   ratio wall / slowest check's own time inside the same run: "
        f"{median([w / m for w, m in zip(walls, in_run_max)]):.2f}"
    )
    print(
        f"   sum of the checks run alone (a sequential runner): {sum(alone.values()) * 1000:.1f} ms "
        f"= {sum(alone.values()) / wall:.1f}x the concurrent wall time"
    )


def bench_deadline(parts, runs: int) -> None:
    from tests.harness.dns_server import Zone

    print("2. unresponsive targets: end of the diagnosis vs its deadline (median of runs)")
    cases = [
        ("silent host, HTTPS (TLS handshake never answered)", f"https://{parts.silent}/ns/app:1", {}),
        ("silent host, plain HTTP (no HTTP response)", f"http://{parts.silent}/ns/app:1", {}),
        ("blackholed port (SYN dropped)", f"https://{parts.blackhole}/ns/app:1", {}),
        ("DNS server never answers", f"{Zone.TIMEOUT}/ns/app:1", {"nameserver": parts.nameserver}),
    ]
    n = max(3, runs // 3)
    for deadline in (1.0, 3.0):
        for label, target, extra in cases:
            ends, codes = [], set()
            for _ in range(n):
                r = diagnose(target, DiagnoseOptions(timeout=deadline, env={}, **extra))
                ends.append(r.duration)
                codes.update(f.code for f in r.findings if f.status == "fail")
            worst = max(ends)
            print(
                f"   --timeout {deadline:g}: {label}: median {median(ends):.3f} s, worst {worst:.3f} s "
                f"= {worst / deadline * 100:.0f} % of the deadline (goal <= 110 %); fail codes: {', '.join(sorted(codes))}"
            )
            print(
                f"      command: tcr-doctor diagnose {target} --timeout {deadline:g}"
                + (f" --nameserver {extra['nameserver']}" if extra else "")
            )


# The command's output step alone, in a fresh interpreter: argv = report.json, json|text|none.
OUTPUT_STEP = """
import json, sys, time
from bot.commands import diagnose as command
report = json.load(open(sys.argv[1], encoding="utf-8"))
start = time.process_time()
if sys.argv[2] == "json":
    command.redact(json.dumps(report, ensure_ascii=False), ["alice-pass"])
elif sys.argv[2] == "text":
    from bot.render import render
    command.redact(render("cli", "diagnose.j2", r=command.view(report, "en"), lang="en"), ["alice-pass"])
print(f"{(time.process_time() - start) * 1000:.3f}")
"""


def bench_output(parts, runs: int, instructions: bool) -> None:
    import json
    import re
    import subprocess

    from tests.harness.dns_server import Zone

    target = f"{Zone.REGISTRY}:{parts.registry_port}/team/app:latest"
    options = dict(nameserver=parts.nameserver, ca_file=parts.ca_file, username="alice", password="alice-pass", env={})
    report = diagnose(target, DiagnoseOptions(**options)).to_dict()
    print("4. after the diagnosis: the output step alone, in a fresh process (report of (1), 'en')")
    with tempfile.TemporaryDirectory(prefix="bench-output-") as tmp:
        path = Path(tmp) / "report.json"
        path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        print(f"   the report: {path.stat().st_size} bytes of JSON")
        cache = {**os.environ, "TCR_DOCTOR_CACHE_DIR": str(Path(tmp) / "cache")}
        off = {**os.environ, "TCR_DOCTOR_CACHE_DIR": "off"}
        cases = [("--json output", "json", cache), ("text output, template kept", "text", cache)]
        cases.append(("text output, template compiled (cache off)", "text", off))

        def step(mode: str, env: dict) -> float:
            run = subprocess.run(
                [sys.executable, "-c", OUTPUT_STEP, str(path), mode],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return float(run.stdout)

        step("text", cache)  # keeps the compiled template
        times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
        for _ in range(runs):
            for label, mode, env in cases:
                times[label].append(step(mode, env))
        for label, _, _ in cases:
            print(f"   {label}: median {median(times[label]):.2f} ms of CPU time (its wall time moves with the load)")
        if instructions:
            counts = {}
            for label, mode, env in [("none", "none", cache), *cases]:
                run = subprocess.run(
                    ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c"]
                    + [OUTPUT_STEP, str(path), mode],
                    env={**env, "PYTHONHASHSEED": "0"},
                    capture_output=True,
                    text=True,
                    check=True,
                )
                counts[label] = int(re.search(r"Collected : (\d+)", run.stderr).group(1))
            for label, _, _ in cases:
                print(f"   {label}: {(counts[label] - counts['none']) / 1e6:.1f} M instructions (valgrind callgrind)")


def bench_cloud(parts, runs: int, api_delay: float) -> None:
    from diagnostics.cloud import CloudCredentials, CloudOptions
    from tests.harness.dns_server import Zone
    from tests.harness.tcr_api import Account

    target = f"{Zone.TCR_LOCAL}:{parts.registry_port}/team/app:latest"
    cloud = CloudOptions(
        credentials=CloudCredentials(Account.SECRET_ID, Account.SECRET_KEY),
        endpoint=parts.tcr_endpoint,
        client_ip="203.0.113.7",
    )
    base = dict(
        timeout=10,
        nameserver=parts.nameserver,
        ca_file=parts.ca_file,
        username="alice",
        password="alice-pass",
        env={},
        cloud=cloud,
    )
    print(
        f"5. full diagnosis with the account-side checks (TCR API stand-in in its own process, "
        f"{api_delay * 1000:.0f} ms per answer)"
    )
    print(
        f"   command: TCR_DOCTOR_CLOUD_ENDPOINT={parts.tcr_endpoint} printf alice-pass | tcr-doctor diagnose {target} "
        f"--cloud --client-ip 203.0.113.7 --nameserver {parts.nameserver} "
        f"--ca-file {shlex.quote(parts.ca_file)} --username alice --password-stdin"
    )
    names = list(diagnose(target, DiagnoseOptions(**base)).checks)
    for _ in range(2):
        diagnose(target, DiagnoseOptions(**base))
    walls, _, alone, _ = _interleaved(target, base, names, runs, ("INSTANCE_OK", "TAG_FOUND"))
    wall = median(walls)
    print(f"   runs: {runs} (+2 warm-up)")
    _print_against_slowest(names, alone, wall)
    print(f"   sum of the checks run alone: {sum(alone.values()) * 1000:.1f} ms = {sum(alone.values()) / wall:.1f}x")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--api-delay", type=float, default=0.03, help="seconds per TCR API answer (section 3)")
    ap.add_argument("--only-cloud", action="store_true", help="run section 5 only")
    ap.add_argument("--only-output", action="store_true", help="run section 4 only")
    ap.add_argument(
        "--instructions", action="store_true", help="section 4 also counts instructions (valgrind: about a minute)"
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-diagnose-") as tmp:
        parts = Parts(Path(tmp), args.api_delay)
        try:
            print(
                f"python {sys.version.split()[0]}; command: .venv/bin/python benchmarks/bench_diagnose.py --runs {args.runs}"
                f"{' --only-cloud' if args.only_cloud else ''}{' --only-output' if args.only_output else ''}"
                f"{' --instructions' if args.instructions else ''}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
            )
            if not (args.only_cloud or args.only_output):
                bench_full(parts, args.runs)
                print()
                bench_deadline(parts, args.runs)
                print()
            if not args.only_cloud:
                bench_output(parts, args.runs, args.instructions)
                print()
            if not args.only_output:
                bench_cloud(parts, args.runs, args.api_delay)
        finally:
            parts.stop()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
