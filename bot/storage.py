"""SQLite storage for the web channel: questions (redacted text only), feedback, per-worker metric snapshots.

Question rows are written behind the request (a small queue flushed every `flush_interval` seconds or every
`batch` rows by a daemon thread) so that `/api/ask` never waits on the disk; feedback is written at once.
Safe across gunicorn's fork: connections and the flush thread are created lazily in the process that uses them.

No input can stop the writer: text is made encodable (an unpaired surrogate becomes U+FFFD) before it is queued;
a row the database still refuses is logged (its id and the error type, never its text) and skipped while the rest
of the batch is written; the thread catches everything and keeps going. `health()` reports the writer's state
and error counts (shown by /healthz); `on_error` lets the app count errors as a metric. A SIGTERM (see
`flush_on_sigterm`) or a normal exit flushes what is buffered; a `kill -9` loses at most the question rows of the
last `flush_interval` seconds (or `batch` rows) of that process. Feedback is written before it is acknowledged.
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
from collections.abc import Callable, Iterable
from typing import Any

from bot.settings import Settings

log = logging.getLogger("tcr_doctor.storage")

# Question rows held in memory at most per process; beyond this the oldest are dropped (and counted), so a
# database that cannot be written never makes the service run out of memory.
MAX_PENDING = 10_000
# How long a writer error keeps `health()["writer"]` at "errors".
ERROR_WINDOW = 60.0

_INSTANCES: weakref.WeakSet[Storage] = weakref.WeakSet()

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    channel TEXT NOT NULL,
    lang TEXT,
    text TEXT NOT NULL,              -- redacted by knowledge.redact before it gets here
    redacted TEXT NOT NULL DEFAULT '',  -- comma-separated kinds of secrets that were masked
    status TEXT NOT NULL,            -- answered | ambiguous | no_answer
    answer_id TEXT,
    score REAL,
    kb_version TEXT
);
CREATE INDEX IF NOT EXISTS questions_status ON questions(status, ts);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    question_id TEXT,
    answer_id TEXT NOT NULL,
    kb_version TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    channel TEXT NOT NULL DEFAULT 'web'
);
CREATE INDEX IF NOT EXISTS feedback_helpful ON feedback(helpful, ts);
CREATE TABLE IF NOT EXISTS metrics (
    worker TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    data TEXT NOT NULL
);
"""


def default_path() -> str:
    """The database file: $TCR_DOCTOR_DB (bot/settings.py), else ./tcr-doctor.sqlite3 as an absolute path."""
    return Settings.from_env().db or os.path.join(os.getcwd(), "tcr-doctor.sqlite3")


def clean_text(value: Any) -> Any:
    """A string every encoder accepts: unpaired surrogates (valid in JSON, not in UTF-8) become U+FFFD;
    a surrogate pair held as two characters becomes the one character it encodes. Other values unchanged."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _describe(exc: BaseException) -> str:
    """An exception for the log, redacted: its type and (masked, shortened) message, never a row's text."""
    try:
        from knowledge.redact import redact

        message = redact(clean_text(str(exc)))[0]
    except Exception:  # noqa: BLE001 - the log line must not fail either
        message = ""
    return f"{type(exc).__name__}: {message[:200]}" if message else type(exc).__name__


