"""Two app instances (the Procfile's gunicorn, standing for two hosts) behind nginx configured by
deploy/nginx/tcr-doctor.conf, one PostgreSQL and one Redis, all started by the tests on loopback.

The instances share nothing but the database and Redis: the rate limit holds across both, a Slack retry that lands
on the other instance is answered once, feedback written through one is in the report read by the other host, and
killing one instance loses no acknowledged write while nginx passes what it can to the other one.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.harness.cluster import Cluster
from tests.harness.slack_api import SlackAPI, SlackSender

BIN = Path(sys.executable).parent
SECRET = "two-hosts-signing-secret"
RATE = 6  # /api/ask per client per minute, over the whole service


@pytest.fixture(scope="module")
def slack_api():
    api = SlackAPI().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def cluster(postgres_server, redis_server, slack_api):
    database = postgres_server.create_database(f"two_hosts_{os.getpid()}")
    env = {
        "TCR_DOCTOR_DATABASE_URL": database,
        "TCR_DOCTOR_REDIS_URL": redis_server.url.replace("/0", "/2"),
        "TCR_DOCTOR_RATE_LIMIT_ASK": f"{RATE}/60",
        "TCR_DOCTOR_RATE_LIMIT_FEEDBACK": "0",
        "TCR_DOCTOR_SLACK": "on",
        "SLACK_BOT_TOKEN": "xoxb-two-hosts",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": slack_api.base_url,
    }
    with Cluster(env, instances=2) as running:
        yield running


def ask(url: str, q: str, **headers: str) -> requests.Response:
    return requests.post(url + "/api/ask", json={"q": q}, headers=headers, timeout=15)


def feedback(url: str, question_id: str | None, helpful: bool = False) -> requests.Response:
    body = {"answer_id": "login-failed", "kb_version": "v", "helpful": helpful, "question_id": question_id}
    return requests.post(url + "/api/feedback", json=body, timeout=15)


def report(database_url: str) -> list[dict]:
    """`tcr-doctor report unanswered --json` run as the other host would (its own environment, same URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCR_DOCTOR_")}
    env["TCR_DOCTOR_DATABASE_URL"] = database_url
    done = subprocess.run(
        [str(BIN / "tcr-doctor"), "report", "unanswered", "--json", "--limit", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)["groups"]


def upstreams(cluster: Cluster, path: str) -> set[str]:
    assert cluster.nginx is not None
    return {line.rsplit("upstream=", 1)[1] for line in cluster.nginx.access_log().splitlines() if f" {path} " in line}


def test_the_rate_limit_holds_across_both_instances(cluster):
    codes = [
        ask(cluster.url, "what is the airspeed velocity of an unladen swallow").status_code for _ in range(RATE + 2)
    ]
    assert codes == [200] * RATE + [429, 429]
    # nginx spread them over both instances, and they counted together
    assert len(upstreams(cluster, "/api/ask")) == 2
    # a forged X-Forwarded-For through nginx is overwritten: still the same client
    assert ask(cluster.url, "hi", **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429


def test_a_client_reaching_an_instance_directly_cannot_forge_its_address(cluster):
    """Instances trust X-Forwarded-For only from nginx's address (127.0.0.1); this client comes from 127.0.0.2."""
    session = requests.Session()
    session.mount("http://", _SourceAddressAdapter("127.0.0.2"))
    url = cluster.instances[0].url + "/api/ask"
    codes = [
        session.post(url, json={"q": "hi"}, headers={"X-Forwarded-For": f"198.51.100.{i}"}, timeout=15).status_code
        for i in range(RATE + 1)
    ]
    assert codes == [200] * RATE + [429]


def test_a_slack_retry_on_the_other_instance_is_answered_once(cluster, slack_api):
    first, other = cluster.instances
    sender = SlackSender(first.url + "/slack/events", SECRET, slack_api.url(""))
    event = {
        "type": "app_mention",
        "user": "U0ASKER",
        "text": "<@U0BOT> What should I do when logging in to an instance fails?",
        "ts": "1700000002.000100",
        "channel": "C0TWOHOSTS",
        "event_ts": "1700000002.000100",
    }
    assert sender.event(event, event_id="Ev0TWOHOSTS").status_code == 200
    retry = sender.event(
        event,
        event_id="Ev0TWOHOSTS",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        url=other.url + "/slack/events",
    )
    assert retry.status_code == 200
    slack_api.wait_for("chat.postMessage")
    slack_api.quiet(0.5)
    posted = [c for c in slack_api.calls_to("chat.postMessage") if c.args.get("channel") == "C0TWOHOSTS"]
    assert len(posted) == 1


def test_without_redis_a_slack_retry_on_the_other_instance_is_answered_once(postgres_server, slack_api):
    """No Redis: the two instances dedupe Slack's retries through the PostgreSQL they share (slack_seen)."""
    env = {
        "TCR_DOCTOR_DATABASE_URL": postgres_server.create_database(f"two_hosts_no_redis_{os.getpid()}"),
        "TCR_DOCTOR_SLACK": "on",
        "SLACK_BOT_TOKEN": "xoxb-two-hosts",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": slack_api.base_url,
    }
    event = {
        "type": "app_mention",
        "user": "U0ASKER",
        "text": "<@U0BOT> What should I do when logging in to an instance fails?",
        "ts": "1700000003.000100",
        "channel": "C0NOREDIS",
        "event_ts": "1700000003.000100",
    }
    retry_headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    with Cluster(env, instances=2) as running:
        first, other = running.instances
        sender = SlackSender(first.url + "/slack/events", SECRET, slack_api.url(""))
        assert sender.event(event, event_id="Ev0NOREDIS").status_code == 200
        for n, instance in enumerate((other, first, other)):  # retries, mostly on the other host
            headers = dict(retry_headers, **{"X-Slack-Retry-Num": str(n + 1)})
            retried = sender.event(event, event_id="Ev0NOREDIS", headers=headers, url=instance.url + "/slack/events")
            assert retried.status_code == 200
        slack_api.wait_for("chat.postMessage", lambda c: c.args.get("channel") == "C0NOREDIS")
        slack_api.quiet(0.5)
    posted = [c for c in slack_api.calls_to("chat.postMessage") if c.args.get("channel") == "C0NOREDIS"]
    assert len(posted) == 1


def test_feedback_written_through_one_is_in_the_report_read_by_the_other(cluster):
    first = cluster.instances[0]
    question = "my registry keeps saying something nobody documented zq-7731"
    asked = ask(first.url, question, **{"X-Forwarded-For": "198.51.100.50"})  # as nginx would pass it
    assert asked.status_code == 200
    written = feedback(first.url, asked.headers["X-Question-Id"])
    assert written.status_code == 201
    deadline = time.monotonic() + 15  # the question row is written behind the request (0.5 s)
    while True:
        groups = {g["question"]: g for g in report(cluster.env["TCR_DOCTOR_DATABASE_URL"])}
        if question in groups and groups[question]["thumbs_down"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert groups[question]["thumbs_down"] == 1 and groups[question]["no_answer"] == 1


@pytest.mark.after_module  # it kills one of the module's shared instances: the other tests need both
def test_killing_one_instance_loses_no_acknowledged_write(cluster):
    """Load through nginx; one instance is SIGKILLed halfway. Every feedback acknowledged with 201 is in the
    database; questions never fail (nginx may resend /api/ask), and after the kill every request succeeds."""
    stop = threading.Event()
    acknowledged: list[int] = []
    failed: list[tuple[str, object]] = []
    after_kill_failures: list[tuple[str, object]] = []
    killed = threading.Event()
    lock = threading.Lock()

    def client(n: int) -> None:
        session = requests.Session()
        i = 0
        while not stop.is_set():
            i += 1
            what = "feedback" if i % 2 else "healthz"
            try:
                if i % 2:
                    r = session.post(
                        cluster.url + "/api/feedback",
                        json={"answer_id": "login-failed", "kb_version": "v", "helpful": True},
                        timeout=15,
                    )
                    ok = r.status_code == 201
                    if ok:
                        with lock:
                            acknowledged.append(r.json()["id"])
                else:
                    r = session.get(cluster.url + "/healthz", timeout=15)
                    ok = r.status_code == 200
                status = r.status_code
            except requests.RequestException as exc:  # e.g. a keep-alive connection nginx closed as it was reused
                ok, status = False, type(exc).__name__
                session = requests.Session()
            if not ok:
                with lock:
                    (after_kill_failures if killed.is_set() and time.monotonic() > kill_at + 2 else failed).append(
                        (what, status)
                    )

    kill_at = float("inf")
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(client, n) for n in range(6)]
        time.sleep(1.5)
        kill_at = time.monotonic()
        cluster.kill(0)
        killed.set()
        time.sleep(3.5)
        stop.set()
        for f in futures:
            f.result()

    assert len(acknowledged) > 50, ("too little load to mean anything", failed[:5], after_kill_failures[:5])
    import sqlalchemy as sa

    from bot.storage import engine_url, make_engine
    from bot.storage import feedback as feedback_table

    engine = make_engine(engine_url(cluster.env["TCR_DOCTOR_DATABASE_URL"]))
    with engine.connect() as conn:
        stored = {row[0] for row in conn.execute(sa.select(feedback_table.c.id))}
    engine.dispose()
    assert set(acknowledged) <= stored, "an acknowledged feedback write was lost"
    # Only requests in flight on the killed instance can fail (nginx does not resend a POST it may have delivered);
    # a health check (GET) is always passed on, and once the instance is known dead nothing fails.
    # A health check (GET) that fails on the dying instance is passed on by nginx; a client-side connection error
    # (a keep-alive connection closed just as it was reused) is the client's to retry and is not a lost write.
    assert all(what == "feedback" or not isinstance(status, int) for what, status in failed), failed
    assert len(failed) <= 6, failed
    assert [f for f in after_kill_failures if isinstance(f[1], int)] == [], after_kill_failures


class _SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Connections from a chosen loopback source address (127.0.0.2: not the proxy)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        kwargs["socket_options"] = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        return super().init_poolmanager(*args, **kwargs)
