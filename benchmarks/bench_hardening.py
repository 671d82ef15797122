"""Issue 9's four targets against the shipped deployment (the Procfile's server on loopback), printed as figures.

    .venv/bin/python benchmarks/bench_hardening.py                 # all four (a few minutes)
    .venv/bin/python benchmarks/bench_hardening.py --only stall    # fuzz | secrets | stall | kill

1. fuzz:    >= N generated cases per API operation of /api/openapi.json (schemathesis, positive and negative
            halves) and >= M Slack bodies (bytes and near-Slack shapes, form and JSON, signed and unsigned):
            responses >= 500, responses over 5 s, responses that are not JSON (Slack: or the expected empty body).
2. secrets: the planted secret kinds (tests/secrets_corpus.py) in questions, pasted logs and Slack events/commands: how
            many are found in responses, Slack messages (the Web API stand-in's records), the database, the server's
            DEBUG log and /metrics; and through the CLI (`ask`, `explain`): in its output and in its cache directory.
3. stall:   40 uploads that send headers and part of a body, held open: /healthz latency over 20 tries
            (`--compare-gthread` also measures gunicorn's gthread worker, the previous Procfile).
4. kill:    200 connections for 30 s posting feedback, one worker killed with SIGKILL at 10 s: acknowledged
            feedback ids missing from the database afterwards, 5xx responses (and connection errors, which are
            not acknowledgements).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = pathlib.Path(sys.executable).parent
SECRET = "bench-signing-secret"


# -- the deployment -----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The Procfile's web command on a loopback port, with its own database and captured stderr."""

    def __init__(self, workdir: pathlib.Path, env: dict[str, str] | None = None, worker_class: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = workdir / "bench.sqlite3"
        self.log = workdir / "server.log"
        line = (ROOT / "Procfile").read_text().splitlines()[0][len("web: ") :]
        line = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: str(self.port) if m.group(1) == "PORT" else m.group(2), line)
        args = shlex.split(line.replace("0.0.0.0:", "127.0.0.1:"))
        if worker_class:
            args[args.index("--worker-class") + 1] = worker_class
        args[0] = str(BIN / "gunicorn")
        full_env = {**os.environ, "TCR_DOCTOR_DB": str(self.db), "TCR_DOCTOR_SLACK": "off", **(env or {})}
        full_env.pop("TCR_DOCTOR_DATABASE_URL", None)
        full_env.pop("DATABASE_URL", None)
        self._log = open(self.log, "wb")
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("the server did not start:\n" + self.log.read_text(errors="replace")[-3000:])

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


