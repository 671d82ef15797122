"""`tcr_doctor_backend_fallbacks_total{backend,use}`: every store that dedupes Slack retries or counts rate limits
says in /metrics when it could not answer — Redis, the shared database's slack_seen table and the host's SQLite
file — and the event is still answered once. Scraped from /metrics of the real web app."""

from __future__ import annotations

import re
import sqlite3

import sqlalchemy as sa

from bot.storage import engine_url, make_engine
from tests.harness.slack_api import SlackRig, make_web_app
from tests.test_slack_events import answers, mention


def series(metrics: str, name: str) -> dict[str, float]:
    """{label text: value} of one metric's samples in a Prometheus exposition."""
    return {labels: float(value) for labels, value in re.findall(rf"^{name}\{{(.*?)\}} (\S+)$", metrics, flags=re.M)}


def scrape(rig) -> str:
    return rig.app.test_client().get("/metrics").get_data(as_text=True)


def close(rig) -> None:
    """Write the app's pending rows before the test's database goes away."""
    rig.app.extensions["tcr_doctor"].storage.close()


def send_twice(rig, event_id: str, ts: str) -> None:
    """An event and Slack's retry of it (same event id); both acknowledged."""
    event = mention("What should I do when logging in to an instance fails?", ts=ts)
    assert rig.event(event, event_id=event_id).status_code == 200
    assert rig.event(event, event_id=event_id, headers={"X-Slack-Retry-Num": "1"}).status_code == 200
    rig.api.wait_for("chat.postMessage")
    rig.api.quiet(0.3)


def test_a_database_dedupe_outage_is_counted_and_the_retry_still_answered_once(pg_url):
    with SlackRig(make_web_app, config={"DATABASE_URL": pg_url}) as rig:
        engine = make_engine(engine_url(pg_url))
        with engine.begin() as conn:  # the shared table breaks while the service runs
            conn.execute(sa.text("DROP TABLE slack_seen"))
        engine.dispose()
        send_twice(rig, "Ev0DBDOWN", "1700002000.000100")
        assert len(answers(rig)) == 1  # this worker's memory caught the retry
        fallbacks = series(scrape(rig), "tcr_doctor_backend_fallbacks_total")
        close(rig)
    # the event (a database error) and its retry (the breaker open) were both served without the database; each
    # look-up counts (an event is deduped by its id and by its message)
    assert list(fallbacks) == ['backend="database",use="slack_dedupe"']
    assert fallbacks['backend="database",use="slack_dedupe"'] >= 2


def test_a_healthy_database_dedupe_counts_no_fallback(pg_url):
    with SlackRig(make_web_app, config={"DATABASE_URL": pg_url}) as rig:
        send_twice(rig, "Ev0DBUP", "1700002001.000100")
        assert len(answers(rig)) == 1
        assert series(scrape(rig), "tcr_doctor_backend_fallbacks_total") == {}
        close(rig)


def test_a_broken_sqlite_dedupe_file_is_counted(tmp_path):
    db = tmp_path / "web.sqlite3"
    with SlackRig(make_web_app, config={"DB": str(db)}) as rig:
        conn = sqlite3.connect(db)  # every insert into the dedupe table fails from now on, as on a failing disk
        conn.execute("CREATE TRIGGER broken BEFORE INSERT ON slack_seen BEGIN SELECT RAISE(ABORT, 'disk I/O'); END")
        conn.commit()
        conn.close()
        send_twice(rig, "Ev0FILEDOWN", "1700002002.000100")
        assert len(answers(rig)) == 1
        fallbacks = series(scrape(rig), "tcr_doctor_backend_fallbacks_total")
        close(rig)
    assert list(fallbacks) == ['backend="sqlite_file",use="slack_dedupe"']
    assert fallbacks['backend="sqlite_file",use="slack_dedupe"'] >= 2
