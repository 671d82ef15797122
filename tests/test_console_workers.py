"""The taught overlay across processes: two app processes on one database (SQLite file, or a real PostgreSQL
started by the tests); a phrasing taught through one process's console is answered by both, and undone in both."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest
import requests

from tests.test_console import TOKEN

SERVER = """
import json, sys
from werkzeug.serving import make_server
from bot.web import create_app
app = create_app(json.loads(sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""
QUESTION = "can the registry email me a weekly usage summary"


class Worker:
    def __init__(self, config: dict):
        env = dict(os.environ, TCR_DOCTOR_CACHE_DIR="off")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, json.dumps(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        line = self.proc.stdout.readline()
        assert line.strip().isdigit(), "the app process did not start"
        self.url = f"http://127.0.0.1:{line.strip()}"

    def ask(self, q: str) -> dict:
        return requests.post(self.url + "/api/ask", json={"q": q}, timeout=10).json()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


def wait_until(predicate, timeout: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_taught_phrasing_reaches_every_worker_and_so_does_undo(engine, tmp_path, request):
    db = str(tmp_path / "w.sqlite3") if engine == "sqlite" else request.getfixturevalue("pg_url")
    evalset = tmp_path / "eval.jsonl"  # a small set keeps the test short; the console tests use the real ones
    evalset.write_text('{"q": "How do I delete an image tag?", "faq": 10}\n{"q": "what is the weather", "faq": null}\n')
    config = {
        "DATABASE_URL": db,
        "SLACK": "off",
        "CONSOLE_TOKEN": TOKEN,
        "RATE_LIMIT_ASK": "0",
        "CONSOLE_EVAL_SETS": str(evalset),
    }
    a, b = Worker(config), Worker(config)
    try:
        assert a.ask(QUESTION)["status"] == "no_answer"  # recorded through worker a: the console's missed question
        assert b.ask(QUESTION)["status"] == "no_answer"
        lead = requests.Session()
        page = lead.get(a.url + "/console/login")
        r = lead.post(
            a.url + "/console/login",
            data={"csrf": csrf(page.text), "name": "Kim", "token": TOKEN},
            headers={"Origin": a.url},
            allow_redirects=False,
        )
        assert r.status_code == 303
        assert wait_until(lambda: QUESTION in lead.get(a.url + "/console/questions").text, 10)
        html = lead.get(a.url + "/console/questions").text
        key = re.search(r'data-group="([0-9a-f]{12})"[^>]*>\s*<h2[^>]*>' + re.escape(QUESTION), html)[1]
        form = {"csrf": csrf(html), "group": key, "action": "assign", "entry": "network-traffic-billing"}
        r = lead.post(a.url + "/console/teach", data={**form, "step": "preview"}, headers={"Origin": a.url})
        assert r.status_code == 200 and 'id="eval-table"' in r.text
        r = lead.post(
            a.url + "/console/teach",
            data={**form, "step": "accept", "confirm": "yes"},
            headers={"Origin": a.url},
            allow_redirects=False,
        )
        assert r.status_code == 303
        for worker in (a, b):  # the target is 5 s (benchmarks/bench_console.py); the bound here is wide on purpose
            assert wait_until(lambda w=worker: w.ask(QUESTION)["matched"], 20) is not None, worker.url
        assert b.ask(QUESTION)["answer"]["id"] == "network-traffic-billing"
        teach_id = r.headers["Location"].rsplit("=", 1)[1]
        audit = lead.get(a.url + "/console/audit").text
        r = lead.post(
            f"{a.url}/console/audit/{teach_id}/undo",
            data={"csrf": csrf(audit)},
            headers={"Origin": a.url},
            allow_redirects=False,
        )
        assert r.status_code == 303
        for worker in (a, b):
            assert wait_until(lambda w=worker: not w.ask(QUESTION)["matched"], 20) is not None, worker.url
    finally:
        a.stop()
        b.stop()
