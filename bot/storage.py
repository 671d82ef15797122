"""Storage for the web and Slack channels: questions (redacted text only) and feedback.

One database by URL (`database_url()`): an SQLite file by default (embedded, no service), PostgreSQL
(`postgresql://…`) when several hosts share it. SQLAlchemy 2 Core speaks both dialects; the schema is built by the
Alembic migrations shipped in `bot/migrations` (`tcr-doctor db upgrade`; a `Storage` applies them itself when it
opens a database that is behind, under an advisory lock on PostgreSQL so that hosts starting together do not race).

Question rows are written behind the request (a bounded queue flushed every `flush_interval` seconds or every
`batch` rows by a daemon thread) so that `/api/ask` never waits on the database; feedback is written at once and
acknowledged only once committed (feedback that arrives while another is committing shares the next transaction:
`GroupCommit`). Slack retry dedupe without Redis uses `SeenKeys` (table slack_seen) in the shared database. The writer survives any input: a row the database refuses is logged (without its
text) and skipped, an unreachable database keeps rows queued (up to `max_pending`), and `health()` reports what
went wrong. Safe across gunicorn's fork: the engine and the writer thread are made in the process that uses them.

No input can stop the writer: text is made encodable (an unpaired surrogate becomes U+FFFD, NUL — which
PostgreSQL refuses — too) before it is queued; a row the database still refuses is logged (its id and the error
type, never its text) and skipped while the rest of the batch is written; the thread catches everything and keeps
going. `health()` reports the writer's state and error counts (shown by /healthz); `on_error` lets the app count
errors as a metric. A SIGTERM (see `flush_on_sigterm`) or a normal exit flushes what is buffered; a `kill -9`
loses at most the question rows of the last `flush_interval` seconds (or `batch` rows) of that process.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import signal
import sqlite3
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Mapping
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

import knowledge
from bot.settings import Settings
from bot.shared import Breaker

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger("tcr_doctor.storage")

# The newest migration in bot/migrations/versions (tests/test_storage.py keeps the two equal). A database at this
# revision is opened without importing Alembic at all.
SCHEMA_REVISION = "0009"

# Question rows held in memory at most per process; beyond this the oldest are dropped (and counted), so a
# database that cannot be written never makes the service run out of memory.
MAX_PENDING = 10_000
# How long a writer error keeps `health()["writer"]` at "errors".
ERROR_WINDOW = 60.0

metadata = sa.MetaData()

questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("lang", sa.Text),
    sa.Column("text", sa.Text, nullable=False),  # redacted by knowledge.redact before it gets here
    sa.Column("redacted", sa.Text, nullable=False, server_default=""),  # comma-separated kinds of masked secrets
    sa.Column("status", sa.Text, nullable=False),  # answered | ambiguous | no_answer
    sa.Column("answer_id", sa.Text),
    sa.Column("score", sa.Float),
    sa.Column("kb_version", sa.Text),
    sa.Column("log_code", sa.Text),  # the pasted-log cause (knowledge.explain_log), if any
    sa.Column("refusal", sa.Text),  # why no answer: smalltalk | other_registry | documentation | troubleshooting
    sa.Index("questions_status", "status", "ts"),
    sa.Index("questions_ts", "ts"),
    # covers the console's charts (bot/console/store.py): their range scans never visit the table
    sa.Index("questions_console", "ts", "channel", "status", "answer_id", "log_code", "refusal"),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("question_id", sa.Text),
    sa.Column("answer_id", sa.Text, nullable=False),
    sa.Column("kb_version", sa.Text, nullable=False),
    sa.Column("helpful", sa.Integer, nullable=False),
    sa.Column("channel", sa.Text, nullable=False, server_default="web"),
    sa.Index("feedback_helpful", "helpful", "ts"),
)

# One row per finding of a diagnosis run from a channel: its code and status only (no target, no evidence).
findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Index("findings_ts", "ts"),
)

# What support leads taught in the console (bot/console), one row per act; also the audit trail. kind
# "phrasings" adds `texts` to entry `entry_id`; kind "topic" adds an out-of-scope topic (`topic`, `pointer`) with
# `texts` as its phrasings. Undo sets `undone` and `undone_by`; rows are never deleted.
kb_overlay = sa.Table(
    "kb_overlay",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("entry_id", sa.Text),
    sa.Column("topic", sa.Text),
    sa.Column("pointer", sa.Text),
    sa.Column("texts", sa.Text, nullable=False),  # JSON list of {"text", "lang"}
    sa.Column("evaluation", sa.Text),  # JSON: the figures shown before it was accepted
    sa.Column("undone", sa.Float),
    sa.Column("undone_by", sa.Text),
)


# Once-only keys (Slack retry dedupe, `SeenKeys`): the first writer of a key wins. The same table (and columns) as
# bot/slack.py's per-host SQLite store, which made it in the web service's SQLite file before migration 0005.
slack_seen = sa.Table(
    "slack_seen",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)


# Built once: SQLAlchemy then compiles it once per engine (a statement made per call costs its cache key each time).
# Several rows at once (a group commit) come back in the order they were given.
_INSERT_FEEDBACK = sa.insert(feedback).returning(feedback.c.id, sort_by_parameter_order=True)
# Feedback rows one commit carries at most (the writers waiting at once are at most the server's threads).
GROUP_COMMIT_MAX = 200


# The kinds of `ask()`'s "refusal" (knowledge/dialogue.py), stored with a question. Small talk ("hello", "thanks")
# is no question the FAQ missed: the unanswered report and the console's missed questions leave it out.
REFUSAL_KINDS = ("smalltalk", "other_registry", "documentation", "troubleshooting")
NOT_A_MISSED_QUESTION = ("smalltalk",)


def refusal_kind(result: Any) -> str | None:
    """The refusal kind of an `ask()` result (None when it was answered or carries no refusal)."""
    refusal = result.get("refusal") if isinstance(result, dict) else None
    kind = refusal.get("kind") if isinstance(refusal, dict) else None
    return kind if isinstance(kind, str) and kind else None


def missed(column: Any) -> Any:
    """SQL condition on questions.refusal: the question counts as missed (anything but small talk)."""
    return sa.or_(column.is_(None), column.not_in(NOT_A_MISSED_QUESTION))


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or used at start-up; the message is one line, without a password. `str()` is
    the English text (for logs); MESSAGE holds it in zh and en, for the commands that print it to a person."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.message = {"zh": zh or en, "en": en}


# -- URLs ------------------------------------------------------------------------------------------------------
def default_path() -> str:
    """The embedded default: $TCR_DOCTOR_DB (bot/settings.py), else ./tcr-doctor.sqlite3 as an absolute path."""
    return Settings.from_env().db or os.path.join(os.getcwd(), "tcr-doctor.sqlite3")


def database_url(value: str | None = None) -> str:
    """The database to use: `value` (a URL or an SQLite file path), else $TCR_DOCTOR_DATABASE_URL, else
    $DATABASE_URL, else the SQLite file `default_path()`. Returned as a SQLAlchemy URL string."""
    settings = Settings.from_env()
    raw = value or settings.database_url or settings.platform_database_url or default_path()
    return engine_url(raw)


def engine_url(raw: str) -> str:
    """A URL or a path as SQLAlchemy wants it: paths become sqlite:///ABS, postgres(ql):// uses psycopg 3."""
    raw = str(raw).strip()
    if raw == ":memory:":
        return "sqlite://"
    if "://" not in raw:
        return "sqlite:///" + os.path.abspath(raw)
    scheme, rest = raw.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg://" + rest
    return raw


