"""Storage on SQLite and PostgreSQL alike (a real PostgreSQL started by the tests): writes, reads, the report,
the writer's robustness, migrations, retention, and `tcr-doctor db` / `report` with a database URL."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import types

import pytest
import sqlalchemy as sa

from bot import storage as S
from bot.cli import main
from bot.storage import DatabaseUnavailable, Storage
from tests.harness.stored import stored_feedback, stored_question


def ask(storage: Storage, qid: str, text: str, status: str = "no_answer", **extra) -> None:
    fields = dict(lang="en", status=status, answer_id=None, score=None, kb_version="v1")
    fields.update(extra)
    storage.record_question(qid, text, **fields)


def test_questions_feedback_and_the_report(storage_url, wait_for):
    storage = Storage(storage_url, flush_interval=0.05)
    ask(storage, "q1", "what is the airspeed of a swallow")
    ask(storage, "q2", "What is the airspeed of a swallow?")
    ask(storage, "q3", "docker login fails", status="answered", answer_id="login-failed", score=0.9)
    ask(storage, "q3", "a retry of the same id is ignored", status="answered")
    assert wait_for(lambda: stored_question(storage, "q2") is not None)  # the writer thread, not an explicit flush
    fid = storage.record_feedback(question_id="q3", answer_id="login-failed", kb_version="v1", helpful=False)
    assert fid >= 1 and storage.record_feedback(question_id=None, answer_id="x", kb_version="v", helpful=True) > fid
    assert stored_question(storage, "q3")["text"] == "docker login fails"
    assert stored_question(storage, "q3")["score"] == pytest.approx(0.9)
    groups = storage.unanswered()
    assert [(g["count"], g["no_answer"], g["thumbs_down"]) for g in groups] == [(2, 2, 0), (1, 0, 1)]
    assert groups[1]["question"] == "docker login fails" and groups[1]["answer_ids"] == ["login-failed"]
    assert storage.unanswered(since=time.time() + 60) == []
    assert [r["helpful"] for r in stored_feedback(storage)] == [0, 1]
    storage.close()


def test_text_no_database_accepts_is_cleaned_not_lost(storage_url):
    storage = Storage(storage_url, flush_interval=0.05)
    ask(storage, "bad", "docker login \ud800 fails \x00 here")
    ask(storage, "good", "an ordinary question")
    storage.flush()
    row = stored_question(storage, "bad")
    assert row is not None and "\ud800" not in row["text"] and "\x00" not in row["text"]
    assert row["text"].startswith("docker login") and row["text"].endswith("here")
    assert stored_question(storage, "good") is not None
    assert storage.health()["writer"] == "ok"


def test_a_refused_row_is_skipped_logged_without_its_text_and_counted(storage_url, caplog):
    storage = Storage(storage_url, flush_interval=60)
    kinds: list[str] = []
    storage.on_error = kinds.append
    ask(storage, "unbindable", "password: hunter2hunter2 see", score=object())
    ask(storage, "fine", "a normal question")
    with caplog.at_level(logging.WARNING, logger="tcr_doctor.storage"):
        storage.flush()
    assert stored_question(storage, "fine") is not None and stored_question(storage, "unbindable") is None
    health = storage.health()
    assert health["write_errors"] == 1 and health["rows_dropped"] == 1 and health["writer"] == "errors"
    assert kinds == ["question row"]
    assert "question row failed for id 'unbindable' (skipped)" in caplog.text and "hunter2" not in caplog.text
    ask(storage, "after", "one more")
    storage.flush()
    assert stored_question(storage, "after") is not None


def test_two_storages_on_one_database_see_each_other(storage_url):
    """Two hosts (or workers) on one database: what one writes, the other reads and reports."""
    a, b = Storage(storage_url), Storage(storage_url)
    ask(a, "qa", "written through a")
    a.flush()
    b.record_feedback(question_id="qa", answer_id="x", kb_version="v", helpful=False)
    assert stored_question(b, "qa")["text"] == "written through a"
    assert [g["count"] for g in a.unanswered()] == [2]


def _held_first_write(storage: Storage, hold: threading.Event) -> list[int]:
    """Make the group commit's first transaction wait for `hold`, so that writers arriving meanwhile queue up
    behind it; returns the list the batch sizes are appended to."""
    group = storage._feedback_group
    write, sizes = group.write, []

    def held(rows):
        sizes.append(len(rows))
        if len(sizes) == 1:
            hold.wait(10)
        return write(rows)

    group.write = held
    return sizes


def _concurrently(n: int, work) -> tuple[dict[int, object], dict[int, BaseException]]:
    results: dict[int, object] = {}
    errors: dict[int, BaseException] = {}

    def run(i: int) -> None:
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    threads[0].start()
    time.sleep(0.2)  # the first is now the leader, held in its transaction
    for t in threads[1:]:
        t.start()
    return results, errors


def test_concurrent_feedback_shares_transactions_and_each_writer_gets_its_own_row(storage_url, wait_for):
    storage = Storage(storage_url)
    hold = threading.Event()
    sizes = _held_first_write(storage, hold)

    def write(i: int) -> int:
        return storage.record_feedback(question_id=f"q{i}", answer_id=f"a{i}", kb_version="v", helpful=i % 2 == 0)

    results, errors = _concurrently(30, write)
    assert wait_for(lambda: len(storage._feedback_group._queue) == 29)  # all queued behind the held commit
    assert not results  # nobody is acknowledged before its row is committed
    hold.set()
    assert wait_for(lambda: len(results) + len(errors) == 30) and not errors
    assert sizes[0] == 1 and sizes[1] == 29 and sum(sizes) == 30  # the 29 that queued went in one transaction
    rows = {r["id"]: r for r in stored_feedback(storage)}
    assert len(rows) == 30 and len(set(results.values())) == 30
    for i, fid in results.items():  # each writer got the id of its own row
        row = rows[fid]
        assert (row["answer_id"], row["question_id"], row["helpful"]) == (f"a{i}", f"q{i}", int(i % 2 == 0))


def test_a_bad_row_in_a_shared_transaction_fails_only_its_own_writer(storage_url, wait_for):
    storage = Storage(storage_url)
    hold = threading.Event()
    sizes = _held_first_write(storage, hold)

    def write(i: int) -> int:
        kb_version = object() if i == 5 else "v"  # no database can store this value
        return storage.record_feedback(question_id=None, answer_id=f"a{i}", kb_version=kb_version, helpful=True)

    results, errors = _concurrently(10, write)
    assert wait_for(lambda: len(storage._feedback_group._queue) == 9)
    hold.set()
    assert wait_for(lambda: len(results) + len(errors) == 10)
    assert list(errors) == [5] and sorted(results) == [0, 1, 2, 3, 4, 6, 7, 8, 9]
    assert sizes[1] == 9  # the shared transaction failed, then each of its rows was written alone
    assert sorted(r["answer_id"] for r in stored_feedback(storage)) == sorted(f"a{i}" for i in results)


def test_feedback_when_the_database_is_gone_is_an_error_for_every_writer_and_then_works_again(storage_url):
    storage = Storage(storage_url)
    group = storage._feedback_group
    write = group.write
    group.write = lambda rows: (_ for _ in ()).throw(sa.exc.OperationalError("INSERT", {}, Exception("gone")))
    with pytest.raises(sa.exc.OperationalError):
        storage.record_feedback(question_id=None, answer_id="a", kb_version="v", helpful=True)
    group.write = write
    assert storage.record_feedback(question_id=None, answer_id="a", kb_version="v", helpful=True) >= 1
    assert len(stored_feedback(storage)) == 1


def test_prune_deletes_only_old_rows(storage_url):
    storage = Storage(storage_url)
    ask(storage, "old", "old question")
    ask(storage, "new", "new question")
    storage.flush()
    storage.record_feedback(question_id="old", answer_id="x", kb_version="v", helpful=False)
    with storage.engine().begin() as conn:
        conn.execute(sa.update(S.questions).where(S.questions.c.id == "old").values(ts=time.time() - 100 * 86400))
        conn.execute(sa.update(S.feedback).values(ts=time.time() - 100 * 86400))
    assert storage.prune(90) == {"questions": 1, "feedback": 1}
    assert stored_question(storage, "old") is None and stored_question(storage, "new") is not None
    assert storage.prune(90) == {"questions": 0, "feedback": 0}


def test_writer_prunes_by_the_retention_setting(storage_url, wait_for):
    before = Storage(storage_url)
    ask(before, "old", "old question")
    before.flush()
    with before.engine().begin() as conn:
        conn.execute(sa.update(S.questions).values(ts=time.time() - 2 * 86400))
    storage = Storage(storage_url, flush_interval=0.05, retention_days=1)
    ask(storage, "new", "new question")  # starts the writer, which prunes on its first round
    assert wait_for(lambda: stored_question(storage, "old") is None and stored_question(storage, "new") is not None)


# --- migrations -------------------------------------------------------------------------------------------
def test_schema_revision_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(S.alembic_config("sqlite://"))
    assert script.get_heads() == [S.SCHEMA_REVISION]


def test_migrations_build_the_same_schema_as_a_fresh_database(storage_url):
    """`db upgrade` on an empty database (Alembic, every migration) gives exactly the tables of `metadata`, which a
    fresh database gets in one step."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert main(["db", "upgrade", "--database-url", storage_url]) == 0
    engine = S.make_engine(S.engine_url(storage_url))
    with engine.connect() as conn:
        assert S.current_revision(conn) == S.SCHEMA_REVISION
        diff = compare_metadata(MigrationContext.configure(conn), S.metadata)
    engine.dispose()
    assert diff == []
    storage = Storage(storage_url)  # opens without migrating again, and works
    ask(storage, "q", "text")
    storage.flush()
    assert stored_question(storage, "q") is not None


