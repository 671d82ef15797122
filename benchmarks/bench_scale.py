#!/usr/bin/env python3
"""Scale-out figures on loopback: nginx (deploy/nginx/tcr-doctor.conf) + app instances + PostgreSQL + Redis.

    .venv/bin/python benchmarks/bench_scale.py [--duration 10] [--connections 16] [--stalled 40]

1. `/api/ask` throughput: two instances (1 worker each) behind nginx vs one instance (2 workers) hit directly,
   so both sides have the same number of worker processes on the same 2 cores: the ratio is the proxy's cost.
   Both use PostgreSQL and Redis (rate limit on, with a limit no client reaches). Both run at once and are
   measured in alternating rounds (medians), so a change in the machine's other load hits both alike.
2. `/api/feedback` writes per second through nginx (two instances of one worker each, or
   `--feedback-workers N`) into PostgreSQL (fsync on), how many acknowledged writes (201 with an id) are missing
   from the database afterwards, and the servers' CPU per write.
3. `--stalled` uploads held open through nginx (headers and part of a body, then silence), while `/healthz` is
   asked repeatedly: how many answers came within 1 s, and the slowest. The same against one instance directly,
   for contrast.

Uses `wrk` (Debian package) for load; the servers are the ones the tests use (tests/harness/engines.py,
tests/harness/cluster.py). Prints figures only; never a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_web import questions, run_wrk  # noqa: E402

from tests.harness.cluster import Cluster  # noqa: E402
from tests.harness.engines import PostgresServer, RedisServer  # noqa: E402

FEEDBACK_LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"answer_id": "login-failed", "kb_version": "bench", "helpful": true}'
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("n", counter)
  table.insert(threads, thread)
end
function init(args)
  ids = io.open(args[1] .. "." .. n, "w")
  ids:setvbuf("full", 1048576)  -- written out when wrk exits (C stdio), not one system call per response
  created = 0
end
function response(status, headers, body)
  if status == 201 then
    created = created + 1
    local id = string.match(body, '"id":%s*(%d+)')
    if id then ids:write(id, "\n") end
  end
end
function done(summary, latency, requests)
  local c = 0
  for _, t in ipairs(threads) do c = c + t:get("created") end
  io.write(string.format("JSON {\"requests\": %d, \"duration_us\": %d, \"created\": %d, \"errors\": %d, \"non2xx\": %d, \"p99_us\": %d}\n",
    summary.requests, summary.duration, c,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(99)))
end
"""


