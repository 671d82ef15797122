"""Start-up figures for the CLI against its floor (a script that prints numbers, not a test).

    .venv/bin/python benchmarks/bench_startup.py [--runs 15]

Needs skopeo (Debian package `skopeo`: `apt-get install skopeo`) and, for the NXDOMAIN pair, root (it runs that
pair in a network namespace of its own, where the system resolver is a DNS server on that namespace's loopback:
nothing leaves the machine). Prints medians of --runs paired runs (the two commands alternate):

1. `tcr-doctor diagnose 127.0.0.1:PORT/team/app:latest` (HTTPS with the test CA, token auth as alice) vs
   `skopeo inspect` of the same image with the same CA and credentials. Goal <= 2x.
2. The same on a name the resolver answers NXDOMAIN for. Goal <= 2x.
3. Start-up cost of (1): wall time minus the diagnosis time the command reports (`duration_s` of --json) vs
   `python -c 'import ssl, http.client, json'`. Goal <= 1.5x.
4. Cold `tcr-doctor ask --json` (a new process; the index cache warm) vs `python -c 'import requests'`. Goal <= 1.5x.

Before measuring, the package's modules are compiled to bytecode (`compileall`, as pip does when it installs a wheel):
an editable install run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module of ours on every run
(+60-150 ms), which no installed copy pays. `--no-compile` measures without that step. Every section prints the 1-minute
load average before and after it; the last lines are a summary table of the four ratios.

`--instructions` also counts instructions with valgrind's callgrind (Debian package `valgrind`; slow: about a minute
per run), which the machine's load does not move: the floor, the healthy diagnosis's start-up (the command stopped
where it would call `diagnose()`), the whole healthy diagnosis, and `ask --json` vs `import requests`. skopeo (Go) does
not run under valgrind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
TCR_DOCTOR = str(BIN / "tcr-doctor")
NXDOMAIN = "nxdomain.tcr-doctor.test"


CPU: dict[tuple[str, ...], list[float]] = {}  # command -> CPU seconds (user + sys) of each run


def timed(cmd: list[str], stdin: str | None = None) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(tuple(cmd), []).append(cpu)
    return wall, out.stdout


def paired(a: list[str], b: list[str], runs: int, stdin_a: str | None = None) -> tuple[list[float], list[float], str]:
    ta, tb, last = [], [], ""
    timed(a, stdin_a), timed(b)  # warm the page cache and the index cache
    CPU.pop(tuple(a)), CPU.pop(tuple(b))
    for i in range(runs):
        for which in (0, 1) if i % 2 == 0 else (1, 0):
            if which == 0:
                t, last = timed(a, stdin_a)
                ta.append(t)
            else:
                tb.append(timed(b)[0])
    return ta, tb, last


SUMMARY: list[str] = []
COUNT_INSTRUCTIONS: list[bool] = []  # [True] with --instructions

# `tcr-doctor ARGS` up to the diagnosis: diagnostics.diagnose replaced by an exit (start-up alone, for callgrind). A
# diagnosis loads each check's module (and the TLS/HTTP half) as the check starts, with its clock stopped, so the stub
# loads what the healthy diagnosis loads: start-up is everything but the diagnosis's own work.
UP_TO_DIAGNOSIS = """
import os, sys
import diagnostics

def stop(*args, **kwargs):
    from diagnostics import auth, checks, transport
    for name in checks.default_names():
        checks.get(name).load()
    for thread in list(transport._building.values()):
        thread.join()
    os._exit(0)

diagnostics.diagnose = stop
from bot.cli import main
main(sys.argv[1:])
"""


def instructions(cmd: list[str], stdin: str | None = None) -> int:
    """Instructions executed by CMD (valgrind --tool=callgrind), threads and children included."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        env={**os.environ, "PYTHONHASHSEED": "0"},  # a random seed moves the count by a few per cent
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
    )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise RuntimeError(f"valgrind did not count {cmd[0]}: {out.stderr[-500:]}")
    return int(found.group(1))


