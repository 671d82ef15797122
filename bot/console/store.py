"""The console's reads and writes, in SQLAlchemy Core so that one text serves SQLite and PostgreSQL.

Reads aggregate the tables the channels write through bot.storage (questions, feedback, findings); writes are
the taught overlay (table kb_overlay), which is also the audit trail: who taught what and when, who undid it.
The tables are bot.storage's (schema by its migrations).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Table, and_, func, select
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

import diagnostics
from bot.storage import feedback, findings, kb_overlay, mask_taught, mask_text, missed, questions

# A row of ConsoleStore.summary: (day, channel, status, answer id, log cause, refusal kind, questions).
SummaryRow = tuple[int, str, str, str | None, str | None, str | None, int]

DAY = 86400
CLOSED_AFTER = 120.0  # seconds after midnight UTC from which the day before is closed (well past any flush)
CLOSED_TTL = 600.0  # seconds a closed day's summary rows are reused by a worker


class day_of(FunctionElement[int]):  # noqa: N801 - lower case: it reads as the SQL function it compiles to
    """Whole UTC days since the epoch of a unix-seconds column."""

    type = Integer()
    inherit_cache = True


@compiles(day_of)
def _day_default(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)} / {DAY}) AS INTEGER)"


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite may lack FLOOR; CAST truncates, and ts is positive
    return f"CAST({compiler.process(element.clauses, **kw)} / {DAY} AS INTEGER)"


@dataclass(frozen=True)
class Filters:
    """A date range [start, end) in unix seconds and an optional channel."""

    start: float
    end: float
    channel: str | None = None

    def on(self, table: Table) -> ColumnElement[bool]:
        """The SQL condition selecting `table`'s rows in the range (and channel)."""
        cond = and_(table.c.ts >= self.start, table.c.ts < self.end)
        if self.channel:
            cond = and_(cond, table.c.channel == self.channel)
        return cond