def cpu_seconds(roots: list[int]) -> float:
    """CPU time (user + system) used so far by these processes and every live descendant (the servers: as root,
    PostgreSQL's backends run under `runuser` in a session of their own, so process groups would miss them)."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, int]] = {}  # pid -> (parent, CPU ticks)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    wanted, total = set(roots), 0
    for pid, (_, ticks) in procs.items():
        seen, node = set(), pid
        while node in procs and node not in wanted and node not in seen:
            seen.add(node)
            node = procs[node][0]
        if node in wanted:
            total += ticks
    return total / tick


def load_average() -> str:
    """The 1-minute load average (other sessions on the machine inflate every figure)."""
    return open("/proc/loadavg").read().split()[0]


def warm(url: str, qs: list[str], n: int = 60) -> None:
    for i in range(n):
        req = urllib.request.Request(
            url + "/api/ask",
            data=json.dumps({"q": qs[i % len(qs)]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()


def ask_throughput(base_env: dict[str, str], qs: list[str], args) -> None:
    import statistics

    print("\n== /api/ask: two instances behind nginx vs one instance directly (same worker processes) ==")
    print(f"   {args.rounds} rounds, alternating, {args.duration} s each: medians (the machine's other load drifts)")
    with (
        Cluster(dict(base_env, WEB_CONCURRENCY="2"), instances=1) as single,
        Cluster(dict(base_env, WEB_CONCURRENCY="1"), instances=2) as pair,
    ):
        sides = {
            "direct, 1 instance x 2 workers": single.instances[0].url,
            "nginx, 2 instances x 1 worker": pair.url,
        }
        for url in sides.values():
            warm(url, qs)
        runs: dict[str, list[dict]] = {label: [] for label in sides}
        for _ in range(args.rounds):
            for label, url in sides.items():
                runs[label].append(run_wrk(int(url.rsplit(":", 1)[1]), qs, args.connections, args.duration, 1))
    medians = {}
    for label, rs in runs.items():
        rps = statistics.median(r["rps"] for r in rs)
        p99 = statistics.median(r["p99_ms"] for r in rs)
        p50 = statistics.median(r["p50_ms"] for r in rs)
        medians[label] = rps
        errors = sum(r["errors"] + r["non2xx"] for r in rs)
        each = ", ".join(f"{r['rps']:.0f}" for r in rs)
        print(f"{label:34s} {rps:8.0f} req/s  p50 {p50:.1f} ms  p99 {p99:.1f} ms  errors {errors}  (runs: {each})")
    direct, proxied = medians.values()
    print(f"ratio nginx/direct: {proxied / direct:.2f} (goal >= 0.85)")


def feedback_writes(base_env: dict[str, str], database: str, args, servers: list[int]) -> None:
    import sqlalchemy as sa

    from bot.storage import engine_url, feedback, make_engine

    print("\n== /api/feedback through nginx (2 instances) into PostgreSQL (fsync on) ==")
    # One worker per instance unless --feedback-workers says otherwise (the Procfile's default is 2).
    print(f"   2 instances x {args.feedback_workers} worker(s) x 8 threads")
    with Cluster(dict(base_env, WEB_CONCURRENCY=str(args.feedback_workers)), instances=2) as cluster:
        for instance in cluster.instances:  # each worker loads the knowledge base (feedback checks the answer id)
            warm(instance.url, ["warm-up"], n=4)
            req = urllib.request.Request(
                instance.url + "/api/feedback",
                data=b'{"answer_id": "login-failed", "kb_version": "warm-up", "helpful": true}',
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
        workdir = Path(tempfile.mkdtemp(prefix="bench-feedback-"))
        script = workdir / "feedback.lua"
        script.write_text(FEEDBACK_LUA)
        ids_prefix = workdir / "ids"
        cmd = [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            "-s",
            str(script),
            cluster.url + "/api/feedback",
            "--",
            str(ids_prefix),
        ]
        print("load:   " + " ".join(cmd))
        groups = servers + [i.proc.pid for i in cluster.instances if i.proc] + [cluster.nginx.proc.pid]
        print(f"load average before: {load_average()}")
        cpu_before = cpu_seconds(groups)
        before = os.times()
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60).stdout
        after = os.times()
        wrk_cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
        cpu = cpu_seconds(groups) - cpu_before
        print(f"load average after: {load_average()}")
        line = next(ln for ln in out.splitlines() if ln.startswith("JSON "))
        r = json.loads(line[5:])
        acknowledged: set[int] = set()
        for path in workdir.glob("ids.*"):
            acknowledged |= {int(x) for x in path.read_text().split()}
        engine = make_engine(engine_url(database))
        with engine.connect() as conn:
            stored = {row[0] for row in conn.execute(sa.select(feedback.c.id).where(feedback.c.kb_version == "bench"))}
        engine.dispose()
        secs = r["duration_us"] / 1e6
        lost = len(acknowledged - stored)
        if len(acknowledged) != r["created"]:  # the ids files are the evidence: they must hold every 201's id
            print(f"WARNING: {r['created']} acknowledged but {len(acknowledged)} distinct ids recorded by wrk")
        print(
            f"acknowledged (201) {r['created']} in {secs:.1f} s = {r['created'] / secs:.0f} writes/s, "
            f"p99 {r['p99_us'] / 1000:.1f} ms, errors {r['errors']}, non-2xx {r['non2xx']}; "
            f"rows in PostgreSQL {len(stored)}; acknowledged but missing: {lost}  (goal >= 500/s, 0 lost)"
        )
        print(
            f"server CPU (nginx + app instances + PostgreSQL backends + Redis): {cpu:.1f} s for {r['created']} writes = "
            f"{r['created'] / cpu:.0f} writes per CPU-second (the machine's other load does not change this; "
            f"{os.cpu_count()} idle CPUs would give at most {os.cpu_count() * r['created'] / cpu:.0f}/s)"
        )
        print(f"load generator CPU (wrk): {wrk_cpu:.1f} s = {wrk_cpu / max(1, r['created']) * 1000:.2f} ms per write")


def stalled_uploads(base_env: dict[str, str], args) -> None:
    print(f"\n== {args.stalled} stalled uploads held open, /healthz asked meanwhile ==")
    with Cluster(base_env, instances=2) as cluster:
        for label, url in (("through nginx", cluster.url), ("one instance directly", cluster.instances[0].url)):
            host, port = url.rsplit("//", 1)[1].split(":")
            held = []
            for _ in range(args.stalled):
                s = socket.create_connection((host, int(port)), timeout=5)
                s.sendall(
                    b"POST /api/ask HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 10000\r\n\r\n{"q": "stalled '
                )
                held.append(s)
            time.sleep(0.5)
            times = []
            for _ in range(args.probes):
                t0 = time.perf_counter()
                try:
                    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                        r.read()
                        ok = r.status == 200
                except OSError:
                    ok = False
                elapsed = time.perf_counter() - t0
                times.append(elapsed if ok else float("inf"))
                time.sleep(0.5)
            within = sum(t <= 1.0 for t in times)
            slowest = max(times)
            print(
                f"{label:24s} /healthz answered within 1 s: {within}/{len(times)}; slowest "
                + ("no answer (timeout 5 s)" if slowest == float("inf") else f"{slowest * 1000:.0f} ms")
            )
            for s in held:
                s.close()
            time.sleep(1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=10, help="seconds of each load run (default 10)")
    ap.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of the /api/ask comparison (default 3)")
    ap.add_argument(
        "--feedback-workers",
        type=int,
        default=1,
        help="gunicorn workers per instance for the feedback run (default 1, as the quiet figures so far; the "
        "Procfile's WEB_CONCURRENCY is 2)",
    )
    ap.add_argument("--stalled", type=int, default=40, help="stalled uploads held open (default 40)")
    ap.add_argument("--probes", type=int, default=10, help="/healthz probes while they are held (default 10)")
    ap.add_argument("--only", choices=["ask", "feedback", "stalled"], default=None)
    args = ap.parse_args()
    if not any(os.access(os.path.join(p, "wrk"), os.X_OK) for p in os.environ.get("PATH", "").split(":")):
        raise SystemExit("bench_scale needs wrk (apt-get install wrk)")
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load_average()}; load: wrk; servers: PostgreSQL (fsync on), "
        "redis-server, nginx, gunicorn"
    )
    pg = PostgresServer(fsync=True).start()
    redis = RedisServer().start()
    try:
        database = pg.create_database("bench_scale")
        base_env = {
            "TCR_DOCTOR_DATABASE_URL": database,
            "TCR_DOCTOR_REDIS_URL": redis.url,
            "TCR_DOCTOR_RATE_LIMIT_ASK": "100000000/60",
            "TCR_DOCTOR_RATE_LIMIT_FEEDBACK": "100000000/60",
        }
        qs = questions()
        if args.only in (None, "ask"):
            ask_throughput(base_env, qs, args)
        if args.only in (None, "feedback"):
            feedback_writes(base_env, database, args, [pg.proc.pid, redis.proc.pid])
        if args.only in (None, "stalled"):
            stalled_uploads(base_env, args)
    finally:
        redis.stop()
        pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