def count(label: str, ours: list[str], reference: list[str], stdin: str | None = None) -> None:
    a, b = instructions(ours, stdin), instructions(reference)
    print(f"   {label}: {a / 1e6:.0f} M vs {b / 1e6:.0f} M instructions = {a / b:.2f}x")
    SUMMARY.append(f"| {label} (instructions) | {a / 1e6:.0f} / {b / 1e6:.0f} M | {a / b:.2f}x | - | - | - |")


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def line(
    label: str, a: list[float], b: list[float], goal: float, load_before: str, cpu: tuple[list[str], list[str]] | None
) -> None:
    """Print one figure (wall-time medians and ratio; with CPU, the two commands' CPU time too) and keep it for the
    summary. CPU time (user + sys) moves less with the machine's load than wall time does: a second opinion."""
    ma, mb = statistics.median(a), statistics.median(b)
    ratio = ma / mb
    verdict = "met" if ratio <= goal else "NOT met"
    print(f"   {label}: {ma * 1000:.1f} ms vs {mb * 1000:.1f} ms = {ratio:.2f}x (goal <= {goal}x: {verdict})")
    cpu_text = "-"
    if cpu is not None:
        ca, cb = (statistics.median(CPU[tuple(c)]) for c in cpu)
        cpu_text = f"{ca * 1000:.0f} / {cb * 1000:.0f} ms = {ca / cb:.2f}x"
        print(f"   CPU time (user + sys, median): {cpu_text}")
    print(f"   load average (1 min) before / after: {load_before} / {load()}")
    SUMMARY.append(
        f"| {label} | {ma * 1000:.1f} / {mb * 1000:.1f} ms | {ratio:.2f}x | <= {goal}x {verdict} | {cpu_text} "
        f"| {load_before}-{load()} |"
    )


def healthy(runs: int) -> None:
    from tests.harness.fixtures import seed_into
    from tests.harness.registry import Registry
    from tests.harness.tls import TLSMaterial
    from tests.harness.token_server import TokenServer

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "token").mkdir()
        ts = TokenServer(workdir=work / "token").start()
        tls = TLSMaterial(work / "tls")
        reg = Registry(work / "registry", token_server=ts, tls_cert=tls.valid, ca_file=tls.ca_file, name="bench-start")
        reg.start()
        try:
            seed_into(reg)
            certs = work / "certs"
            certs.mkdir()
            shutil.copy(tls.ca_file, certs / "ca.crt")
            image = f"127.0.0.1:{reg.port}/team/app:latest"
            ours = [TCR_DOCTOR, "diagnose", image, "--ca-file", tls.ca_file, "--username", "alice"]
            ours += ["--password-stdin", "--json"]
            skopeo = ["skopeo", "inspect", "--cert-dir", str(certs), "--creds", "alice:alice-pass", f"docker://{image}"]
            print("1. healthy local registry (HTTPS, private CA, token auth, loopback)")
            print(f"   printf alice-pass | {' '.join(ours)}")
            print(f"   {' '.join(skopeo)}")
            before = load()
            ta, tb, out = paired(ours, skopeo, runs, stdin_a="alice-pass")
            report = json.loads(out)
            assert report["exit_code"] == 0, report["counts"]
            line("1. healthy: diagnose vs skopeo inspect", ta, tb, 2.0, before, (ours, skopeo))
            print("3. start-up cost of (1): wall time minus the reported diagnosis time (paired with the floor)")
            print(f"   {sys.executable} -c 'import ssl, http.client, json'")
            before = load()
            startup, floor, reported = [], [], []
            floor_cmd = [sys.executable, "-c", "import ssl, http.client, json"]
            for i in range(runs):
                for which in (0, 1) if i % 2 == 0 else (1, 0):
                    if which == 0:
                        t, out = timed(ours, "alice-pass")
                        reported.append(json.loads(out)["duration_s"])
                        startup.append(t - reported[-1])
                    else:
                        floor.append(timed(floor_cmd)[0])
            print(f"   the diagnosis itself (duration_s, median): {statistics.median(reported) * 1000:.1f} ms")
            line("3. start-up vs import ssl, http.client, json", startup, floor, 1.5, before, None)
            if COUNT_INSTRUCTIONS:
                print("5. instructions (valgrind callgrind; the load does not move them)")
                up_to = [sys.executable, "-c", UP_TO_DIAGNOSIS, *ours[1:]]
                count("5a. healthy start-up vs import ssl, http.client, json", up_to, floor_cmd, "alice-pass")
                count("5b. whole healthy diagnosis vs import ssl, http.client, json", ours, floor_cmd, "alice-pass")
        finally:
            reg.stop()
            ts.stop()