def test_a_database_of_an_earlier_version_is_migrated_keeping_its_rows(tmp_path):
    legacy = tmp_path / "legacy.sqlite3"
    conn = sqlite3.connect(legacy)
    conn.executescript(
        """
        CREATE TABLE questions (id TEXT PRIMARY KEY, ts REAL NOT NULL, channel TEXT NOT NULL, lang TEXT,
            text TEXT NOT NULL, redacted TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, answer_id TEXT, score REAL,
            kb_version TEXT);
        CREATE INDEX questions_status ON questions(status, ts);
        CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, question_id TEXT,
            answer_id TEXT NOT NULL, kb_version TEXT NOT NULL, helpful INTEGER NOT NULL, channel TEXT NOT NULL DEFAULT 'web');
        CREATE INDEX feedback_helpful ON feedback(helpful, ts);
        CREATE TABLE metrics (worker TEXT PRIMARY KEY, ts REAL NOT NULL, data TEXT NOT NULL);
        INSERT INTO questions VALUES ('old', 1.0, 'web', 'en', 'kept across the upgrade', '', 'no_answer', NULL, NULL, 'v');
        """
    )
    conn.commit()
    conn.close()
    storage = Storage(str(legacy))
    assert stored_question(storage, "old")["text"] == "kept across the upgrade"
    with storage.engine().connect() as c:
        assert S.current_revision(c) == S.SCHEMA_REVISION
        assert not sa.inspect(c).has_table("metrics")  # 0002: metrics are no longer kept in the database