def safe_url(url: str) -> str:
    """The URL for messages: any password masked."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is shown without its userinfo
        return re.sub(r"//[^@/]*@", "//***@", url)


def sqlite_path(url: str) -> str | None:
    """The file of an SQLite URL (":memory:" for an in-memory one), None for other databases."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return parsed.database or ":memory:"


def short_reason(exc: BaseException) -> str:
    """The database driver's own message for `exc` on one line (at most 300 characters, secrets masked: SQLite's
    quotes a row's text), for errors shown to users."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()) or type(orig).__name__
    return knowledge.redact(text)[0][:300]  # masked whole, then cut: a cut never keeps the start of a secret


def _switch_to_wal(cur: Any, wait: float = 10.0) -> None:
    """`PRAGMA journal_mode=WAL` on a new connection, waiting up to `wait` seconds for the lock it needs. Processes
    opening the same new file at once race for that lock, and SQLite answers the losers "database is locked" at once
    instead of calling the busy handler (it would risk a deadlock), so the busy timeout does not cover it; one in
    about 80 starts of 6 workers on a new file failed so."""
    deadline = time.monotonic() + wait
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def make_engine(url: str) -> sa.Engine:
    """An engine for `url` with the settings each dialect needs (WAL and a busy timeout for SQLite; a
    pre-ping and short connect timeout for PostgreSQL). Statement parameters never appear in errors or logs."""
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = sa.create_engine(
            url,
            hide_parameters=True,
            connect_args={"timeout": 10, "check_same_thread": False},
            **({"poolclass": sa.pool.StaticPool} if path == ":memory:" else {}),
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if path != ":memory:":
                _switch_to_wal(cur)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        return engine
    connect_args = {"connect_timeout": 5} if backend == "postgresql" else {}
    return sa.create_engine(
        # No pre-ping (a round trip on every checkout): a connection the server dropped fails once, is discarded
        # with the rest of the pool, and the caller retries (`Storage._run`).
        url,
        hide_parameters=True,
        pool_size=10,
        max_overflow=20,
        pool_recycle=1800,
        connect_args=connect_args,
    )


# -- migrations ------------------------------------------------------------------------------------------------
def current_revision(conn: sa.Connection) -> str | None:
    """The schema revision the database is at (alembic_version), or None before the first migration."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


# Any fixed number: the key of the advisory lock every tcr-doctor host takes while it creates or migrates the schema.
MIGRATION_LOCK_KEY = 0x7C2D0C70


def lock_migrations(conn: sa.Connection) -> None:
    """On PostgreSQL, wait for any other host's schema change (the lock ends with the transaction)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def alembic_config(url: str) -> AlembicConfig:
    """Alembic's configuration for the migrations shipped in the package (no alembic.ini needed)."""
    from alembic.config import Config  # Alembic only to create or migrate the schema

    config = Config()
    config.set_main_option("script_location", os.path.join(os.path.dirname(__file__), "migrations"))
    config.attributes["database_url"] = url
    return config


_ALEMBIC_LOCK = threading.Lock()


