"""Reading back what a Storage wrote, for tests: rows by id and every feedback row. The service itself never reads
single rows (channels write; the report and the console aggregate), so these live with the tests, not in
bot/storage.py's API."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.storage import Storage, feedback, questions


def stored_question(storage: Storage, qid: str) -> dict[str, Any] | None:
    """The stored question `qid` as a dict, or None."""
    with storage.engine().connect() as conn:
        row = conn.execute(sa.select(questions).where(questions.c.id == qid)).mappings().first()
    return dict(row) if row else None


def stored_feedback(storage: Storage) -> list[dict[str, Any]]:
    """Every feedback row, in the order written."""
    with storage.engine().connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(feedback).order_by(feedback.c.id)).mappings()]