def test_a_server_database_behind_is_not_migrated_when_told_not_to(storage_url):
    engine = S.make_engine(S.engine_url(storage_url))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE unrelated (x INTEGER)"))
    engine.dispose()
    with pytest.raises(DatabaseUnavailable, match="run 'tcr-doctor db upgrade'"):
        Storage(storage_url, migrate=False)
    assert main(["db", "current", "--database-url", storage_url]) == 1
    assert main(["db", "upgrade", "--database-url", storage_url]) == 0
    assert main(["db", "current", "--database-url", storage_url]) == 0
    Storage(storage_url, migrate=False)


def test_hosts_starting_together_create_the_schema_once(pg_url):
    """Several hosts opening an empty PostgreSQL database at once: the advisory lock serialises them."""
    errors: list[BaseException] = []

    def open_it():
        try:
            Storage(pg_url).close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def test_processes_opening_a_new_sqlite_file_together_create_the_schema_once(tmp_path):
    """Worker processes opening the same new SQLite file at once (found as a flaky multiprocess-metrics test):
    SQLite's write lock serialises them, the later ones find the schema made."""
    import subprocess
    import sys

    code = "import sys; from bot.storage import Storage; Storage(sys.argv[1]).close()"
    for attempt in range(4):
        path = str(tmp_path / f"new{attempt}.sqlite3")
        procs = [
            subprocess.Popen([sys.executable, "-c", code, path], stderr=subprocess.PIPE, text=True) for _ in range(4)
        ]
        errors = [p.communicate(timeout=60)[1] for p in procs if p.wait(timeout=60)]
        assert errors == []


# --- unreachable databases --------------------------------------------------------------------------------
def test_an_unreachable_database_is_one_clear_error_without_the_password():
    from tests.harness._net import free_port

    url = f"postgresql://app:s3cret-pw@127.0.0.1:{free_port()}/tcr"
    with pytest.raises(DatabaseUnavailable) as info:
        Storage(url)
    message = str(info.value)
    assert "s3cret-pw" not in message and "127.0.0.1" in message and "\n" not in message