def upgrade(url: str, revision: str = "head") -> str | None:
    """Apply the migrations up to `revision`; returns the revision the database is at afterwards."""
    from alembic import command  # as above

    engine = make_engine(url)
    try:
        with _ALEMBIC_LOCK, engine.begin() as conn:  # Alembic's context is a module global: one at a time
            config = alembic_config(url)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        with engine.connect() as conn:
            return current_revision(conn)
    finally:
        engine.dispose()


# -- the storage -----------------------------------------------------------------------------------------------
_LIVE: weakref.WeakSet[Storage] = weakref.WeakSet()

QuestionRow = dict[str, Any]


def clean_text(value: Any) -> Any:
    """A string every database accepts: unpaired surrogates (valid in JSON, not in UTF-8) become U+FFFD, a
    surrogate pair held as two characters becomes the one character it encodes, NUL (refused by PostgreSQL)
    becomes U+FFFD. Other values unchanged."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def mask_text(value: Any) -> Any:
    """`clean_text(value)`, and a string's pasted secrets masked by the one detector (knowledge.redact)."""
    value = clean_text(value)
    return knowledge.redact(value)[0] if isinstance(value, str) else value


def mask_taught(texts: list[dict[str, str]]) -> list[dict[str, str]]:
    """Phrasings a support lead teaches ({"text", "lang"} each) with pasted secrets masked by the one detector, as a
    stored question is: they come from stored questions, but a lead may paste or type one, and `kb export` writes
    them into the FAQ files."""
    return [
        {**t, "text": knowledge.redact(clean_text(t["text"]))[0]} if isinstance(t.get("text"), str) else t
        for t in texts
    ]


def remask_overlay(bind: sa.Connection, batch: int = 500) -> int:
    """Mask again what support leads taught in the console (kb_overlay: each text of `texts`, and the `topic` and
    `pointer` they typed) with today's detector, as remask_questions does for questions: rows taught before teaching
    masked them, or before the detector learned a form, would keep a secret that `kb export` writes into the FAQ
    files. Only rows that change are written; returns how many. Idempotent. A row that is not UTF-8 text (SQLite) or
    whose `texts` is not the JSON list teaching writes is left and named in the log by its id."""

    def remask(texts: str | None, topic: str | None, pointer: str | None) -> tuple[str, Any, Any] | None:
        taught = json.loads(texts or "[]")
        if not isinstance(taught, list) or not all(isinstance(t, dict) for t in taught):
            raise ValueError("not a list of texts")
        new = (json.dumps(mask_taught(taught), ensure_ascii=False), mask_text(topic), mask_text(pointer))
        return new if json.loads(new[0]) != taught or new[1:] != (topic, pointer) else None

    table = sa.table(
        "kb_overlay",
        sa.column("id", sa.Integer),
        sa.column("texts", sa.Text),
        sa.column("topic", sa.Text),
        sa.column("pointer", sa.Text),
    )
    return _remask_rows(bind, table, ("texts", "topic", "pointer"), remask, "taught console acts", batch)


def remask_questions(bind: sa.Connection, batch: int = 500) -> int:
    """Mask each stored question's text again with the one detector (knowledge.redact), as a new row is masked: a
    row stored before the detector learned a form keeps that secret otherwise until retention deletes it (every
    display masks again, the database did not). Only rows whose text changes are written, the kinds found added to
    their `redacted`; returns how many. Idempotent (masking a masked text changes nothing). Run by the migrations
    that follow a widening of the detector (bot/migrations/versions/0007_remask_questions.py).

    A row SQLite holds as text that is not UTF-8 (written by another program) is left as it is and named in the log
    by its id: reading it as text raised, which stopped the migration and so the service's start, and printed the
    row's text in the error."""

    def remask(text: str | None, redacted: str | None) -> tuple[str, str] | None:
        masked, kinds = knowledge.redact(text or "")
        if masked == (text or ""):
            return None
        known = {k for k in (redacted or "").split(",") if k}
        return masked, ",".join(sorted(known | set(kinds)))

    table = sa.table("questions", sa.column("id", sa.Text), sa.column("text", sa.Text), sa.column("redacted", sa.Text))
    return _remask_rows(bind, table, ("text", "redacted"), remask, "stored questions", batch)


def _remask_rows(
    bind: sa.Connection,
    table: sa.TableClause,
    columns: tuple[str, ...],
    remask: Callable[..., tuple[Any, ...] | None],
    what: str,
    batch: int,
) -> int:
    """The walk of a re-mask migration (remask_questions, remask_overlay) over `table` in id order, `batch` rows a
    page: `remask(*columns' values)` gives a row's new values of `columns`, or None when nothing changes; changed rows
    are written page by page; returns how many. SQLite stores whatever bytes it is given as TEXT (PostgreSQL refuses
    text that is not UTF-8 when it is written), so there the columns are read as bytes and decoded: a row that is not
    UTF-8, or that `remask` cannot read (a ValueError), is left and named in the log by its id."""
    c = table.c
    sqlite = bind.dialect.name == "sqlite"
    cols = [sa.cast(c[name], sa.LargeBinary).label(name) if sqlite else c[name] for name in columns]
    page = sa.select(c.id, *cols).order_by(c.id).limit(batch)
    write = (
        sa.update(table)
        .where(c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in columns})
    )
    changed, last, unreadable = 0, None, []
    while rows := bind.execute(page if last is None else page.where(c.id > last)).all():
        last = rows[-1].id
        edits = []
        for row in rows:
            try:
                new = remask(*(v.decode("utf-8") if isinstance(v, bytes) else v for v in row[1:]))
            except ValueError:  # UnicodeDecodeError and json's errors are ValueErrors
                unreadable.append(str(row.id))
                continue
            if new is not None:
                edits.append({"row_id": row.id, **{f"new_{name}": v for name, v in zip(columns, new, strict=True)}})
        if edits:
            bind.execute(write, edits)
            changed += len(edits)
    if changed:
        log.info("re-masked %d %s with the current secret detector", changed, what)
    if unreadable:
        log.warning(
            "%d %s are not readable text and were not masked again (ids: %s)",
            len(unreadable),
            what,
            ", ".join(unreadable[:20]),
        )
    return changed


