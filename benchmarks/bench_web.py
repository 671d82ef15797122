#!/usr/bin/env python3
"""POST /api/ask throughput and latency under gunicorn, on loopback, for a bounded time.

    .venv/bin/python benchmarks/bench_web.py [--workers 2] [--connections 8] [--duration 10] [--tool wrk|python]

Starts gunicorn with the Procfile's `web:` command (read from the Procfile, ${VAR:-default} expanded) on a
free 127.0.0.1 port with a throw-away SQLite file and the per-client rate limit off (every request comes from
127.0.0.1), warms it up, then drives it with `wrk` (Debian package `wrk`) when installed, else with a Python
load generator (processes x keep-alive threads). Questions rotate through the FAQ's own questions and phrasings
in both languages plus questions with no answer, so every request runs the matcher. Prints the commands, the
requests per second and the latency percentiles. Never a timed test: it only prints figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_RPS = 1000.0


def questions(limit: int = 200) -> list[str]:
    sys.path.insert(0, ROOT)
    import knowledge

    kb = knowledge.load_kb()
    out: list[str] = []
    for entry in kb.entries:
        for lang in ("zh", "en"):
            q = getattr(entry, "question", None)
            q = q.get(lang) if isinstance(q, dict) else None
            if q:
                out.append(q)
            phr = getattr(entry, "phrasings", None)
            if isinstance(phr, dict):
                out.extend(phr.get(lang, [])[:3])
    out += [
        "what is the airspeed velocity of an unladen swallow",
        "今天天气怎么样",
        "kubernetes pod pending",
        "docker pull shop-tcr.tencentcloudcr.com/ns/app:1.0 unauthorized: authentication required",
    ]
    return out[:limit] if out else ["登录实例失败怎么办？", "How do I delete an image tag?"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_args(port: int, workers: int | None) -> list[str]:
    """The Procfile's `web:` command as argv: ${VAR:-default} expanded (PORT -> PORT, WEB_CONCURRENCY ->
    --workers when given), bound to 127.0.0.1."""
    import re
    import shlex

    with open(os.path.join(ROOT, "Procfile"), encoding="utf-8") as fh:
        line = next(ln for ln in fh if ln.startswith("web:"))[len("web:") :].strip()

    def expand(m):
        name, default = m.group(1), m.group(2)
        if name == "PORT":
            return str(port)
        if name == "WEB_CONCURRENCY" and workers:
            return str(workers)
        return os.environ.get(name, default)

    line = re.sub(r"\$\{(\w+):-([^}]*)\}", expand, line).replace("0.0.0.0:", "127.0.0.1:")
    return shlex.split(line)


def start_gunicorn(port: int, workers: int, db: str, extra: list[str]) -> tuple[subprocess.Popen, list[str]]:
    argv = procfile_args(port, workers)
    assert argv[0] == "gunicorn" and argv[-1] == "bot.web:create_app()", argv
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    cmd = [gunicorn, *argv[1:-1], "--log-level", "warning", *extra, argv[-1]]
    env = dict(os.environ, TCR_DOCTOR_DB=db, TCR_DOCTOR_RATE_LIMIT_ASK="0", TCR_DOCTOR_SLACK="off")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc, cmd
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def warm_up(port: int, qs: list[str], n: int = 200) -> None:
    for i in range(n):
        body = json.dumps({"q": qs[i % len(qs)]}).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/ask", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()


# --- wrk -------------------------------------------------------------------------------------------------
def run_wrk(port: int, qs: list[str], connections: int, duration: int, threads: int) -> dict:
    bodies = [json.dumps({"q": q}, ensure_ascii=True) for q in qs]
    lua = (
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal bodies = {\n'
        + ",\n".join("  " + json.dumps(b) for b in bodies)
        + "\n}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
        '  return wrk.format(nil, "/api/ask", nil, bodies[(i % #bodies) + 1])\nend\n'
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, '
        '\\"non2xx\\": %d, \\"p50_us\\": %d, \\"p90_us\\": %d, \\"p99_us\\": %d, \\"max_us\\": %d}\\n",\n'
        "    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + "
        "summary.errors.write + summary.errors.timeout, summary.errors.status, latency:percentile(50), "
        "latency:percentile(90), latency:percentile(99), latency.max))\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
        script = fh.name
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        script,
        f"http://127.0.0.1:{port}/",
    ]
    print("load:   " + " ".join(cmd) + f"   (script: POST /api/ask, rotating {len(qs)} questions)")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    os.unlink(script)
    line = next(ln for ln in out.splitlines() if ln.startswith("JSON "))
    r = json.loads(line[5:])
    secs = r["duration_us"] / 1e6
    return {
        "requests": r["requests"],
        "seconds": secs,
        "rps": r["requests"] / secs,
        "errors": r["errors"],
        "non2xx": r["non2xx"],
        "p50_ms": r["p50_us"] / 1000,
        "p90_ms": r["p90_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "max_ms": r["max_us"] / 1000,
    }


# --- Python fallback -------------------------------------------------------------------------------------
def _py_worker(port: int, qs: list[str], threads: int, stop_at: float, queue) -> None:
    import threading

    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def loop(offset: int):
        conn = None
        i = offset
        mine: list[float] = []
        while time.time() < stop_at:
            body = json.dumps({"q": qs[i % len(qs)]})
            i += 7
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors[0] += 1
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except OSError:
                errors[0] += 1
                conn = None
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            lat.extend(mine)

    ts = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    queue.put((lat, errors[0]))


def run_python(port: int, qs: list[str], connections: int, duration: int) -> dict:
    procs_n = max(1, min(4, connections // 4))
    per = max(1, connections // procs_n)
    print(
        f"load:   python load generator: {procs_n} processes x {per} threads, {duration}s, POST /api/ask "
        f"rotating {len(qs)} questions"
    )
    queue = multiprocessing.Queue()
    start = time.time()
    stop_at = start + duration
    procs = [multiprocessing.Process(target=_py_worker, args=(port, qs, per, stop_at, queue)) for _ in range(procs_n)]
    for p in procs:
        p.start()
    lat: list[float] = []
    errors = 0
    for _ in procs:
        latencies, e = queue.get()
        lat += latencies
        errors += e
    for p in procs:
        p.join()
    secs = time.time() - start
    lat.sort()

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")

    return {
        "requests": len(lat),
        "seconds": secs,
        "rps": len(lat) / secs,
        "errors": errors,
        "non2xx": 0,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": lat[-1] * 1000 if lat else 0,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as WEB_CONCURRENCY)")
    ap.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8: 4 per sync worker)")
    ap.add_argument("--duration", type=int, default=10, help="seconds of load (bounded)")
    ap.add_argument(
        "--threads", type=int, default=1, help="wrk threads (default 1: the load generator shares the 2 CPUs)"
    )
    ap.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    ap.add_argument(
        "--gunicorn-args", default="", help="extra gunicorn arguments, e.g. '--worker-class gthread --threads 4'"
    )
    args = ap.parse_args()

    qs = questions()
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc, cmd = start_gunicorn(port, args.workers, os.path.join(tmp, "bench.sqlite3"), args.gunicorn_args.split())
        try:
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(
                f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average before: {load} "
                "(other work on the machine lowers the figures)"
            )
            print("server: TCR_DOCTOR_RATE_LIMIT_ASK=0 " + " ".join(cmd[:-1]) + " 'bot.web:create_app()'")
            warm_up(port, qs)
            if tool == "wrk":
                r = run_wrk(port, qs, args.connections, args.duration, args.threads)
            else:
                r = run_python(port, qs, args.connections, args.duration)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    print(
        f"result: {r['requests']} requests in {r['seconds']:.1f}s = {r['rps']:.0f} req/s "
        f"(goal >= {GOAL_RPS:.0f}: {'met' if r['rps'] >= GOAL_RPS else 'NOT met'}); "
        f"latency p50 {r['p50_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
        f"max {r['max_ms']:.1f} ms; errors {r['errors']}, non-2xx {r['non2xx']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
