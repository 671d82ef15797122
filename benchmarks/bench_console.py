#!/usr/bin/env python3
"""The support leads' console with 100,000 stored questions, and how fast a taught phrasing reaches every worker.

    .venv/bin/python benchmarks/bench_console.py [--questions 100000] [--days 90] [--runs 15] [--database-url URL]

1. Generates `--questions` question rows over `--days` days (two channels, answered / ambiguous / refused, log
   causes, ~4 % thumbs-down feedback, diagnoses' findings), writes them through the storage layer's tables into a
   throw-away SQLite file (or `--database-url`), signs in to /console in-process and renders each page `--runs`
   times: the overview (30 days, and the whole range), the overview for one channel, the grouped questions, the
   audit and a CSV export. Prints the median and the worst render time per page (goal: <= 300 ms).
2. Starts two app processes on that database, commits a teaching act as the console's "Accept" does and
   measures, per worker, the time from that commit to the first answer that uses it (goal: <= 5 s).
Only loopback is used. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

TOKEN = "bench-console-token"
# Questions of the bench's own (not from any evaluation set), answered or not; numbers vary them.
MISSED = [
    "镜像安全扫描在哪里开启",
    "怎么开启镜像漏洞扫描",
    "can tcr scan my images for cves",
    "how do I get a weekly usage report by email",
    "tcr 支持 webhook 通知吗",
    "how to set up cross-region replication for enterprise",
    "企业版实例怎么改名",
    "是否支持 arm64 镜像",
    "how do I export all tags of a repository",
    "镜像仓库能不能设置保留策略",
    "can I get an invoice for registry traffic",
    "helm chart push to tcr fails",
]
ANSWERED = [
    ("How do I delete an image tag?", "delete-image-tag"),
    ("docker login 报错 unauthorized: authentication required", "unauthorized-authentication-required"),
    ("个人版和企业版有什么区别", "personal-vs-enterprise"),
    ("内网还是公网访问实例", "internal-or-public-network"),
    ("pull image from TKE without a secret", "cluster-pull-without-secret"),
]
# Unanswered questions that share no words with each other: one is taught per act.
FRESH = [
    "does the registry support quantum teleportation",
    "is there a dark mode for the tcr console",
    "can the registry email me a weekly usage summary",
]
LOG_CODES = ["CREDENTIALS_MISSING", "TLS_EXPIRED", "TAG_NOT_FOUND", "RATE_LIMITED", "DNS_NXDOMAIN", "SERVER_ERROR"]
FINDINGS = [("DNS_NXDOMAIN", "fail"), ("TLS_EXPIRING", "warn"), ("CREDENTIALS_INVALID", "fail"), ("TCP_OK", "ok")]


def generate(storage, n: int, days: int, seed: int = 7) -> None:
    from bot import storage as S

    rng = random.Random(seed)
    now = time.time()
    rows, feedback, findings = [], [], []
    for i in range(n):
        ts = now - rng.random() * days * 86400
        r = rng.random()
        if r < 0.25:
            text = rng.choice(MISSED) + ("" if rng.random() < 0.7 else f" #{rng.randint(1, 400)}")
            status, answer = "no_answer", None
            refusal = rng.choice(("troubleshooting", "troubleshooting", "documentation", "other_registry", "smalltalk"))
        else:
            text, answer = rng.choice(ANSWERED)
            status = "ambiguous" if r > 0.95 else "answered"
            refusal = None
        log_code = rng.choice(LOG_CODES) if rng.random() < 0.15 else None
        rows.append(
            {
                "id": f"b{i}",
                "ts": ts,
                "channel": "slack" if rng.random() < 0.4 else "web",
                "lang": "zh" if re.search("[\u4e00-\u9fff]", text) else "en",
                "text": text,
                "redacted": "",
                "status": status,
                "answer_id": answer,
                "score": 0.9 if answer else 0.2,
                "kb_version": "bench",
                "log_code": log_code,
                "refusal": refusal,
            }
        )
        if answer and rng.random() < 0.04:
            feedback.append(
                {
                    "ts": ts + 30,
                    "question_id": f"b{i}",
                    "answer_id": answer,
                    "kb_version": "bench",
                    "helpful": 0,
                    "channel": rows[-1]["channel"],
                }
            )
        if rng.random() < 0.05:
            code, st = rng.choice(FINDINGS)
            findings.append({"ts": ts, "channel": rows[-1]["channel"], "code": code, "status": st})
    with storage.engine().begin() as conn:
        for table, values in ((S.questions, rows), (S.feedback, feedback), (S.findings, findings)):
            for start in range(0, len(values), 5000):
                conn.execute(table.insert(), values[start : start + 5000])


def sign_in(client):
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    r = client.post("/console/login", data={"csrf": csrf, "name": "Bench", "token": TOKEN})
    assert r.status_code == 303, r.status_code


def render_times(client, path: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each render (CPU time says what a page costs on a machine shared with others:
    the database work happens in this process too, SQLite being embedded)."""
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        r = client.get(path)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return wall, cpu