def _describe(exc: BaseException) -> str:
    """An exception for the log, redacted: its type and (masked, shortened) message, never a row's text (the
    engine hides statement parameters)."""
    try:
        message = knowledge.redact(clean_text(short_reason(exc)))[0]
    except Exception:  # noqa: BLE001 - the log line must not fail either
        message = ""
    return f"{type(exc).__name__}: {message[:200]}" if message else type(exc).__name__


class Storage:
    """Questions and feedback in the database at `url` (a URL or an SQLite path; default `database_url()`)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        flush_interval: float = 0.5,
        batch: int = 200,
        max_pending: int = MAX_PENDING,
        retention_days: float | None = None,
        migrate: bool = True,
    ):
        self.url = database_url(url)
        self.path = sqlite_path(self.url)  # the SQLite file (":memory:" in memory); None on PostgreSQL
        self.dialect = sa.make_url(self.url).get_backend_name()
        self.flush_interval = flush_interval
        self.batch = batch
        self.max_pending = max(1, max_pending)
        self.retention_days = retention_days
        self.on_error: Callable[[str], Any] | None = None  # called with the kind of each writer error (a metric)
        self._engine: sa.Engine | None = None
        self._engine_pid = 0
        self._reset_writer()
        self.write_errors = 0
        self.rows_dropped = 0
        self._last_error: tuple[float, str] | None = None
        self._last_prune: float | None = None
        self._open(migrate)
        _LIVE.add(self)
        atexit.register(_flush_quietly, weakref.ref(self))

    def __repr__(self) -> str:
        return f"Storage({safe_url(self.url)!r})"

    def _reset_writer(self) -> None:
        if getattr(self, "_pid", None) not in (None, os.getpid()):  # a forked child counts its own errors
            self.write_errors = self.rows_dropped = 0
            self._last_error = None
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._flush_lock = threading.RLock()  # one flush at a time: writer thread, feedback, exit
        self._pending: list[QuestionRow] = []
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._feedback_group = GroupCommit(self._write_feedback, max_batch=GROUP_COMMIT_MAX)

    def _open(self, migrate: bool) -> None:
        try:
            with self.engine().connect() as conn:
                revision = current_revision(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"cannot open the database {safe_url(self.url)}: {short_reason(exc)}",
                f"无法打开数据库 {safe_url(self.url)}：{short_reason(exc)}",
            ) from None
        if revision == SCHEMA_REVISION:
            return
        if revision is None and migrate and self._create_fresh():
            return
        if not migrate:
            raise DatabaseUnavailable(
                f"the database {safe_url(self.url)} is at schema revision {revision or 'none'}, this version needs "
                f"{SCHEMA_REVISION}: run 'tcr-doctor db upgrade'",
                f"数据库 {safe_url(self.url)} 的架构版本为 {revision or '无'}，本版本需要 {SCHEMA_REVISION}："
                "请运行 'tcr-doctor db upgrade'",
            )
        try:
            upgrade(self.url)
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"cannot migrate the database {safe_url(self.url)}: {short_reason(exc)}",
                f"无法迁移数据库 {safe_url(self.url)}：{short_reason(exc)}",
            ) from None

    def _create_fresh(self) -> bool:
        """An empty database gets the current schema in one step and is stamped at SCHEMA_REVISION (the same
        tables the migrations build; tests/test_storage.py compares them). False when it is not empty."""
        try:
            with self.engine().begin() as conn:
                if conn.dialect.name == "sqlite":
                    # SQLite's write lock first: another process opening the same new file waits for it (busy
                    # timeout) and then finds the schema made, instead of creating the same tables again.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                lock_migrations(conn)
                if current_revision(conn) == SCHEMA_REVISION:
                    return True  # another host (or thread) made it while we waited for the lock
                if sa.inspect(conn).get_table_names():
                    return False
                metadata.create_all(conn)
                version = sa.Table(
                    "alembic_version", sa.MetaData(), sa.Column("version_num", sa.String(32), primary_key=True)
                )
                version.create(conn)
                conn.execute(version.insert().values(version_num=SCHEMA_REVISION))
            return True
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"cannot create the schema in {safe_url(self.url)}: {short_reason(exc)}",
                f"无法在 {safe_url(self.url)} 中创建表结构：{short_reason(exc)}",
            ) from None

    # -- connections ---------------------------------------------------------------------------------------
    def engine(self) -> sa.Engine:
        """This process's engine (a forked child makes its own; the parent's pooled connections are not used)."""
        if self._engine is None or self._engine_pid != os.getpid():
            if self._engine is not None:
                self._engine.dispose(close=False)
            self._engine, self._engine_pid = make_engine(self.url), os.getpid()
        return self._engine

    def _insert(self, table: sa.Table) -> Any:  # the dialect's INSERT (ON CONFLICT ... is dialect-specific)
        return (pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert)(table)

    # -- writer thread -------------------------------------------------------------------------------------
    def _ensure_flusher(self) -> None:
        if self._pid != os.getpid():  # forked: the parent's thread and queue are not ours
            self._reset_writer()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._flush_loop, name="tcr-doctor-storage", daemon=True)
            self._thread.start()

    def _flush_loop(self) -> None:
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            try:
                self.flush()
                self._maybe_prune()
            except Exception as exc:  # noqa: BLE001 - the writer never dies; the error is counted and shown
                self._error("flush", exc)
                time.sleep(min(self.flush_interval, 1.0))

    def _error(self, kind: str, exc: BaseException, what: str = "") -> None:
        self.write_errors += 1
        self._last_error = (time.time(), kind)
        log.warning("storage: %s failed%s (%s)", kind, f" for {what}" if what else "", _describe(exc))
        if self.on_error is not None:
            try:
                self.on_error(kind)
            except Exception:  # noqa: BLE001 - counting an error must not raise another
                pass

    # -- writes --------------------------------------------------------------------------------------------
    def record_question(
        self,
        qid: str,
        text: str,
        *,
        channel: str = "web",
        lang: str | None,
        status: str,
        answer_id: str | None,
        score: float | None,
        kb_version: str | None,
        redacted: Iterable[str] = (),
        log_code: str | None = None,
        refusal: str | None = None,
    ) -> None:
        """Queue a question (already redacted) for the writer thread; `log_code` is its pasted-log cause, `refusal`
        the kind of `ask()`'s refusal (REFUSAL_KINDS; small talk is left out of `unanswered`)."""
        row = {
            "id": clean_text(qid),
            "ts": time.time(),
            "channel": clean_text(channel),
            "lang": clean_text(lang),
            "text": clean_text(text),
            "redacted": ",".join(sorted({clean_text(str(k)) for k in redacted})),
            "status": clean_text(status),
            "answer_id": clean_text(answer_id),
            "score": score,
            "kb_version": clean_text(kb_version),
            "log_code": clean_text(log_code),
            "refusal": clean_text(refusal),
        }
        self._ensure_flusher()
        dropped = 0
        with self._lock:
            self._pending.append(row)
            if len(self._pending) > self.max_pending:  # the database has been unwritable for long
                dropped = len(self._pending) - self.max_pending
                del self._pending[:dropped]
                self.rows_dropped += dropped
            full = len(self._pending) >= self.batch
        if dropped:
            self._error("queue", OverflowError(f"{dropped} question row(s) dropped: the writer is behind"))
        if full:
            self._wake.set()

    def record_feedback(
        self, *, question_id: str | None, answer_id: str, kb_version: str, helpful: bool, channel: str = "web"
    ) -> int:
        """Write a feedback row at once; returns its id once committed.

        Feedback that arrives while another is being committed shares the next transaction (a group commit:
        one INSERT of every waiting row, one commit); each caller returns only after its own row is committed,
        and gets the error of its own row only (`GroupCommit`)."""
        values = {
            "ts": time.time(),
            # Channels pass these through from the client: a secret pasted into one is masked like any text.
            "question_id": mask_text(question_id),
            "answer_id": mask_text(answer_id),
            "kb_version": mask_text(kb_version),
            "helpful": 1 if helpful else 0,
            "channel": clean_text(channel),
        }
        if self._pid != os.getpid():  # forked: the parent's queue and its leader are not ours
            self._reset_writer()
        return int(self._feedback_group.submit(values))

    def _write_feedback(self, rows: list[dict[str, Any]]) -> list[int]:
        """One transaction for `rows` (the group commit's batch); their ids in order."""
        try:
            self.flush()  # the questions the feedback refers to should be there first
        except Exception as exc:  # noqa: BLE001 - the feedback still goes in
            self._error("flush", exc)
        # One INSERT of every row (GROUP_COMMIT_MAX keeps it one statement): atomic without a transaction around it.
        ids = self._run(lambda conn: conn.execute(_INSERT_FEEDBACK, rows).scalars().all(), one_statement=True)
        if len(ids) != len(rows):  # never expected: fail the batch rather than acknowledge a row not written
            raise RuntimeError(f"{len(rows)} feedback rows written, {len(ids)} ids returned")
        return [int(i) for i in ids]

    def _run(self, work: Callable[[sa.Connection], Any], *, one_statement: bool = False) -> Any:
        """`work(conn)` in a transaction, once more on a fresh connection when the pooled one had been dropped by
        the server (a restart, a failover, an idle timeout): nothing was committed then, so retrying is safe.

        `one_statement`: `work` runs a single statement, which PostgreSQL makes atomic by itself; it then runs
        without BEGIN and COMMIT (one round trip instead of three)."""
        for attempt in (1, 2):
            try:
                if one_statement and self.dialect == "postgresql":
                    with self.engine().connect() as conn:
                        return work(conn.execution_options(isolation_level="AUTOCOMMIT"))
                with self.engine().begin() as conn:
                    return work(conn)
            except sa.exc.DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def flush(self) -> None:
        """Write the queued questions now. Never raises: a row the database refuses is logged and skipped; when
        the database itself cannot be written the rows stay queued (up to max_pending)."""
        if self._pid != os.getpid():
            return
        with self._flush_lock:
            with self._lock:
                rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                self._write(rows)
            except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError) as exc:
                if _is_data_error(exc):
                    self._write_one_by_one(rows)
                    return
                self._requeue(rows)  # unreachable, locked or read-only: try again on the next round
                self._error("flush", exc, what=f"{len(rows)} rows (kept for the next try)")
            except sa.exc.SQLAlchemyError:
                self._write_one_by_one(rows)
            except Exception as exc:  # noqa: BLE001 - not the database's: count it, then save what can be saved
                self._error("flush", exc)
                self._write_one_by_one(rows)

    def _write(self, rows: list[QuestionRow]) -> None:
        with self.engine().begin() as conn:
            conn.execute(self._insert(questions).on_conflict_do_nothing(index_elements=["id"]), rows)

    def _write_one_by_one(self, rows: list[QuestionRow]) -> None:
        """After a batch failed on its data: each row in its own transaction, skipping the ones refused."""
        for row in rows:
            try:
                with self.engine().begin() as conn:
                    conn.execute(self._insert(questions).on_conflict_do_nothing(index_elements=["id"]), [row])
            except (sa.exc.OperationalError, sa.exc.DisconnectionError) as exc:
                if _is_data_error(exc):
                    self._skip(row, exc)
                    continue
                self._error("flush", exc)  # the database went away meanwhile: keep the rest for later
                self._requeue(rows[rows.index(row) :])
                return
            except Exception as exc:  # noqa: BLE001 - this row only
                self._skip(row, exc)

    def _skip(self, row: QuestionRow, exc: BaseException) -> None:
        self.rows_dropped += 1
        self._error("question row", exc, what=f"id {clean_text(str(row.get('id')))[:64]!r} (skipped)")

    def _requeue(self, rows: list[QuestionRow]) -> None:
        with self._lock:
            self._pending[:0] = rows
            overflow = len(self._pending) - self.max_pending
            if overflow > 0:
                del self._pending[:overflow]  # the oldest go first
                self.rows_dropped += overflow

    def record_findings(self, found: Iterable[Mapping[str, Any]], *, channel: str = "web") -> None:
        """The codes and statuses of one diagnosis's findings (for the console's chart); written at once."""
        now = time.time()
        rows = [
            {
                "ts": now,
                "channel": clean_text(channel),
                "code": clean_text(str(f["code"])),
                "status": clean_text(str(f.get("status") or "")),
            }
            for f in found
            if isinstance(f, dict) and f.get("code")
        ]
        if not rows:
            return
        try:
            with self.engine().begin() as conn:
                conn.execute(findings.insert(), rows)
        except sa.exc.SQLAlchemyError as exc:  # a chart's row is never worth failing a diagnosis
            self._error("findings", exc)

    # -- once-only keys ------------------------------------------------------------------------------------
    def seen_keys(
        self,
        *,
        ttl: float = 3600.0,
        namespace: str = "slack",
        on_fallback: Callable[[str, str], Any] | None = None,
    ) -> SeenKeys:
        """Once-only keys kept in this database (shared by every host that uses it); `on_fallback(use, "database")`
        is told of each key the database could not answer for (a metric)."""
        return SeenKeys(self, ttl=ttl, namespace=namespace, on_fallback=on_fallback)

    # -- retention -----------------------------------------------------------------------------------------
    def prune(self, older_than_days: float) -> dict[str, int]:
        """Delete questions and feedback older than `older_than_days` days; returns the counts deleted."""
        cutoff = time.time() - older_than_days * 86400
        with self.engine().begin() as conn:
            q = conn.execute(sa.delete(questions).where(questions.c.ts < cutoff)).rowcount
            f = conn.execute(sa.delete(feedback).where(feedback.c.ts < cutoff)).rowcount
            conn.execute(sa.delete(findings).where(findings.c.ts < cutoff))
            conn.execute(sa.delete(slack_seen).where(slack_seen.c.at < cutoff))
        return {"questions": int(q or 0), "feedback": int(f or 0)}

    def _maybe_prune(self, every: float = 3600.0) -> None:
        if not self.retention_days or (self._last_prune is not None and time.monotonic() - self._last_prune < every):
            return
        self._last_prune = time.monotonic()
        try:
            self.prune(self.retention_days)
        except Exception as exc:  # noqa: BLE001
            self._error("prune", exc)

    # -- health --------------------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """The writer's state: "ok", "errors" (an error in the last minute) or "stopped" (its thread died),
        with rows waiting, write errors and rows dropped since the process started."""
        alive = self._thread is None or self._thread.is_alive() or self._pid != os.getpid()
        recent = self._last_error is not None and time.time() - self._last_error[0] < ERROR_WINDOW
        return {
            "writer": "stopped" if not alive else ("errors" if recent else "ok"),
            "writer_alive": alive,
            "pending": len(self._pending) if self._pid == os.getpid() else 0,
            "write_errors": self.write_errors,
            "rows_dropped": self.rows_dropped,
            "last_error": self._last_error[1] if self._last_error else None,
        }

    def ping(self) -> None:
        """Raise DatabaseUnavailable when the database cannot be reached now."""
        try:
            with self.engine().connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"cannot reach the database {safe_url(self.url)}: {short_reason(exc)}",
                f"无法连接数据库 {safe_url(self.url)}：{short_reason(exc)}",
            ) from None

    # -- reads ---------------------------------------------------------------------------------------------
    def unanswered(self, *, since: float | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Questions that got no answer (small talk aside) or a thumbs-down, grouped as the console groups them
        (bot.grouping.cluster: near-duplicates together, led by the most frequent text), most frequent first. A
        group's `question` is its leading text, `similar` the other texts in it; `reasons` counts why its questions
        got no answer ({refusal kind: n}, "" for rows stored before the kinds were recorded)."""
        since = since or 0.0
        # (reason, text, lang, answer_id, ts, refusal kind)
        items: list[tuple[str, str, str | None, str | None, float, str | None]] = []
        q, f = questions.c, feedback.c
        with self.engine().connect() as conn:
            for text, lang, ts, refusal in conn.execute(
                sa.select(q.text, q.lang, q.ts, q.refusal).where(
                    q.status == "no_answer", missed(q.refusal), q.ts >= since
                )
            ):
                items.append(("no_answer", text, lang, None, ts, refusal))
            joined = feedback.outerjoin(questions, q.id == f.question_id)
            for text, lang, answer_id, ts in conn.execute(
                sa.select(q.text, q.lang, f.answer_id, f.ts).select_from(joined).where(f.helpful == 0, f.ts >= since)
            ):
                items.append(("thumbs_down", text or f"(answer {answer_id})", lang, answer_id, ts, None))
        texts: dict[str, dict[str, Any]] = {}
        for reason, text, lang, answer_id, ts, refusal in items:
            key = normalise(text)
            one = texts.get(key)
            if one is None:
                one = texts[key] = {"text": text, **_empty_tally(ts, ts)}
            one["count"] += 1
            one[reason] += 1
            if reason == "no_answer":
                one["reasons"][refusal or ""] = one["reasons"].get(refusal or "", 0) + 1
            if answer_id and answer_id not in one["answer_ids"]:
                one["answer_ids"].append(answer_id)
            if lang and lang not in one["langs"]:
                one["langs"].append(lang)
            one["first_seen"] = min(one["first_seen"], ts)
            one["last_seen"] = max(one["last_seen"], ts)
        # near-duplicates together, as the console groups them (one grouping: bot.grouping.cluster)
        from bot.grouping import cluster  # the matcher's vectors: only a report reads them

        ordered = sorted(texts.values(), key=lambda t: (-t["count"], -t["last_seen"]))
        groups = [_report_group(g["texts"], g["log_cause"]) for g in cluster(ordered)]
        groups.sort(key=lambda g: (-g["count"], -g["last_seen"]))
        return groups[:limit] if limit else groups

    def close(self) -> None:
        """Flush and release this process's connections."""
        try:
            self.flush()
        finally:
            if self._engine is not None and self._engine_pid == os.getpid():
                self._engine.dispose()
                self._engine = None


