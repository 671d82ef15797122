"""Migration 0007 (stored questions masked again by today's detector) on rows it cannot read as text."""

from __future__ import annotations

import logging
import sqlite3

import sqlalchemy as sa

import bot.storage as S
from bot.storage import Storage
from tests.test_storage import at_revision

SECRET = "Zx9qLm3RtY7uPa2w"


def test_a_stored_question_that_is_not_utf8_is_left_and_named_the_others_are_masked(tmp_path, caplog):
    """SQLite keeps whatever bytes another program wrote as TEXT. Reading such a row as text raised inside the
    migration: the database stayed at 0006 with every other secret unmasked, the service did not start, and the
    error it printed quoted the row's text. Now that row is left byte for byte and named by id in the log; the
    others are masked."""
    db = str(tmp_path / "q.sqlite3")
    at_revision(db, "0006")
    conn = sqlite3.connect(db)
    insert = "INSERT INTO questions (id, ts, channel, lang, text, redacted, status) VALUES (?, 1, 'web', 'en', {}, '', 'no_answer')"
    conn.execute(insert.format("?"), ("q-readable", f"registry user: admin pass: {SECRET} does not log in"))
    conn.execute(insert.format("CAST(? AS TEXT)"), ("q-bytes", f"pass: {SECRET} ".encode() + b"\xff"))
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING, logger="tcr_doctor.storage"):
        Storage(db).close()  # the service opening the database migrates it
    conn = sqlite3.connect(db)
    conn.text_factory = bytes
    rows = dict(conn.execute("SELECT id, text FROM questions").fetchall())
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(S.SCHEMA_REVISION.encode(),)]
    conn.close()
    assert rows[b"q-readable"] == b"registry user: admin pass: **** does not log in"
    assert rows[b"q-bytes"] == f"pass: {SECRET} ".encode() + b"\xff"  # not lost, not rewritten
    warning = " ".join(r.getMessage() for r in caplog.records)
    assert "q-bytes" in warning and SECRET not in warning


def test_a_database_error_shown_to_users_has_its_secrets_masked():
    """short_reason() is what `serve`, gunicorn's start-up check and `tcr-doctor db` print: SQLite's decode error
    quotes the row's text."""
    exc = sa.exc.OperationalError("SELECT", {}, Exception(f"Could not decode column 'text' with text 'pass: {SECRET}'"))
    assert SECRET not in S.short_reason(exc) and "Could not decode" in S.short_reason(exc)