def test_db_and_report_commands_with_an_unreachable_database(capsys):
    from tests.harness._net import free_port

    url = f"postgresql://app:s3cret-pw@127.0.0.1:{free_port()}/tcr"
    for argv in (["db", "upgrade"], ["report", "unanswered"], ["db", "prune", "--older-than", "1d"]):
        assert main([*argv, "--database-url", url]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "s3cret-pw" not in err and "Traceback" not in err


# --- the commands -----------------------------------------------------------------------------------------
def test_report_and_prune_commands_take_the_same_url(storage_url, capsys, monkeypatch):
    storage = Storage(storage_url)
    ask(storage, "q1", "nobody answers this")
    ask(storage, "q2", "nobody answers this!")
    storage.flush()
    capsys.readouterr()
    assert main(["report", "unanswered", "--database-url", storage_url, "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert [(g["question"], g["count"]) for g in groups] == [("nobody answers this", 2)]
    monkeypatch.setenv("TCR_DOCTOR_DATABASE_URL", storage_url)  # the environment names the same database
    assert main(["report", "unanswered", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["groups"] == groups
    assert main(["db", "prune", "--older-than", "30d"]) == 0
    assert "pruned 0 questions" in capsys.readouterr().out
    assert main(["db", "prune", "--older-than", "0m"]) == 0
    assert "pruned 2 questions" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "days"), [("90d", 90.0), ("12h", 0.5), ("30m", 30 / 1440), ("7", 7.0), (" 1.5d ", 1.5)]
)
def test_durations(text, days):
    from bot.commands.db import parse_days

    assert parse_days(text) == pytest.approx(days)


def test_bad_duration_is_a_usage_error(capsys):
    assert main(["db", "prune", "--older-than", "ninety days", "--lang", "en"]) == 2
    assert "not a duration" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u@h:5433/db", "postgresql+psycopg://u@h:5433/db"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
        ("/tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_urls(raw, expected):
    assert S.engine_url(raw) == expected


def test_database_url_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("TCR_DOCTOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TCR_DOCTOR_DB", str(tmp_path / "file.sqlite3"))
    assert S.database_url() == f"sqlite:///{tmp_path}/file.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://platform/db")
    assert S.database_url() == "postgresql+psycopg://platform/db"
    monkeypatch.setenv("TCR_DOCTOR_DATABASE_URL", "postgresql://ours/db")
    assert S.database_url() == "postgresql+psycopg://ours/db"
    assert S.database_url(str(tmp_path / "given.sqlite3")) == f"sqlite:///{tmp_path}/given.sqlite3"


def test_web_service_on_postgresql(pg_url):
    """The web app with DATABASE_URL: questions and feedback land in PostgreSQL, the report reads them."""
    from bot.web import create_app

    app = create_app({"DATABASE_URL": pg_url, "SLACK": "off", "RATE_LIMIT_ASK": "0"})
    client = app.test_client()
    asked = client.post("/api/ask", json={"q": "what is the airspeed velocity of an unladen swallow"})
    assert asked.status_code == 200
    assert (
        client.post(
            "/api/feedback",
            json={
                "answer_id": "login-failed",
                "kb_version": "v",
                "helpful": False,
                "question_id": asked.headers["X-Question-Id"],
            },
        ).status_code
        == 201
    )
    storage = app.extensions["tcr_doctor"].storage
    assert storage.path is None and storage.dialect == "postgresql"
    groups = Storage(pg_url).unanswered()
    assert sum(g["count"] for g in groups) == 2


# --- refusal kinds: small talk is not a missed question -----------------------------------------------------
def test_small_talk_is_stored_with_its_kind_and_left_out_of_the_report_and_the_console(storage_url):
    from bot.console.store import ConsoleStore, Filters

    storage = Storage(storage_url)
    ask(storage, "hi", "hello there", refusal="smalltalk")
    ask(storage, "thanks", "thanks!", refusal="smalltalk")
    ask(storage, "doc", "how much does the enterprise edition cost", refusal="documentation")
    ask(storage, "ecr", "aws ecr login fails", refusal="other_registry")
    ask(storage, "old", "a row written before refusal kinds were stored")
    storage.flush()
    assert (
        stored_question(storage, "hi")["refusal"] == "smalltalk" and stored_question(storage, "old")["refusal"] is None
    )
    reported = {g["question"] for g in storage.unanswered()}
    assert reported == {
        "how much does the enterprise edition cost",
        "aws ecr login fails",
        "a row written before refusal kinds were stored",
    }
    # a thumbs-down is a missed answer whatever the question was
    storage.record_feedback(question_id="thanks", answer_id="x", kb_version="v", helpful=False)
    assert "thanks!" in {g["question"] for g in storage.unanswered()}
    console = ConsoleStore(storage.engine)
    missed = {m["text"]: m for m in console.missed_texts(Filters(0, time.time() + 60))}
    assert set(missed) == reported | {"thanks!"}
    assert missed["thanks!"]["refused"] == 0 and missed["thanks!"]["down"] == 1


def at_revision(url: str, revision: str) -> None:
    """Move the database at `url` to `revision` (up or down) with Alembic, as `tcr-doctor db` would."""
    from alembic import command

    engine = S.make_engine(S.engine_url(url))
    try:
        with engine.begin() as conn:
            config = S.alembic_config(url)
            config.attributes["connection"] = conn
            current = S.current_revision(conn)
            if current is None or current < revision:
                command.upgrade(config, revision)
            elif current > revision:
                command.downgrade(config, revision)
    finally:
        engine.dispose()


def kinds_and_index(url: str) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """{id: (text, refusal)} of every question, and the columns of the console's covering index."""
    engine = S.make_engine(S.engine_url(url))
    try:
        with engine.connect() as conn:
            rows = {r.id: (r.text, r.refusal) for r in conn.execute(sa.select(S.questions))}
            index = {ix["name"]: ix["column_names"] for ix in sa.inspect(conn).get_indexes("questions")}
    finally:
        engine.dispose()
    return rows, list(index["questions_console"])


def test_migration_0006_classifies_old_refused_rows_once_with_ask(storage_url, capsys):
    """Rows stored before refusal kinds (revision 0005) get the kind knowledge.ask gives their text: old small talk
    leaves the report; texts and other rows stay; running it again or going down and up changes nothing."""
    at_revision(storage_url, "0005")
    old = [
        ("hi", "hello", "no_answer", None),
        ("ty", "thanks a lot!", "no_answer", None),
        ("swallow", "what is the airspeed velocity of an unladen swallow", "no_answer", None),
        ("answerable", "How do I delete an image tag?", "no_answer", None),  # ask() answers it today
        ("answered", "hello", "answered", None),  # not a refusal: never classified
        ("kept", "my pull hangs at 50%", "no_answer", "troubleshooting"),  # already has a kind
    ]
    engine = S.make_engine(S.engine_url(storage_url))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(S.questions),
            [
                {"id": i, "ts": time.time(), "channel": "web", "lang": "en", "text": t, "status": st, "refusal": r}
                for i, t, st, r in old
            ],
        )
    engine.dispose()
    storage = Storage(storage_url)  # the service opening the database migrates it
    storage.close()
    rows, index = kinds_and_index(storage_url)
    assert {i: text for i, (text, _) in rows.items()} == {i: t for i, t, _, _ in old}  # texts untouched
    assert rows["hi"][1] == rows["ty"][1] == "smalltalk"
    assert rows["swallow"][1] in ("documentation", "troubleshooting", "other_registry")
    assert rows["answerable"][1] is None and rows["answered"][1] is None and rows["kept"][1] == "troubleshooting"
    assert index == ["ts", "channel", "status", "answer_id", "log_code", "refusal"]
    assert main(["report", "unanswered", "--database-url", storage_url, "--json"]) == 0
    reported = {g["question"] for g in json.loads(capsys.readouterr().out)["groups"]}
    assert reported == {
        "what is the airspeed velocity of an unladen swallow",
        "How do I delete an image tag?",
        "my pull hangs at 50%",
    }
    # down: 0005's index, kinds kept; up again: nothing changes
    at_revision(storage_url, "0005")
    down_rows, down_index = kinds_and_index(storage_url)
    assert down_rows == rows and down_index == ["ts", "channel", "status", "answer_id", "log_code"]
    at_revision(storage_url, "0006")
    assert kinds_and_index(storage_url) == (rows, index)


def store_questions(url: str, rows: dict[str, tuple[str, str]]) -> None:
    """Write {id: (text, redacted)} as refused web questions, as an older release stored them (no masking here)."""
    engine = S.make_engine(S.engine_url(url))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(S.questions),
            [
                {
                    "id": i,
                    "ts": time.time(),
                    "channel": "web",
                    "lang": "en",
                    "text": t,
                    "redacted": r,
                    "status": "no_answer",
                }
                for i, (t, r) in rows.items()
            ],
        )
    engine.dispose()


def stored_texts(url: str) -> dict[str, tuple[str, str]]:
    """{id: (text, redacted)} of every question, as the database holds them."""
    engine = S.make_engine(S.engine_url(url))
    try:
        with engine.connect() as conn:
            return {r.id: (r.text, r.redacted) for r in conn.execute(sa.select(S.questions))}
    finally:
        engine.dispose()


def test_migration_0007_masks_again_the_questions_stored_before_the_detector_knew_their_form(storage_url, capsys):
    """A secret in a form the detector learned later (a bare `pass:`, the line after a `Password:` prompt,
    `user:password@host` with a single-label host) stayed in the stored row until retention deleted it: the service
    opening the database masks it, adds the kind to `redacted`, and leaves other rows as they are; again, or down and
    up, writes nothing."""
    secret = "Zx9qLm3RtY7uPa2w"
    at_revision(storage_url, "0006")
    old = {
        "bare-pass": (f"registry user: admin pass: {secret} does not log in", ""),
        "prompt": (f"$ docker login ccr.ccs.tencentyun.com -u 100012345678\nPassword:\n{secret}\nError", ""),
        "single-label": (f"docker pull admin:{secret}@registry/ns/app:1 fails", "aws-key"),
        "clean": ("docker pull fails with unauthorized", ""),
        "masked": ("docker login -p **** fails", "docker-login-password"),
    }
    store_questions(storage_url, old)
    Storage(storage_url).close()  # the service opening the database migrates it
    rows = stored_texts(storage_url)
    assert not [i for i, (text, _) in rows.items() if secret in text], rows
    assert rows["bare-pass"] == ("registry user: admin pass: **** does not log in", "password")
    assert rows["single-label"] == ("docker pull admin:****@registry/ns/app:1 fails", "aws-key,host-credentials")
    assert rows["prompt"][0].endswith("Password:\n****\nError") and rows["prompt"][1] == "password"
    assert {i: rows[i] for i in ("clean", "masked")} == {i: old[i] for i in ("clean", "masked")}
    assert main(["db", "current", "--database-url", storage_url]) == 0
    assert capsys.readouterr().out.strip() == S.SCHEMA_REVISION
    engine = S.make_engine(S.engine_url(storage_url))
    with engine.begin() as conn:
        assert S.remask_questions(conn) == 0  # idempotent
    engine.dispose()
    at_revision(storage_url, "0006")
    at_revision(storage_url, "0007")
    assert stored_texts(storage_url) == rows


def overlay_rows(url: str) -> dict[int, tuple[str, str | None, str | None]]:
    """{id: (texts, topic, pointer)} of every taught act, as the database holds them."""
    engine = S.make_engine(S.engine_url(url))
    try:
        with engine.connect() as conn:
            return {r.id: (r.texts, r.topic, r.pointer) for r in conn.execute(sa.select(S.kb_overlay))}
    finally:
        engine.dispose()


def test_migration_0008_masks_the_texts_taught_before_teaching_masked_them(storage_url, caplog):
    """Phrasings taught in the console were stored as written and `kb export` writes them into the FAQ files: the
    service opening the database masks each taught text, topic and pointer; other rows, and a row whose texts are not
    the JSON teaching writes, stay as they are; again, or down and up, writes nothing."""
    secret = "Zx9qLm3RtY7uPa2w"
    at_revision(storage_url, "0007")

    def act(texts, topic=None, pointer=None, kind="phrasings"):
        return {
            "ts": time.time(),
            "author": "Ann Lead",
            "kind": kind,
            "entry_id": "login-failed" if kind == "phrasings" else None,
            "topic": topic,
            "pointer": pointer,
            "texts": texts if isinstance(texts, str) else json.dumps(texts, ensure_ascii=False),
        }

    engine = S.make_engine(S.engine_url(storage_url))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(S.kb_overlay),
            [
                act(
                    [{"text": f"docker login fails, pass: {secret}", "lang": "en"}, {"text": "登录失败", "lang": "zh"}]
                ),
                act(
                    [{"text": "how do I mirror images", "lang": "en"}],
                    f"mirrors pass: {secret}",
                    f"see pass: {secret}",
                    kind="topic",
                ),
                act([{"text": "docker login fails", "lang": "en"}]),
                act(f"not json pass: {secret}"),
            ],
        )
    engine.dispose()
    Storage(storage_url).close()  # the service opening the database migrates it
    rows = overlay_rows(storage_url)
    texts = {i: json.loads(t) if t.startswith("[") else t for i, (t, _, _) in rows.items()}
    assert texts[1] == [{"text": "docker login fails, pass: ****", "lang": "en"}, {"text": "登录失败", "lang": "zh"}]
    assert rows[2][1:] == ("mirrors pass: ****", "see pass: ****")
    assert texts[3] == [{"text": "docker login fails", "lang": "en"}]
    assert rows[4][0] == f"not json pass: {secret}"  # left as it is, named by id
    assert "4" in " ".join(r.getMessage() for r in caplog.records)
    engine = S.make_engine(S.engine_url(storage_url))
    with engine.begin() as conn:
        assert S.remask_overlay(conn) == 0  # idempotent
    engine.dispose()
    at_revision(storage_url, "0007")
    at_revision(storage_url, "0008")
    assert overlay_rows(storage_url) == rows