class SeenKeys:
    """`first(key)` is True the first time a key is seen within `ttl` seconds by any host sharing the database
    (INSERT ... ON CONFLICT DO NOTHING on the key: exactly one inserter wins), False after that; None when the
    database cannot say now (the caller then uses its own store). Slack retry dedupe without Redis.

    Expired keys are deleted now and then (every `EXPIRE_EVERY` calls of a process) and by `prune`. A database
    error is not retried for `bot.shared.RETRY_AFTER` seconds, so that an outage costs one timeout, not one per
    event (this runs before Slack's 3-second ack); one warning per outage, and each None is reported to
    `on_fallback(use, "database")` (tcr_doctor_backend_fallbacks_total)."""

    EXPIRE_EVERY = 256

    def __init__(
        self,
        storage: Storage,
        *,
        ttl: float = 3600.0,
        namespace: str = "slack",
        on_fallback: Callable[[str, str], Any] | None = None,
    ):
        self.storage = storage
        self.ttl = max(1.0, float(ttl))
        self.namespace = namespace
        self.breaker = Breaker(f"{namespace}_dedupe", on_fallback, backend="database")
        self._calls = 0

    def first(self, key: str) -> bool | None:
        """True the first time `key` is seen within the ttl by any host, False after; None while the database cannot
        say."""
        if not self.breaker.up():
            self.breaker.fell_back()
            return None
        now = time.time()
        self._calls += 1
        name = clean_text(f"{self.namespace}:{key}")[:500]
        insert = self.storage._insert(slack_seen).values(key=name, at=now)
        insert = insert.on_conflict_do_nothing(index_elements=["key"]).returning(slack_seen.c.key)
        expired = sa.update(slack_seen).where(slack_seen.c.key == name, slack_seen.c.at < now - self.ttl)
        try:
            with self.storage.engine().begin() as conn:
                if self._calls % self.EXPIRE_EVERY == 1:
                    conn.execute(sa.delete(slack_seen).where(slack_seen.c.at < now - self.ttl))
                created = conn.execute(insert).first() is not None
                if not created:  # a key seen longer than ttl ago counts as new (one of racing hosts wins)
                    created = conn.execute(expired.values(at=now).returning(slack_seen.c.key)).first() is not None
        except sa.exc.SQLAlchemyError as exc:
            self.breaker.failed(exc)
            self.breaker.fell_back()
            return None
        self.breaker.recovered()
        return created