def nxdomain_inner(runs: int) -> None:
    """Runs inside `unshare --net --mount`: loopback up, /etc/resolv.conf -> a DNS server on 127.0.0.1:53."""
    from tests.harness.dns_server import Zone

    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    zone = Zone.default()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))

    def serve() -> None:
        while True:
            data, peer = sock.recvfrom(4096)
            out = zone.answer(data)
            if out is not None:
                sock.sendto(out, peer)

    threading.Thread(target=serve, daemon=True).start()
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as fh:
        fh.write("nameserver 127.0.0.1\noptions attempts:1 timeout:2\n")
    subprocess.run(["mount", "--bind", fh.name, "/etc/resolv.conf"], check=True)
    image = f"{NXDOMAIN}/team/app:latest"
    ours = [TCR_DOCTOR, "diagnose", image, "--json"]
    skopeo = ["skopeo", "inspect", f"docker://{image}"]
    print("2. NXDOMAIN (the system resolver: a DNS server on the namespace's loopback)")
    print(f"   {' '.join(ours)}")
    print(f"   {' '.join(skopeo)}")
    before = load()
    ta, tb, out = paired(ours, skopeo, runs)
    codes = [f["code"] for f in json.loads(out)["findings"]]
    assert "DNS_NXDOMAIN" in codes, codes
    line("2. NXDOMAIN: diagnose vs skopeo inspect", ta, tb, 2.0, before, (ours, skopeo))
    if COUNT_INSTRUCTIONS:
        count("5d. NXDOMAIN diagnosis vs python -c pass", ours, [sys.executable, "-c", "pass"])
    sys.stdout.flush()
    with open(os.environ["BENCH_STARTUP_SUMMARY"], "a", encoding="utf-8") as fh:
        for row in SUMMARY:
            fh.write(row + "\n")


def ask(runs: int) -> None:
    ours = [TCR_DOCTOR, "ask", "--json", "docker login says unauthorized: authentication required"]
    floor = [sys.executable, "-c", "import requests"]
    print("4. cold `tcr-doctor ask --json` (a new process each time; the index cache warm)")
    print(f"   {' '.join(ours[:3])} '...'")
    print(f"   {' '.join(floor)}")
    before = load()
    ta, tb, _ = paired(ours, floor, runs)
    line("4. cold ask --json vs import requests", ta, tb, 1.5, before, (ours, floor))
    if COUNT_INSTRUCTIONS:
        count("5c. cold ask --json vs import requests", ours, floor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--no-compile", action="store_true", help="do not compile the package to bytecode first (see the docstring)"
    )
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions with valgrind (see the docstring)"
    )
    parser.add_argument("--nxdomain-inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions:
        if not shutil.which("valgrind"):
            print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
            return 2
        COUNT_INSTRUCTIONS.append(True)
    if args.nxdomain_inner:
        nxdomain_inner(args.runs)
        return 0
    if not shutil.which("skopeo"):
        print("skopeo is not installed: apt-get install skopeo", file=sys.stderr)
        return 2
    if not args.no_compile:
        packages = [str(ROOT / p) for p in ("bot", "diagnostics", "knowledge")]
        subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        f", runs {args.runs}, bytecode {'as found' if args.no_compile else 'compiled first'}"
    )
    finder = sorted(Path(sysconfig.get_paths()["purelib"]).glob("__editable___*_finder.py"))
    if finder:
        print(
            f"note: this venv has setuptools' editable finder ({finder[0].name}), which costs every Python process of"
            " the venv 10-15 ms (the floors too); scripts/bootstrap installs without it (editable_mode=compat)"
        )
    healthy(args.runs)
    if os.geteuid() == 0 and shutil.which("unshare"):
        with tempfile.NamedTemporaryFile("r", suffix=".md") as summary:
            cmd = [
                "unshare",
                "--net",
                "--mount",
                sys.executable,
                __file__,
                "--nxdomain-inner",
                "--runs",
                str(args.runs),
                *(["--instructions"] if args.instructions else []),
            ]
            sys.stdout.flush()
            subprocess.run(cmd, check=False, env={**os.environ, "BENCH_STARTUP_SUMMARY": summary.name})
            SUMMARY.extend(summary.read().splitlines())
    else:
        print("2. NXDOMAIN: skipped (needs root for a network namespace)")
    ask(args.runs)
    print("\nsummary (medians of paired runs; ours / reference):")
    print("| figure | wall ms | wall ratio | goal | CPU (user+sys) | load (1 min) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in sorted(SUMMARY):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
