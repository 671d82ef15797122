"""State shared through a real Redis (started by the tests on loopback): rate limits across instances, Slack retry
dedupe across hosts, a Redis outage while running, and an unreachable Redis at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.shared import OnceKeys, RateLimiter, RedisUnavailable
from bot.web import create_app
from tests.harness._net import free_port
from tests.harness.engines import RedisServer
from tests.harness.slack_api import SlackRig, WSGIServer, make_web_app

BIN = Path(sys.executable).parent


def instance(tmp_path, name: str, **config):
    """One app instance (a host) with its own SQLite file: only Redis is shared."""
    config.setdefault("SLACK", "off")
    return create_app({"DB": str(tmp_path / f"{name}.sqlite3"), **config})


def test_rate_limit_holds_across_instances(tmp_path, redis_url):
    a = instance(tmp_path, "a", RATE_LIMIT_ASK="3/60", REDIS_URL=redis_url).test_client()
    b = instance(tmp_path, "b", RATE_LIMIT_ASK="3/60", REDIS_URL=redis_url).test_client()
    codes = [c.post("/api/ask", json={"q": "hi"}).status_code for c in (a, b, a, b, a)]
    assert codes == [200, 200, 200, 429, 429]
    assert 1 <= int(b.post("/api/ask", json={"q": "hi"}).headers["Retry-After"]) <= 60
    # another client still has its own allowance, on either instance
    assert b.post("/api/ask", json={"q": "hi"}, environ_base={"REMOTE_ADDR": "127.0.0.9"}).status_code == 200


def test_without_redis_each_instance_counts_on_its_own(tmp_path):
    a = instance(tmp_path, "a", RATE_LIMIT_ASK="2/60").test_client()
    b = instance(tmp_path, "b", RATE_LIMIT_ASK="2/60").test_client()
    codes = [c.post("/api/ask", json={"q": "hi"}).status_code for c in (a, a, b, b, a)]
    assert codes == [200, 200, 200, 200, 429]


def test_a_redis_outage_degrades_to_per_worker_limits_and_is_counted(tmp_path):
    redis = RedisServer().start()
    try:
        app = instance(tmp_path, "a", RATE_LIMIT_ASK="3/60", REDIS_URL=redis.url)
        client = app.test_client()
        assert client.post("/api/ask", json={"q": "hi"}).status_code == 200  # counted in Redis
        redis.pause()  # Redis stops answering (connections hang), as in a network partition
        started = time.monotonic()
        codes = [client.post("/api/ask", json={"q": "hi"}).status_code for _ in range(4)]
        elapsed = time.monotonic() - started
        # no request failed: this worker's own window (3 per 60 s) took over, and held
        assert codes == [200, 200, 200, 429]
        assert elapsed < 5, "a stalled Redis must cost one short timeout, not one per request"
        text = client.get("/metrics").get_data(as_text=True)
        assert 'tcr_doctor_backend_fallbacks_total{backend="redis",use="rate_limit"} 4.0' in text
        assert 'tcr_doctor_redis_fallbacks_total{use="rate_limit"} 4.0' in text  # the deprecated name still counts
        assert client.get("/healthz").status_code == 200
    finally:
        redis.resume()
        redis.stop()


def test_the_limiter_goes_back_to_redis_after_an_outage(redis_server, redis_url, monkeypatch):
    import bot.shared

    monkeypatch.setattr(bot.shared, "RETRY_AFTER", 0.2)
    fallbacks: list[tuple[str, str]] = []
    limiter = RateLimiter((2, 60.0), name="t", redis_url=redis_url, on_fallback=lambda *call: fallbacks.append(call))
    other = RateLimiter((2, 60.0), name="t", redis_url=redis_url)
    assert limiter.check("c") is None
    redis_server.pause()
    try:
        assert limiter.check("c") is None  # this worker's memory: its own first hit
        assert fallbacks == [("rate_limit", "redis")]
    finally:
        redis_server.resume()
    time.sleep(0.3)
    # shared again: two hits through two limiters use up one client's 2 per minute
    assert limiter.check("d") is None and other.check("d") is None
    assert limiter.check("d") is not None and other.check("d") is not None


def test_once_keys_are_set_nx_ex_in_redis(redis_url):
    import redis

    once = OnceKeys(redis_url, ttl=60, namespace="slack")
    assert once.first("Ev1") is True
    assert OnceKeys(redis_url, namespace="slack").first("Ev1") is False  # another worker or host
    ttl = redis.Redis.from_url(redis_url).ttl("tcr-doctor:slack:Ev1")
    assert 0 < ttl <= 60


def test_once_keys_say_nothing_when_redis_is_down():
    once = OnceKeys(f"redis://127.0.0.1:{free_port()}/0", namespace="slack")
    assert once.first("Ev1") is None  # the caller uses its own store


def test_a_slack_retry_that_reaches_another_host_is_answered_once(tmp_path, redis_url):
    """Two hosts (own SQLite files, so no shared table): only Redis tells the second one the event was handled."""
    from tests.test_slack_events import answers, mention

    event = mention("What should I do when logging in to an instance fails?", ts="1700000001.000950")
    with SlackRig(make_web_app, config={"DB": str(tmp_path / "a.sqlite3"), "REDIS_URL": redis_url}) as rig:
        other_config = dict(rig.config, DB=str(tmp_path / "b.sqlite3"))
        with WSGIServer(make_web_app(other_config)) as other_host:
            assert rig.event(event, event_id="Ev0HOSTS").status_code == 200
            retry = rig.event(
                event, event_id="Ev0HOSTS", headers={"X-Slack-Retry-Num": "1"}, url=other_host.url + "/slack/events"
            )
            assert retry.status_code == 200
            rig.api.wait_for("chat.postMessage")
            rig.api.quiet(0.3)
            assert len(answers(rig)) == 1


def test_an_unreachable_redis_at_start_up_is_one_clear_error(tmp_path):
    url = f"redis://:hunter2-pw@127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailable) as info:
        instance(tmp_path, "a", REDIS_URL=url)
    assert "hunter2-pw" not in str(info.value) and "cannot reach Redis" in str(info.value)


@pytest.mark.parametrize("variable", ["TCR_DOCTOR_REDIS_URL", "TCR_DOCTOR_DATABASE_URL"])
def test_serve_exits_with_one_line_when_a_service_is_unreachable(tmp_path, variable):
    port = free_port()
    url = (
        f"redis://:pw-secret@127.0.0.1:{port}/0"
        if "REDIS" in variable
        else f"postgresql://u:pw-secret@127.0.0.1:{port}/db"
    )
    env = dict(os.environ, TCR_DOCTOR_SLACK="off", TCR_DOCTOR_DB=str(tmp_path / "s.sqlite3"), **{variable: url})
    done = subprocess.run(
        [str(BIN / "tcr-doctor"), "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "pw-secret" not in done.stderr and f"127.0.0.1:{port}" in lines[0]


def test_gunicorn_from_the_procfile_exits_with_one_error_line_when_redis_is_unreachable(tmp_path):
    """The production server's master checks the database and Redis before it forks any worker."""
    from tests.harness.cluster import procfile_web_argv

    port = free_port()
    env = dict(
        os.environ,
        TCR_DOCTOR_SLACK="off",
        TCR_DOCTOR_DB=str(tmp_path / "g.sqlite3"),
        TCR_DOCTOR_REDIS_URL=f"redis://:pw-secret@127.0.0.1:{free_port()}/0",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"),
    )
    done = subprocess.run(
        procfile_web_argv(port, env), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "[INFO]" not in line]
    assert len(errors) == 1 and "cannot reach Redis" in errors[0], done.stderr
    assert "pw-secret" not in done.stderr and "Traceback" not in done.stderr


def test_a_deprecated_metric_leaves_in_the_version_it_names():
    import tomllib

    from bot.metrics import DEPRECATED, SPECS

    version = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["version"]

    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".")[:3])

    for name, until in DEPRECATED.items():
        assert name in SPECS and "removed in " + until in SPECS[name][1]
        assert parts(version) < parts(until), f"{name} was to go in {until}: remove it (SPECS, bot/web.py, README)"
