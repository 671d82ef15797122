"""The storage writer survives any input (issue 9, finding 1). Storage-API level: these tests are the contract
any storage backend keeps (record_question / record_feedback / question / health / flush), and run on SQLite and
on a real PostgreSQL alike."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from bot.storage import Storage
from tests.harness.stored import stored_question

SURROGATE = "docker login \ud800 fails"


def record(storage: Storage, qid: str, text: str, **extra) -> None:
    fields = dict(lang="en", status="no_answer", answer_id=None, score=None, kb_version="v1")
    fields.update(extra)
    storage.record_question(qid, text, **fields)


def test_unpaired_surrogate_is_stored_and_the_writer_keeps_going(storage_url, wait_for):
    storage = Storage(storage_url, flush_interval=0.05)
    record(storage, "bad", SURROGATE)
    record(storage, "good", "an ordinary question")
    assert wait_for(lambda: stored_question(storage, "good") is not None)
    row = stored_question(storage, "bad")
    assert row is not None and "\ud800" not in row["text"] and "fails" in row["text"]
    # later writes still go through, and feedback (written at once) works
    record(storage, "later", "another question")
    assert storage.record_feedback(question_id="later", answer_id="a", kb_version="v1", helpful=True) > 0
    assert stored_question(storage, "later") is not None
    assert storage.health()["writer"] == "ok"


def test_a_row_that_cannot_be_written_is_skipped_logged_redacted_and_counted(storage_url, caplog, wait_for):
    storage = Storage(storage_url, flush_interval=0.05)
    errors = []
    storage.on_error = errors.append
    # a value no database can bind: the writer must skip this row, not every row behind it
    record(storage, "unbindable", "password: hunter2hunter2 see", score=object())
    record(storage, "fine", "a normal question")
    with caplog.at_level(logging.WARNING):
        storage.flush()
    assert stored_question(storage, "fine") is not None
    assert stored_question(storage, "unbindable") is None
    health = storage.health()
    assert health["write_errors"] >= 1 and health["rows_dropped"] == 1
    assert errors, "the error hook (the metric) was not called"
    logged = caplog.text
    assert "hunter2hunter2" not in logged
    assert "question row" in logged
    # the writer thread is still alive and keeps writing
    record(storage, "after", "one more")
    assert wait_for(lambda: stored_question(storage, "after") is not None)
    assert storage.health()["writer_alive"] is True


def test_writer_thread_survives_an_unexpected_exception(storage_url, wait_for):
    storage = Storage(storage_url, flush_interval=0.05)
    calls = {"n": 0}
    write = storage._write

    def broken_write(rows):
        calls["n"] += 1
        if calls["n"] < 3:
            raise RuntimeError("the batch write exploded")
        return write(rows)

    storage._write = broken_write
    record(storage, "q1", "first question")
    assert wait_for(lambda: stored_question(storage, "q1") is not None)
    assert storage.health()["writer_alive"] is True
    assert storage.health()["write_errors"] >= 1


def test_pending_rows_are_bounded(tmp_path):
    """While the writer cannot keep up (here: never woken), memory stays bounded and the loss is counted."""
    storage = Storage(str(tmp_path / "s.sqlite3"), flush_interval=3600, batch=10**6, max_pending=50)
    for i in range(200):
        record(storage, f"q{i}", "x")
    health = storage.health()
    assert health["pending"] == 50 and health["rows_dropped"] == 150
    storage.flush()
    assert stored_question(storage, "q199") is not None and stored_question(storage, "q0") is None


@pytest.mark.timeout(60)
def test_sigterm_flushes_buffered_rows(storage_url):
    """A process that buffers a row (long flush interval) and gets SIGTERM writes it before it exits."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from bot.storage import Storage, flush_on_sigterm
        s = Storage({str(storage_url)!r}, flush_interval=3600, batch=10**6)
        flush_on_sigterm()
        s.record_question("buffered", "held in memory", lang="en", status="no_answer", answer_id=None,
                          score=None, kb_version="v1")
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert stored_question(Storage(str(storage_url)), "buffered") is not None