def test_migration_0009_masks_a_secret_of_a_glued_variable_name(storage_url):
    """A question stored before the detector read `APIBROWSERPASS=X` (a variable's upper-case name glued to its label)
    kept X: the service opening the database masks it; a clean row is not written; again, or down and up, nothing."""
    secret = "0449969c97440296f2229fb0"
    at_revision(storage_url, "0008")
    old = {
        "glued": (f"docker run -e APIBROWSERPASS={secret} app fails to pull", ""),
        "clean": ("docker pull fails with unauthorized", ""),
    }
    store_questions(storage_url, old)
    Storage(storage_url).close()  # the service opening the database migrates it
    rows = stored_texts(storage_url)
    assert rows["glued"] == ("docker run -e APIBROWSERPASS=**** app fails to pull", "password")
    assert rows["clean"] == old["clean"]
    at_revision(storage_url, "0008")
    at_revision(storage_url, "0009")
    assert stored_texts(storage_url) == rows


def test_teaching_in_the_console_masks_the_taught_texts(tmp_path):
    """A phrasing taught with a pasted secret was stored (and exported by `kb export`) as written."""
    from bot.console.store import ConsoleStore

    secret = "Zx9qLm3RtY7uPa2w"
    storage = Storage(str(tmp_path / "t.sqlite3"))
    try:
        store = ConsoleStore(storage.engine)
        store.teach(
            author="Ann Lead",
            kind="topic",
            texts=[{"text": f"registry user: admin pass: {secret} does not log in", "lang": "en"}],
            topic=f"logins pass: {secret}",
            pointer=f"https://docs.example/?pass: {secret}",
        )
        with storage.engine().connect() as conn:
            (row,) = conn.execute(sa.select(S.kb_overlay)).all()
    finally:
        storage.close()
    assert secret not in f"{row.texts} {row.topic} {row.pointer}", row
    assert json.loads(row.texts) == [{"text": "registry user: admin pass: **** does not log in", "lang": "en"}]