class _Waiter:
    __slots__ = ("done", "error", "result", "values")

    def __init__(self, values: dict[str, Any]):
        self.values = values
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """Concurrent writes share one transaction: `submit(values)` queues a row; the first caller that finds no
    commit under way becomes the leader, writes every queued row with `write(rows) -> results` in one
    transaction and hands each waiter its result; rows queued meanwhile go together in the next one. A lone
    write never waits for company (no timer): rows group only while a commit is in flight, which is exactly when
    they would otherwise queue for the database.

    Each `submit` returns (or raises) only after its own row's fate is known. When a batch fails on its data, its
    rows are written one per transaction so that each caller gets its own row's error and nobody else's; when
    the database itself fails (unreachable, read-only), every row of the batch gets that error."""

    def __init__(self, write: Callable[[list[dict[str, Any]]], list[Any]], *, max_batch: int = GROUP_COMMIT_MAX):
        self.write = write
        self.max_batch = max(1, max_batch)
        self.batches = 0  # transactions committed (or tried): a test and the benchmark read it
        self._cond = threading.Condition()
        self._queue: list[_Waiter] = []
        self._leading = False

    def submit(self, values: dict[str, Any]) -> Any:
        """Queue `values` and return its row's result once committed (leading the commit when none is under way); raises
        that row's error."""
        waiter = _Waiter(values)
        with self._cond:
            self._queue.append(waiter)
            while not waiter.done:
                if self._leading:
                    self._cond.wait()
                    continue
                self._leading = True
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                self._cond.release()
                try:
                    self._commit(batch)
                except BaseException as exc:  # noqa: BLE001 - no waiter of the batch is left waiting
                    for other in batch:
                        if not other.done:
                            other.error, other.done = exc, True
                finally:
                    self._cond.acquire()
                    self._leading = False
                    self._cond.notify_all()
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    def _commit(self, batch: list[_Waiter]) -> None:
        self.batches += 1
        try:
            results = self.write([w.values for w in batch])
        except BaseException as exc:  # noqa: BLE001 - handed to the callers, never lost
            if len(batch) == 1 or not _row_fault(exc):
                for waiter in batch:
                    waiter.error, waiter.done = exc, True
                return
            for waiter in batch:  # one of the rows is at fault: each alone, so the others still go in
                try:
                    waiter.result = self.write([waiter.values])[0]
                except BaseException as one:  # noqa: BLE001
                    waiter.error = one
                waiter.done = True
            return
        for waiter, result in zip(batch, results, strict=True):
            waiter.result, waiter.done = result, True