SERVER = """
import json, sys
from werkzeug.serving import make_server
from bot.web import create_app
app = create_app(json.loads(sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def propagation(url: str, runs: int) -> list[list[float]]:
    """Seconds from an accepted teaching act to the first answer using it, per worker, for `runs` acts."""
    import requests

    small = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    small.write('{"q": "How do I delete an image tag?", "faq": 10}\n')
    small.close()
    config = {
        "DATABASE_URL": url,
        "SLACK": "off",
        "CONSOLE_TOKEN": TOKEN,
        "RATE_LIMIT_ASK": "0",
        "CONSOLE_EVAL_SETS": small.name,
    }
    procs, urls = [], []
    for _ in range(2):
        p = subprocess.Popen(
            [sys.executable, "-c", SERVER, json.dumps(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        procs.append(p)
        urls.append(f"http://127.0.0.1:{p.stdout.readline().strip()}")
    results = []
    from bot.console.store import ConsoleStore
    from bot.storage import Storage

    store = ConsoleStore(Storage(url).engine)
    try:
        for run in range(runs):
            question = FRESH[run % len(FRESH)]
            for u in urls:
                first = requests.post(u + "/api/ask", json={"q": question}, timeout=10).json()
                assert not first["matched"], first
            # what the console's "Accept" commits (after its evaluation, which is not what is measured here)
            store.teach(
                author="bench",
                kind="phrasings",
                entry_id="network-traffic-billing",
                texts=[{"text": question, "lang": "en"}],
            )
            accepted = time.perf_counter()
            per_worker: dict[int, float] = {}
            while len(per_worker) < len(urls) and time.perf_counter() - accepted < 30:
                for i, u in enumerate(urls):  # round robin: each worker is asked every ~50 ms
                    if (
                        i not in per_worker
                        and requests.post(u + "/api/ask", json={"q": question}, timeout=10).json()["matched"]
                    ):
                        per_worker[i] = time.perf_counter() - accepted
                time.sleep(0.05)
            results.append([per_worker.get(i, float("inf")) for i in range(len(urls))])
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        os.unlink(small.name)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--teach-runs", type=int, default=3, choices=(1, 2, 3))
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    os.environ.setdefault("TCR_DOCTOR_CACHE_DIR", tempfile.mkdtemp(prefix="bench-console-cache-"))
    from bot.web import create_app

    tmp = tempfile.mkdtemp(prefix="bench-console-")
    url = args.database_url or os.path.join(tmp, "console.sqlite3")
    app = create_app({"DATABASE_URL": url, "SLACK": "off", "CONSOLE_TOKEN": TOKEN})
    storage = app.extensions["tcr_doctor"].storage
    t = time.perf_counter()
    generate(storage, args.questions, args.days)
    print(f"generated {args.questions:,} questions over {args.days} days in {time.perf_counter() - t:.1f} s")
    client = app.test_client()
    sign_in(client)
    start = time.strftime("%Y-%m-%d", time.gmtime(time.time() - args.days * 86400))
    pages = [
        ("overview, last 30 days", "/console"),
        (f"overview, all {args.days} days", f"/console?from={start}"),
        ("overview, slack only", f"/console?from={start}&channel=slack"),
        ("questions to teach, grouped", f"/console/questions?from={start}"),
        ("audit", "/console/audit"),
        ("CSV export (per day)", f"/console/export.csv?chart=per_day&from={start}"),
    ]
    print(f"console page render times over {args.runs} runs after one warm-up (ms; goal <= 300):")
    print(f"  load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  {'page':<32} {'median':>8} {'worst':>8} {'cpu med':>8}")
    for name, path in pages:
        render_times(client, path, 1)
        wall, cpu = render_times(client, path, args.runs)
        print(f"  {name:<32} {statistics.median(wall):8.1f} {max(wall):8.1f} {statistics.median(cpu):8.1f}")
    results = propagation(storage.url, args.teach_runs)
    flat = [x for r in results for x in r]
    print(
        f"taught phrasing answered by each of 2 worker processes after acceptance ({args.teach_runs} acts; goal <= 5 s):"
    )
    for i, r in enumerate(results, 1):
        print(f"  act {i}: " + ", ".join(f"worker {w + 1} {s:.2f} s" for w, s in enumerate(r)))
    print(f"  worst {max(flat):.2f} s, median {statistics.median(flat):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