def test_the_web_channel_stores_the_refusal_kind_of_ask(tmp_path):
    """Real knowledge base: a greeting is small talk (stored so, not reported), an unknown question is not."""
    from bot.web import create_app

    db = str(tmp_path / "web.sqlite3")
    app = create_app({"DATABASE_URL": db, "SLACK": "off", "RATE_LIMIT_ASK": "0", "RATE_LIMIT_FEEDBACK": "0"})
    client = app.test_client()
    ids = {}
    for text in ("hello", "what is the airspeed velocity of an unladen swallow"):
        response = client.post("/api/ask", json={"q": text})
        ids[text] = (response.headers["X-Question-Id"], (response.get_json()["refusal"] or {}).get("kind"))
    assert ids["hello"][1] == "smalltalk" and ids["what is the airspeed velocity of an unladen swallow"][1]
    storage = app.extensions["tcr_doctor"].storage
    storage.flush()
    for qid, kind in ids.values():
        assert stored_question(storage, qid)["refusal"] == kind
    assert [g["question"] for g in storage.unanswered()] == ["what is the airspeed velocity of an unladen swallow"]
    feedback = {"answer_id": "login-failed", "kb_version": "v", "helpful": True}
    assert client.post("/api/feedback", json=feedback).status_code == 201
    assert 'tcr_doctor_feedback_total{channel="web",helpful="true"} 1.0' in client.get("/metrics").get_data(True)