class ConsoleStore:
    """Aggregates for the charts, the questions to teach from, and the overlay with its audit trail."""

    def __init__(self, engine: Callable[[], Engine]):
        self._engine = engine  # bot.storage.Storage.engine: the tables and migrations are the storage's
        self._channels: tuple[float, list[str]] = (0.0, [])
        # (channel filter, day) -> (when read, summary rows) of closed days; see summary()
        self._closed_days: dict[tuple[str | None, int], tuple[float, list[Any]]] = {}

    @property
    def engine(self) -> Engine:
        """The storage's engine for this process."""
        return self._engine()

    # -- charts ----------------------------------------------------------------------------------------
    def channels(self) -> list[str]:
        """The channels that have recorded questions (for the filter; re-read at most once a minute)."""
        when, names = self._channels
        if time.monotonic() - when > 60 or not names:
            with self.engine.connect() as conn:
                q = select(questions.c.channel).distinct().order_by(questions.c.channel)
                names = [c for (c,) in conn.execute(q)]
            self._channels = (time.monotonic(), names)
        return names

    def summary(self, f: Filters) -> list[SummaryRow]:
        """(day, channel, status, answer id, log cause, refusal kind, questions): one scan of the covering index
        serves the per-day, outcome, top-entry and log-cause charts.

        A whole UTC day that ended more than CLOSED_AFTER seconds ago no longer changes (questions carry the time
        they were asked, and the writer flushes within a second), so its rows are kept per worker for CLOSED_TTL
        seconds: a long range then scans only the days not yet kept (today's at least). Retention pruning shows
        after CLOSED_TTL at most."""
        now = time.time()
        first = -(-int(f.start) // DAY)  # the first whole day inside the range
        last = min(int(f.end) // DAY, int((now - CLOSED_AFTER) // DAY))  # whole days before it that are closed
        if last - first < 2:
            return self._summary(f)
        kept = self._closed_days
        if len(kept) > 20_000:  # days x channel filters: bounded
            kept.clear()
        missing = [d for d in range(first, last) if now - kept.get((f.channel, d), (-CLOSED_TTL, []))[0] >= CLOSED_TTL]
        if missing:
            lo, hi = min(missing), max(missing) + 1
            by_day: dict[int, list[SummaryRow]] = {d: [] for d in missing}
            for row in self._summary(Filters(lo * DAY, hi * DAY, f.channel)):
                if row[0] in by_day:
                    by_day[row[0]].append(row)
            for d, rows in by_day.items():
                kept[(f.channel, d)] = (now, rows)
        result = [row for d in range(first, last) for row in kept[(f.channel, d)][1]]
        if f.start < first * DAY:
            result += self._summary(Filters(f.start, first * DAY, f.channel))
        if last * DAY < f.end:
            result += self._summary(Filters(last * DAY, f.end, f.channel))
        return result

    def _summary(self, f: Filters) -> list[SummaryRow]:
        c = questions.c
        day = day_of(c.ts)
        q = (
            select(day, c.channel, c.status, c.answer_id, c.log_code, c.refusal, func.count())
            .where(f.on(questions))
            .group_by(day, c.channel, c.status, c.answer_id, c.log_code, c.refusal)
        )
        with self.engine.connect() as conn:
            return [(int(d), ch, st, a, lc, r, int(n)) for d, ch, st, a, lc, r, n in conn.execute(q)]

    def thumbs_down_by_entry(self, f: Filters) -> dict[str, int]:
        """Thumbs-down votes per answered entry id within the filters."""
        q = (
            select(feedback.c.answer_id, func.count())
            .where(and_(f.on(feedback), feedback.c.helpful == 0))
            .group_by(feedback.c.answer_id)
        )
        with self.engine.connect() as conn:
            return {a: int(n) for a, n in conn.execute(q)}

    def thumbs_down_per_day(self, f: Filters) -> dict[int, int]:
        """Thumbs-down votes per day number within the filters."""
        fday = day_of(feedback.c.ts)
        q = select(fday, func.count()).where(and_(f.on(feedback), feedback.c.helpful == 0)).group_by(fday)
        with self.engine.connect() as conn:
            return {int(d): int(n) for d, n in conn.execute(q)}

    def finding_codes(self, f: Filters, limit: int = 15) -> list[tuple[str, str, int]]:
        """(code, status, count) of the diagnoses' findings that were not ok, most frequent first."""
        q = (
            select(findings.c.code, findings.c.status, func.count())
            .where(and_(f.on(findings), findings.c.status.in_(diagnostics.PROBLEMS)))
            .group_by(findings.c.code, findings.c.status)
            .order_by(func.count().desc(), findings.c.code)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(c, s, int(n)) for c, s, n in conn.execute(q)]

    # -- questions to teach from ---------------------------------------------------------------------
    def missed_texts(self, f: Filters, limit: int = 400) -> list[dict[str, Any]]:
        """Distinct texts that got no answer (small talk aside) or a thumbs-down, most frequent first: {text, lang, count,
        refused, down, answer_ids, last, refusal (why it got no answer: the latest refusal kind stored, or None)}."""
        refused = (
            select(
                questions.c.text,
                func.min(questions.c.lang),
                func.count(),
                func.max(questions.c.ts),
                func.max(questions.c.refusal),
            )
            .where(and_(f.on(questions), questions.c.status == "no_answer", missed(questions.c.refusal)))
            .group_by(questions.c.text)
            .order_by(func.count().desc())
            .limit(limit)
        )
        down = (
            select(
                questions.c.text,
                func.min(questions.c.lang),
                feedback.c.answer_id,
                func.count(),
                func.max(feedback.c.ts),
            )
            .select_from(feedback.join(questions, questions.c.id == feedback.c.question_id))
            .where(and_(f.on(feedback), feedback.c.helpful == 0))
            .group_by(questions.c.text, feedback.c.answer_id)
            .order_by(func.count().desc())
            .limit(limit)
        )
        items: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for text, lang, n, last, refusal in conn.execute(refused):
                items[text] = {
                    "text": text,
                    "lang": lang,
                    "count": int(n),
                    "refused": int(n),
                    "down": 0,
                    "answer_ids": [],
                    "last": last,
                    "refusal": refusal,
                }
            for text, lang, answer_id, n, last in conn.execute(down):
                item = items.setdefault(
                    text,
                    {"text": text, "lang": lang, "count": 0, "refused": 0, "down": 0, "answer_ids": [], "last": last},
                )
                item["count"] += int(n)
                item["down"] += int(n)
                item["last"] = max(item["last"], last)
                if answer_id not in item["answer_ids"]:
                    item["answer_ids"].append(answer_id)
        return sorted(items.values(), key=lambda i: (-i["count"], -i["last"], i["text"]))

    # -- overlay and audit -----------------------------------------------------------------------------
    def overlay_version(self) -> str:
        """Changes whenever a teaching act is added or undone; one cheap query."""
        q = select(func.count(), func.max(kb_overlay.c.id), func.max(kb_overlay.c.undone))
        with self.engine.connect() as conn:
            n, top, undone = conn.execute(q).one()
        return f"{n}.{top or 0}.{undone or 0}"

    def active_overlay(self) -> list[dict[str, Any]]:
        """The teaching acts in force (not undone), oldest first: what the matcher's overlay is built from."""
        q = select(kb_overlay).where(kb_overlay.c.undone.is_(None)).order_by(kb_overlay.c.id)
        with self.engine.connect() as conn:
            return [_overlay_row(r._mapping) for r in conn.execute(q)]

    def audit(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest `limit` teaching acts, newest first, undone ones included."""
        q = select(kb_overlay).order_by(kb_overlay.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_overlay_row(r._mapping) for r in conn.execute(q)]

    def teach(
        self,
        *,
        author: str,
        kind: str,
        texts: list[dict[str, str]],
        entry_id: str | None = None,
        topic: str | None = None,
        pointer: str | None = None,
        evaluation: dict[str, Any] | None = None,
    ) -> int:
        """Record one teaching act (phrasings for an entry, or an out-of-scope topic) with its author and evaluation;
        returns its id. ValueError for another kind."""
        if kind not in ("phrasings", "topic"):
            raise ValueError(f"unknown kind {kind!r}")
        row = {
            "ts": time.time(),
            "author": author,
            "kind": kind,
            "entry_id": entry_id,
            # masked as a stored question is (one detector): `kb export` writes them into the FAQ files
            "topic": mask_text(topic),
            "pointer": mask_text(pointer),
            "texts": json.dumps(mask_taught(texts), ensure_ascii=False),
            "evaluation": json.dumps(evaluation, ensure_ascii=False) if evaluation is not None else None,
        }
        with self.engine.begin() as conn:
            key = conn.execute(kb_overlay.insert().values(**row)).inserted_primary_key
            assert key is not None  # an INSERT of one row
            return int(key[0])

    def undo(self, teach_id: int, *, author: str) -> bool:
        """Undo one teaching act; False when there is no such act or it was already undone."""
        q = (
            kb_overlay.update()
            .where(and_(kb_overlay.c.id == teach_id, kb_overlay.c.undone.is_(None)))
            .values(undone=time.time(), undone_by=author)
        )
        with self.engine.begin() as conn:
            return conn.execute(q).rowcount == 1


def _overlay_row(m: RowMapping) -> dict[str, Any]:
    row = dict(m)
    row["texts"] = json.loads(row["texts"] or "[]")
    row["evaluation"] = json.loads(row["evaluation"]) if row.get("evaluation") else None
    return row
