"""SQLite storage for the web channel: questions (redacted text only), feedback, per-worker metric snapshots.

Question rows are written behind the request (a small queue flushed every `flush_interval` seconds or every
`batch` rows by a daemon thread) so that `/api/ask` never waits on the disk; feedback is written at once.
Safe across gunicorn's fork: connections and the flush thread are created lazily in the process that uses them.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterable
from typing import Any

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
    return os.environ.get("TCR_DOCTOR_DB") or os.path.join(os.getcwd(), "tcr-doctor.sqlite3")


class Storage:
    def __init__(self, path: str | None = None, *, flush_interval: float = 0.5, batch: int = 200):
        self.path = path or default_path()
        self.flush_interval = flush_interval
        self.batch = batch
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pending: list[tuple] = []
        self._pid = os.getpid()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.snapshot_source = None  # callable -> (worker id, metrics snapshot dict), set by the app
        if self.path != ":memory:":
            directory = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(directory, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)
        atexit.register(self.flush)

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
            self._wake = threading.Event()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._flush_loop, name="tcr-doctor-storage", daemon=True)
            self._thread.start()

    def _flush_loop(self) -> None:
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            try:
                self.flush()
            except sqlite3.Error:  # pragma: no cover - retried on the next round
                time.sleep(self.flush_interval)

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
        row = (
            qid,
            time.time(),
            channel,
            lang,
            text,
            ",".join(sorted(set(redacted))),
            status,
            answer_id,
            score,
            kb_version,
        )
        self._ensure_flusher()
        with self._lock:
            self._pending.append(row)
            full = len(self._pending) >= self.batch
        if full:
            self._wake.set()

    def record_feedback(
        self, *, question_id: str | None, answer_id: str, kb_version: str, helpful: bool, channel: str = "web"
    ) -> int:
        self.flush()  # the question the feedback refers to must be there first
        cur = self.connect().execute(
            "INSERT INTO feedback (ts, question_id, answer_id, kb_version, helpful, channel) VALUES (?,?,?,?,?,?)",
            (time.time(), question_id, answer_id, kb_version, 1 if helpful else 0, channel),
        )
        return int(cur.lastrowid)

    def flush(self) -> None:
        if self._pid != os.getpid():
            return
        with self._lock:
            rows, self._pending = self._pending, []
        snapshot = self.snapshot_source() if self.snapshot_source else None
        if not rows and not snapshot:
            return
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if rows:
                conn.executemany(
                    "INSERT OR IGNORE INTO questions (id, ts, channel, lang, text, redacted, status, "
                    "answer_id, score, kb_version) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    rows,
                )
            if snapshot:
                worker, data = snapshot
                conn.execute(
                    "INSERT OR REPLACE INTO metrics (worker, ts, data) VALUES (?,?,?)",
                    (worker, time.time(), json.dumps(data, separators=(",", ":"))),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            with self._lock:
                self._pending[:0] = rows
            raise

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


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Grouping key: NFKC, case-folded, punctuation and spacing removed."""
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()