def request(url: str, method: str, path: str, body: bytes | None = None, headers=None, timeout=30):
    """(status, headers, body bytes, seconds); status 0 = no response (connection error)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    start = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), data, time.monotonic() - start
    except OSError:
        return 0, {}, b"", time.monotonic() - start
    finally:
        conn.close()


def signed(body: bytes) -> dict[str, str]:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


# -- 1. fuzz ------------------------------------------------------------------------------------------------------
def _fuzz_operation(operation, mode, examples: int, base_url: str, stats: dict):
    """A hypothesis test that sends `examples` generated cases of `operation` and counts what came back."""
    import requests
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        kwargs = case.as_transport_kwargs(base_url=base_url)
        start = time.monotonic()
        try:
            resp = requests.request(**kwargs, timeout=30)
            status, ctype, data = resp.status_code, resp.headers.get("Content-Type", ""), resp.content
        except Exception:  # noqa: BLE001 - a connection error counts as a failure to answer
            status, ctype, data = 599, "", b""
        took = time.monotonic() - start
        stats["cases"] += 1
        stats["5xx"] += status >= 500
        stats["over_5s"] += took > 5
        if "json" in ctype:
            try:
                json.loads(data)
            except ValueError:
                stats["not_json"] += 1
        elif operation.path.startswith("/api/") or status >= 400:
            stats["not_json"] += 1

    return run


def bench_fuzz(workdir: pathlib.Path, cases: int, slack_bodies: int) -> dict:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation import GenerationMode

    from tests.harness.slack_api import SlackAPI

    api = SlackAPI()
    api.start()
    env = {
        "TCR_DOCTOR_RATE_LIMIT_ASK": "0",
        "TCR_DOCTOR_RATE_LIMIT_DIAGNOSE": "0",
        "TCR_DOCTOR_RATE_LIMIT_FEEDBACK": "0",
        "TCR_DOCTOR_DIAGNOSE_CHECKS": "name",  # the real engine without a network step
        "TCR_DOCTOR_SLACK": "on",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": api.base_url,
    }
    server = Server(workdir, env)
    figures: dict = {"operations": {}}
    try:
        schema = schemathesis.openapi.from_url(server.url + "/api/openapi.json")
        for result in schema.get_all_operations():
            operation = result.ok()
            stats = {"cases": 0, "5xx": 0, "over_5s": 0, "not_json": 0}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz_operation(operation, mode, cases // 2, server.url, stats)()
                except Unsatisfiable:  # nothing to make invalid (a GET without parameters)
                    pass
            figures["operations"][f"{operation.method.upper()} {operation.path}"] = stats
        # Slack bodies
        from tests.test_slack_gate import _bodies, _content_types

        stats = {"bodies": 0, "5xx": 0, "over_5s": 0, "not_json_or_empty": 0, "unsigned_not_401": 0}

        @settings(max_examples=slack_bodies, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(body=_bodies, content_type=_content_types, sign_it=st.booleans())
        def slack(body, content_type, sign_it):
            headers = {"Content-Type": content_type, **(signed(body) if sign_it else {})}
            status, _, data, took = request(server.url, "POST", "/slack/events", body, headers)
            stats["bodies"] += 1
            stats["5xx"] += status >= 500 or status == 0
            stats["over_5s"] += took > 5
            stats["unsigned_not_401"] += (not sign_it) and status != 401
            if data:
                try:
                    json.loads(data)
                except ValueError:
                    stats["not_json_or_empty"] += 1

        slack()
        figures["slack"] = stats
    finally:
        server.stop()
        api.stop()
    figures["tracebacks_in_log"] = server.log.read_text(errors="replace").count("Traceback")
    return figures


# -- 2. planted secrets -------------------------------------------------------------------------------------------
def bench_secrets(workdir: pathlib.Path) -> dict:
    from tests.harness.slack_api import SlackAPI
    from tests.secrets_corpus import PLANTED

    api = SlackAPI()
    api.start()
    env = {
        "TCR_DOCTOR_RATE_LIMIT_ASK": "0",
        "TCR_DOCTOR_RATE_LIMIT_DIAGNOSE": "0",
        "TCR_DOCTOR_SLACK": "on",
        "TCR_DOCTOR_LOG_LEVEL": "debug",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": api.base_url,
    }
    server = Server(workdir, env)
    responses: list[bytes] = []
    try:
        for i, (_kind, (line, _)) in enumerate(sorted(PLANTED.items())):
            question = f"docker login keeps failing, here is what I ran:\n{line}\n"
            log = (
                f"$ docker push shop-tcr.tencentcloudcr.com/ns/app:1.{i}\n{line}\n"
                "Error response from daemon: unauthorized: authentication required\n"
            )
            for text in (question, log):
                for render in (None, "html"):
                    body = {"q": text, **({"render": render} if render else {})}
                    status, headers, data, _ = request(
                        server.url, "POST", "/api/ask", json.dumps(body).encode(), {"Content-Type": "application/json"}
                    )
                    responses.append(data)
            status, _, data, _ = request(
                server.url,
                "POST",
                "/api/diagnose",
                json.dumps({"target": line.split()[0] if line.split() else "x"}).encode(),
                {"Content-Type": "application/json"},
            )
            responses.append(data)
            # a question and a pasted log in a mention (a log's reply carries the log's target in its "Run
            # diagnostics" button: bot/slack.py _reading)
            for j, text in enumerate((question, log)):
                event = {
                    "token": "t",
                    "team_id": "T0BENCH",
                    "api_app_id": "A0BENCH",
                    "type": "event_callback",
                    "event_id": f"EvBench{i:04d}{j}",
                    "event_time": int(time.time()),
                    "event": {
                        "type": "app_mention",
                        "user": "U0ASKER",
                        "text": f"<@U0BOT> {text}",
                        "ts": f"1700000{i:03d}.00010{j}",
                        "channel": "C0GENERAL",
                        "event_ts": f"1700000{i:03d}.00010{j}",
                    },
                }
                raw = json.dumps(event).encode()
                responses.append(
                    request(
                        server.url, "POST", "/slack/events", raw, {"Content-Type": "application/json", **signed(raw)}
                    )[2]
                )
            for text in (f"ask {log}", f"diagnose {line}"):
                form = urllib.parse.urlencode(
                    {
                        "token": "t",
                        "team_id": "T0BENCH",
                        "channel_id": "C0GENERAL",
                        "user_id": "U0ASKER",
                        "command": "/tcr",
                        "text": text,
                        "response_url": api.url("/response/cmd"),
                        "trigger_id": "trig",
                        "api_app_id": "A0BENCH",
                    }
                ).encode()
                responses.append(
                    request(
                        server.url,
                        "POST",
                        "/slack/events",
                        form,
                        {"Content-Type": "application/x-www-form-urlencoded", **signed(form)},
                    )[2]
                )
        time.sleep(4)  # lazy listeners post their answers; the writers flush
        metrics = request(server.url, "GET", "/metrics")[2].decode("utf-8", "replace")
    finally:
        server.stop()
        api.stop()
    slack_text = api.everything() if hasattr(api, "everything") else ""
    conn = sqlite3.connect(server.db)
    try:
        db_text = ""
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                db_text += " ".join(str(v) for v in row) + "\n"
    finally:
        conn.close()
    log_text = server.log.read_text(errors="replace")
    cli_text, cache_text = _cli_secrets(workdir, PLANTED)
    places = {
        "responses": b"\n".join(responses).decode("utf-8", "replace"),
        "cli_output": cli_text,
        "cli_cache": cache_text,
        "slack_messages": slack_text,
        "database": db_text,
        "debug_log": log_text,
        "metrics": metrics,
    }

    def variants(secret: str) -> list[str]:
        return [secret, json.dumps(secret)[1:-1], urllib.parse.quote(secret), urllib.parse.quote_plus(secret)]

    found = {
        place: sorted(kind for kind, (_, secret) in PLANTED.items() if any(v in text for v in variants(secret)))
        for place, text in places.items()
    }
    return {
        "kinds": len(PLANTED),
        "found": {place: len(kinds) for place, kinds in found.items()},
        "which": {p: k for p, k in found.items() if k},
        "debug_log_lines": log_text.count("\n"),
        "slack_calls_recorded": len(getattr(api, "calls", [])),
        "rows_in_db": db_text.count("\n"),
        "cli_output_chars": len(cli_text),
        "cli_cache_bytes": len(cache_text),
    }


def _cli_secrets(workdir: pathlib.Path, planted: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """Each planted line through the one-shot CLI (`ask --json` and plain, `explain --json` on stdin), with the
    commands' cache (kept compiled patterns, the index) in a directory of its own: (stdout + stderr of every run,
    every byte written to that cache)."""
    cache = workdir / "cli-cache"
    env = {**os.environ, "TCR_DOCTOR_CACHE_DIR": str(cache), "TCR_DOCTOR_LOG_LEVEL": "debug"}
    out: list[str] = []
    for i, (line, _) in enumerate(planted.values()):
        log = f"$ docker push shop-tcr.tencentcloudcr.com/ns/app:1.{i}\n{line}\nunauthorized: authentication required\n"
        runs = (
            (["ask", "--json", f"docker login fails: {line}"], None),
            (["ask", f"docker login fails: {line}"], None),
            (["explain", "--json", "-"], log),
        )
        for args, stdin in runs:
            proc = subprocess.run(
                [str(BIN / "tcr-doctor"), *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
            )
            out += [proc.stdout, proc.stderr]
    written = b"".join(f.read_bytes() for f in sorted(cache.rglob("*")) if f.is_file()) if cache.exists() else b""
    return "\n".join(out), written.decode("latin-1")


# -- 3. stalled uploads -------------------------------------------------------------------------------------------
def bench_stall(workdir: pathlib.Path, count: int, worker_class: str | None = None) -> dict:
    server = Server(workdir, worker_class=worker_class)
    held = []
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(
                b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
                b'{"q": "docker login'
            )
            held.append(s)
        time.sleep(1.0)
        latencies = []
        for _ in range(20):
            status, _, _, took = request(server.url, "GET", "/healthz", timeout=5)
            latencies.append(took if status == 200 else float("inf"))
            time.sleep(0.25)
    finally:
        for s in held:
            s.close()
        server.stop()
    answered = [t for t in latencies if t != float("inf")]
    return {
        "worker_class": worker_class or "Procfile (bot.server.WaitressWorker)",
        "stalled_uploads": count,
        "healthz_tries": len(latencies),
        "answered": len(answered),
        "within_1s": sum(t <= 1.0 for t in latencies),
        "max_seconds": round(max(latencies), 3) if answered and len(answered) == len(latencies) else "timeout",
        "median_seconds": round(sorted(latencies)[len(latencies) // 2], 4),
    }


# -- 4. 200 connections, a worker killed ---------------------------------------------------------------------------
def bench_kill(workdir: pathlib.Path, connections: int, seconds: float) -> dict:
    server = Server(workdir, {"TCR_DOCTOR_RATE_LIMIT_FEEDBACK": "0", "TCR_DOCTOR_RATE_LIMIT_ASK": "0"})
    acknowledged: list[int] = []
    counts = {"requests": 0, "201": 0, "5xx": 0, "other_status": 0, "connection_errors": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    body = json.dumps({"answer_id": "login-failed", "kb_version": "bench", "helpful": True}).encode()
    parts = urllib.parse.urlsplit(server.url)

    def client() -> None:
        conn = None
        while time.monotonic() < stop_at:
            if conn is None:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            try:
                conn.request("POST", "/api/feedback", body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
            except OSError:
                with lock:
                    counts["requests"] += 1
                    counts["connection_errors"] += 1
                conn.close()
                conn = None
                time.sleep(0.05)
                continue
            with lock:
                counts["requests"] += 1
                if status == 201:
                    counts["201"] += 1
                    acknowledged.append(json.loads(data)["id"])
                elif status >= 500:
                    counts["5xx"] += 1
                else:
                    counts["other_status"] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    time.sleep(min(10.0, seconds / 3))
    victims = server.workers()
    killed = victims[0] if victims else None
    if killed:
        os.kill(killed, signal.SIGKILL)
    for t in threads:
        t.join(seconds + 60)
    server.stop()
    conn = sqlite3.connect(server.db)
    try:
        stored = {row[0] for row in conn.execute("SELECT id FROM feedback")}
    finally:
        conn.close()
    lost = [i for i in acknowledged if i not in stored]
    return {
        "connections": connections,
        "seconds": seconds,
        "worker_killed": killed,
        **counts,
        "acknowledged": len(acknowledged),
        "acknowledged_lost": len(lost),
        "duplicate_ids": len(acknowledged) - len(set(acknowledged)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("fuzz", "secrets", "stall", "kill"), action="append")
    parser.add_argument("--cases", type=int, default=2000, help="generated cases per API operation (default 2000)")
    parser.add_argument("--slack-bodies", type=int, default=1000, help="Slack bodies (default 1000)")
    parser.add_argument("--stalled", type=int, default=40)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--compare-gthread", action="store_true", help="also measure the stall with gthread")
    args = parser.parse_args()
    wanted = args.only or ["fuzz", "secrets", "stall", "kill"]
    print(f"# bench_hardening on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    for name in wanted:
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            workdir = pathlib.Path(tmp)
            start = time.monotonic()
            if name == "fuzz":
                results[name] = bench_fuzz(workdir, args.cases, args.slack_bodies)
            elif name == "secrets":
                results[name] = bench_secrets(workdir)
            elif name == "stall":
                results[name] = bench_stall(workdir, args.stalled)
                if args.compare_gthread:
                    with tempfile.TemporaryDirectory() as tmp2:
                        gthread = bench_stall(pathlib.Path(tmp2), args.stalled, "gthread")
                        print(f"## stall (gthread, for comparison)\n{json.dumps(gthread, indent=1)}", flush=True)
            elif name == "kill":
                results[name] = bench_kill(workdir, args.connections, args.seconds)
            results[name]["wall_seconds"] = round(time.monotonic() - start, 1)
            print(f"## {name}\n{json.dumps(results[name], indent=1)}", flush=True)
    print(f"# load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