def _row_fault(exc: BaseException) -> bool:
    """Whether a failed write may be the fault of one row's values (not of the database as a whole)."""
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.DisconnectionError)):
        return False
    if isinstance(exc, sa.exc.InterfaceError):
        return _is_data_error(exc)
    return True


def _is_data_error(exc: BaseException) -> bool:
    """SQLite reports some bad values (an unbindable type) as InterfaceError: a row's fault, not the database's."""
    return isinstance(exc, sa.exc.InterfaceError) and not getattr(exc, "connection_invalidated", False)


def _flush_quietly(ref: weakref.ref[Storage]) -> None:
    storage = ref()
    if storage is None:
        return
    try:
        storage.flush()
    except Exception as exc:  # noqa: BLE001 - at exit: say so, never a traceback
        log.warning("storage: rows not written at exit (%s)", type(exc).__name__)


def flush_all() -> None:
    """Flush every Storage of this process (at shutdown)."""
    for storage in list(_LIVE):
        _flush_quietly(weakref.ref(storage))


def flush_on_sigterm() -> bool:
    """Make SIGTERM flush every Storage of this process and exit (status 143) instead of dying with rows
    buffered. Call from the main thread of a server that does not handle SIGTERM itself; a handler that is
    already installed (gunicorn's) is left alone. True when installed."""
    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
        return False

    def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
        flush_all()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    return True


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _empty_tally(first_seen: Any, last_seen: Any) -> dict[str, Any]:
    """The counts of one text, or one group, of `report unanswered` before any row is added."""
    return {
        "count": 0,
        "no_answer": 0,
        "thumbs_down": 0,
        "answer_ids": [],
        "langs": [],
        "reasons": {},
        "first_seen": first_seen,
        "last_seen": last_seen,
    }