# --- once-only keys in the shared database (Slack retry dedupe without Redis) -------------------------------
def test_seen_keys_are_first_once_across_storages_and_expire(storage_url):
    a, b = Storage(storage_url).seen_keys(ttl=60), Storage(storage_url).seen_keys(ttl=60)
    assert a.first("event:Ev1") is True
    assert b.first("event:Ev1") is False and a.first("event:Ev1") is False  # another host, then the same one
    assert b.first("event:Ev2") is True
    with a.storage.engine().begin() as conn:  # Ev1 was seen two minutes ago: past the ttl, it counts as new
        conn.execute(
            sa.update(S.slack_seen).values(at=time.time() - 120).where(S.slack_seen.c.key == "slack:event:Ev1")
        )
    assert b.first("event:Ev1") is True and a.first("event:Ev1") is False
    a.storage.prune(0)
    assert a.first("event:Ev2") is True  # pruned with the rest


def test_seen_keys_say_nothing_while_the_database_fails(storage_url, caplog):
    keys = Storage(storage_url).seen_keys()
    with keys.storage.engine().begin() as conn:
        conn.execute(sa.text("DROP TABLE slack_seen"))
    with caplog.at_level(logging.WARNING):
        assert keys.first("event:Ev3") is None
    assert "The database unavailable for slack dedupe" in caplog.text and "Redis" not in caplog.text
    assert not keys.breaker.up()  # the next events do not wait on the database for a while
    assert keys.first("event:Ev4") is None