class Storage:
    """Questions (write-behind), feedback (synchronous) and metric snapshots in one SQLite file."""

    def __init__(
        self,
        path: str | None = None,
        *,
        flush_interval: float = 0.5,
        batch: int = 200,
        max_pending: int = MAX_PENDING,
    ):
        self.path = path or default_path()
        self.flush_interval = flush_interval
        self.batch = batch
        self.max_pending = max(1, max_pending)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._flush_lock = threading.RLock()  # one flush at a time: writer thread, feedback, exit
        self._pending: list[tuple] = []
        self._pid = os.getpid()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.snapshot_source = None  # callable -> (worker id, metrics snapshot dict), set by the app
        self.on_error: Callable[[str], None] | None = None  # called with the error kind; the app counts it
        self.write_errors = 0
        self.rows_dropped = 0
        self._last_error: tuple[float, str] | None = None
        if self.path != ":memory:":
            directory = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(directory, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)
        atexit.register(self.flush)
        _INSTANCES.add(self)

    # -- connections ---------------------------------------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        if getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn, self._local.pid = conn, os.getpid()
        return self._local.conn

    def _ensure_flusher(self) -> None:
        if self._pid != os.getpid():  # forked: the parent's thread and queue are not ours
            self._pid, self._pending, self._thread = os.getpid(), [], None
            self._lock = threading.Lock()
            self._flush_lock = threading.RLock()
            self._wake = threading.Event()
            self.write_errors = self.rows_dropped = 0
            self._last_error = None
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._flush_loop, name="tcr-doctor-storage", daemon=True)
            self._thread.start()

    def _flush_loop(self) -> None:
        while True:
            try:
                self._wake.wait(self.flush_interval)
                self._wake.clear()
                self.flush()
            except Exception as exc:  # noqa: BLE001 - nothing may stop the writer; flush() already logged
                self._error("writer", exc)
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

    def health(self) -> dict[str, Any]:
        """The writer's state: "ok", "errors" (an error in the last minute) or "stopped" (its thread died),
        with rows waiting, write errors and rows dropped since the process started."""
        alive = self._thread is None or self._thread.is_alive() or self._pid != os.getpid()
        recent = self._last_error is not None and time.time() - self._last_error[0] < ERROR_WINDOW
        return {
            "writer": "stopped" if not alive else ("errors" if recent else "ok"),
            "writer_alive": alive,
            "pending": len(self._pending),
            "write_errors": self.write_errors,
            "rows_dropped": self.rows_dropped,
            "last_error": self._last_error[1] if self._last_error else None,
        }

    # -- writes --------------------------------------------------------------------------------------
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
    ) -> None:
        """Queue a question row (its text already redacted); written within `flush_interval` seconds."""
        row = tuple(
            clean_text(v)
            for v in (
                qid,
                time.time(),
                channel,
                lang,
                text,
                ",".join(sorted({str(k) for k in redacted})),
                status,
                answer_id,
                score,
                kb_version,
            )
        )
        self._ensure_flusher()
        dropped = 0
        with self._lock:
            self._pending.append(row)
            if len(self._pending) > self.max_pending:
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
        """Write one feedback row now (after the queued questions) and return its id; raises sqlite3.Error
        when the database cannot be written, so the caller never acknowledges a write that did not happen."""
        self.flush()  # the question the feedback refers to must be there first
        cur = self.connect().execute(
            "INSERT INTO feedback (ts, question_id, answer_id, kb_version, helpful, channel) VALUES (?,?,?,?,?,?)",
            tuple(
                clean_text(v) for v in (time.time(), question_id, answer_id, kb_version, 1 if helpful else 0, channel)
            ),
        )
        return int(cur.lastrowid)

    _INSERT_QUESTION = (
        "INSERT OR IGNORE INTO questions (id, ts, channel, lang, text, redacted, status, "
        "answer_id, score, kb_version) VALUES (?,?,?,?,?,?,?,?,?,?)"
    )

    def flush(self) -> None:
        """Write the queued question rows and this worker's metrics snapshot. Never raises: a row the database
        refuses is logged and skipped; when the database itself cannot be written the rows stay queued."""
        if self._pid != os.getpid():
            return
        with self._flush_lock:
            with self._lock:
                rows, self._pending = self._pending, []
            snapshot = None
            if self.snapshot_source:
                try:
                    snapshot = self.snapshot_source()
                except Exception as exc:  # noqa: BLE001
                    self._error("metrics snapshot", exc)
            if not rows and not snapshot:
                return
            try:
                self._write(rows, snapshot)
            except sqlite3.OperationalError as exc:  # locked, read-only, disk full: keep the rows for later
                self._error("flush", exc)
                self._requeue(rows)
            except Exception:  # noqa: BLE001 - a row the database refuses: write the others one by one
                self._write_one_by_one(rows, snapshot)

    def _write(self, rows: list[tuple], snapshot) -> None:
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if rows:
                conn.executemany(self._INSERT_QUESTION, rows)
            if snapshot:
                worker, data = snapshot
                conn.execute(
                    "INSERT OR REPLACE INTO metrics (worker, ts, data) VALUES (?,?,?)",
                    (worker, time.time(), json.dumps(data, separators=(",", ":"))),
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _write_one_by_one(self, rows: list[tuple], snapshot) -> None:
        for i, row in enumerate(rows):
            try:
                self._write([row], None)
            except sqlite3.OperationalError as exc:
                self._error("flush", exc)
                self._requeue(rows[i:])
                return
            except Exception as exc:  # noqa: BLE001
                self.rows_dropped += 1
                self._error("question row", exc, what=f"id {clean_text(str(row[0]))[:64]!r} (skipped)")
        if snapshot:
            try:
                self._write([], snapshot)
            except Exception as exc:  # noqa: BLE001
                self._error("metrics snapshot", exc)

    def _requeue(self, rows: list[tuple]) -> None:
        with self._lock:
            self._pending[:0] = rows
            excess = len(self._pending) - self.max_pending
            if excess > 0:
                del self._pending[:excess]
                self.rows_dropped += excess

    # -- reads ---------------------------------------------------------------------------------------
    def metric_snapshots(self) -> list[dict[str, Any]]:
        return [json.loads(data) for (data,) in self.connect().execute("SELECT data FROM metrics")]

    def question(self, qid: str) -> dict[str, Any] | None:
        cur = self.connect().execute("SELECT * FROM questions WHERE id = ?", (qid,))
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row)) if row else None

    def feedback_rows(self) -> list[dict[str, Any]]:
        cur = self.connect().execute("SELECT * FROM feedback ORDER BY id")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def unanswered(self, *, since: float | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Questions that got no answer or a thumbs-down, grouped by normalised text, most frequent first."""
        since = since or 0.0
        conn = self.connect()
        items: list[tuple[str, str, str | None, str | None, float]] = []  # (reason, text, lang, answer_id, ts)
        for text, lang, ts in conn.execute(
            "SELECT text, lang, ts FROM questions WHERE status = 'no_answer' AND ts >= ?", (since,)
        ):
            items.append(("no_answer", text, lang, None, ts))
        for text, lang, answer_id, ts in conn.execute(
            "SELECT q.text, q.lang, f.answer_id, f.ts FROM feedback f LEFT JOIN questions q "
            "ON q.id = f.question_id WHERE f.helpful = 0 AND f.ts >= ?",
            (since,),
        ):
            items.append(("thumbs_down", text or f"(answer {answer_id})", lang, answer_id, ts))
        groups: dict[str, dict[str, Any]] = {}
        for reason, text, lang, answer_id, ts in items:
            key = normalise(text)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "question": text,
                    "count": 0,
                    "no_answer": 0,
                    "thumbs_down": 0,
                    "answer_ids": [],
                    "langs": [],
                    "first_seen": ts,
                    "last_seen": ts,
                }
            group["count"] += 1
            group[reason] += 1
            if answer_id and answer_id not in group["answer_ids"]:
                group["answer_ids"].append(answer_id)
            if lang and lang not in group["langs"]:
                group["langs"].append(lang)
            group["first_seen"] = min(group["first_seen"], ts)
            group["last_seen"] = max(group["last_seen"], ts)
        ordered = sorted(groups.values(), key=lambda g: (-g["count"], -g["last_seen"]))
        return ordered[:limit] if limit else ordered


def flush_on_sigterm() -> bool:
    """Make SIGTERM flush every Storage of this process and exit (status 143) instead of dying with rows
    buffered. Call from the main thread of a server that does not handle SIGTERM itself; a handler that is
    already installed (gunicorn's) is left alone. True when installed."""
    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
        return False

    def _terminate(signum, frame):
        for storage in list(_INSTANCES):
            storage.flush()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    return True


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Grouping key: NFKC, case-folded, punctuation and spacing removed."""
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()