def _report_group(texts: list[dict[str, Any]], log_cause: str | None = None) -> dict[str, Any]:
    """One group of `report unanswered` from its texts' tallies, the leading (most frequent) text first; `log_cause`:
    the cause code a group of pasted logs reads (bot.grouping.cluster), None for a group of questions."""
    group: dict[str, Any] = {
        # masked again as it is shown (as the console's examples are): a row stored before the detector knew its
        # form keeps the secret in the database until retention deletes it, never in a report
        "question": knowledge.redact(texts[0]["text"])[0],
        "similar": [knowledge.redact(t["text"])[0] for t in texts[1:]],
        **_empty_tally(texts[0]["first_seen"], texts[0]["last_seen"]),
    }
    for t in texts:
        for k in ("count", "no_answer", "thumbs_down"):
            group[k] += t[k]
        for k in ("answer_ids", "langs"):
            group[k] += [v for v in t[k] if v not in group[k]]
        for kind, n in t["reasons"].items():
            group["reasons"][kind] = group["reasons"].get(kind, 0) + n
        group["first_seen"] = min(group["first_seen"], t["first_seen"])
        group["last_seen"] = max(group["last_seen"], t["last_seen"])
    group["log_cause"] = log_cause
    return group


def normalise(text: str) -> str:
    """Grouping key: NFKC, case-folded, punctuation and spacing removed."""
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()