def test_concurrent_first_sightings_have_exactly_one_winner(storage_url):
    keys = [Storage(storage_url).seen_keys() for _ in range(4)]
    answers: list[bool | None] = []
    barrier = threading.Barrier(8)

    def see(n: int) -> None:
        barrier.wait()
        answers.append(keys[n % 4].first("event:EvRACE"))

    threads = [threading.Thread(target=see, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers, key=str) == [False] * 7 + [True]


def test_the_report_groups_missed_questions_as_the_console_does(storage_url, capsys):
    """`report unanswered` grouped by exact (normalised) text while the console put near-duplicates together
    (qa8): "how do I rename a namespace" and "how to rename a namespace?" were two report lines and one console
    group. Both now use bot.grouping.cluster: the same groups, each led by its most frequent text."""
    from bot.console import _groups
    from bot.console.store import ConsoleStore, Filters

    storage = Storage(storage_url)
    asked = [
        *(("en", "how do I rename a namespace"),) * 3,
        ("en", "how to rename a namespace?"),
        *(("zh", "登录实例失败"),) * 2,
        ("zh", "docker login 登录实例失败了"),
    ]
    for n, (lang, text) in enumerate(asked):
        ask(storage, f"q{n}", text, lang=lang, refusal="documentation")
    storage.flush()
    groups = storage.unanswered()
    assert [(g["question"], g["similar"], g["count"], g["langs"]) for g in groups] == [
        ("how do I rename a namespace", ["how to rename a namespace?"], 4, ["en"]),
        ("登录实例失败", ["docker login 登录实例失败了"], 3, ["zh"]),
    ]
    assert groups[0]["no_answer"] == 4 and groups[0]["reasons"] == {"documentation": 4}
    console = types.SimpleNamespace(store=ConsoleStore(storage.engine))
    shown = _groups(console, Filters(0, time.time() + 60))  # type: ignore[arg-type]
    assert [[t["text"] for t in g["texts"]] for g in shown] == [[g["question"], *g["similar"]] for g in groups]
    storage.close()
    capsys.readouterr()
    assert main(["report", "unanswered", "--database-url", storage_url, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "   3x  登录实例失败\n       另有 1 个相似的问题，例如：docker login 登录实例失败了\n" in out, out


_SETUP = (
    "Everything is set up as in the docs, the kubeflow pipeline pulls the image on every run and fails.\n"
    "$ docker pull {host}/team/pipeline:{tag}\n"
    "{tag}: Pulling from team/pipeline\n"
    "Digest: sha256:0d1c0a6e1f1d7c0b2a3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c\n"
)
_ERRORS = [
    'Error response from daemon: Get "https://{host}/v2/": x509: certificate signed by unknown authority',
    'Error response from daemon: Get "https://{host}/v2/": dial tcp: lookup {host} on 127.0.0.11:53: no such host',
    "toomanyrequests: You have reached your pull rate limit.",
    'Error response from daemon: Get "https://{host}/v2/": net/http: TLS handshake timeout',
    "the pipeline step finished in 2 minutes and the next step started",
]
_SAME = "Error response from daemon: pull access denied for {host}/team/pipeline, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"


def test_different_long_pastes_are_not_one_group_and_the_same_error_is(tmp_path, capsys):
    """qa10: ten different long pastes, alike only in docker's and the CI's words, were one group "10x" in `report
    unanswered` and the console. A paste now joins only the pastes whose log reads the same deciding error (and the
    report says so); a paste whose log names no cause stays alone; questions group as before."""
    from bot.console import _groups
    from bot.console.store import ConsoleStore, Filters

    url = f"sqlite:///{tmp_path / 'pastes.sqlite3'}"
    storage = Storage(url)
    texts = [
        _SETUP.format(host=f"reg{n}.example.com", tag=n) + e.format(host=f"reg{n}.example.com")
        for n, e in enumerate(_ERRORS)
    ]
    same = [
        _SETUP.format(host=f"hub{n}.example.com", tag=n + 10) + _SAME.format(host=f"hub{n}.example.com")
        for n in range(3)
    ]
    for n, text in enumerate([*texts, *same, "how do I rename a namespace", "how to rename a namespace?"]):
        ask(storage, f"q{n}", text, refusal="troubleshooting")
    storage.flush()
    groups = storage.unanswered()
    assert sorted(g["count"] for g in groups) == [1, 1, 1, 1, 1, 2, 3]
    denied = next(g for g in groups if g["count"] == 3)
    assert denied["log_cause"] == "REPO_NOT_FOUND" or denied["log_cause"].startswith(("PERMISSION", "CREDENTIALS"))
    assert sorted([denied["question"], *denied["similar"]]) == sorted(same)
    questions = next(g for g in groups if g["count"] == 2)
    assert questions["log_cause"] is None
    assert sorted([questions["question"], *questions["similar"]]) == [
        "how do I rename a namespace",
        "how to rename a namespace?",
    ]
    console = types.SimpleNamespace(store=ConsoleStore(storage.engine))
    shown = _groups(console, Filters(0, time.time() + 60))  # type: ignore[arg-type]
    assert sorted(len(g["texts"]) for g in shown) == [1, 1, 1, 1, 1, 2, 3]
    storage.close()
    capsys.readouterr()
    for lang, said in (
        ("en", "and 2 other pastes whose log reads the same error ("),
        ("zh", "另有 2 份粘贴的日志报的是同一个错误（"),
    ):
        assert main(["report", "unanswered", "--database-url", url, "--lang", lang]) == 0
        assert said + denied["log_cause"] in capsys.readouterr().out
