"""Refusal kinds for the questions stored before revision 0004, and the console's covering index with `refusal`.

1. A refused question (status no_answer) stored before 0004 has no refusal kind, so old small talk ("hello",
   "thanks") stayed in `tcr-doctor report unanswered` and the console's missed questions until retention removed
   it. Each such row is classified once, by the same public function whose answer the channels store
   (`knowledge.ask`, read by `bot.storage.refusal_kind`), on its stored (already redacted) text. A row that
   `ask()` answers today keeps no kind: it was a real miss then. Texts, statuses and every other column stay as
   they are.
2. `questions_console` gains `refusal` as its last column: the console's charts now tell small talk from
   refusals, and their range scans still never visit the table.

Idempotent: only rows without a kind are read (in batches, by id), and the index is rebuilt only when it lacks the
column. Downgrade restores 0005's index; the kinds written stay, since 0005's column means the same.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("tcr_doctor.storage")

BATCH = 500
CONSOLE_COLUMNS = ["ts", "channel", "status", "answer_id", "log_code"]

_questions = sa.table(
    "questions",
    sa.column("id", sa.Text),
    sa.column("text", sa.Text),
    sa.column("lang", sa.Text),
    sa.column("status", sa.Text),
    sa.column("refusal", sa.Text),
)


def _kind(ask: Any, text: str, lang: str | None) -> str | None:
    from bot.storage import refusal_kind

    try:
        return refusal_kind(ask(text, lang if lang in ("zh", "en") else None))
    except Exception:  # noqa: BLE001 - a row the matcher cannot read keeps no kind, as before
        return None


def classify_old_refusals(bind: sa.Connection) -> dict[str, int]:
    """Give each refused question without a kind the kind `knowledge.ask` gives its text now; {kind: rows}."""
    q = _questions.c
    unclassified = sa.select(q.id, q.text, q.lang).where(q.status == "no_answer", q.refusal.is_(None))
    if bind.execute(unclassified.limit(1)).first() is None:
        return {}  # nothing to do: the knowledge base is not even loaded
    import knowledge

    set_kind = (
        sa.update(_questions)
        .where(q.id == sa.bindparam("qid"), q.refusal.is_(None))
        .values(refusal=sa.bindparam("kind"))
    )
    counts: dict[str, int] = {}
    last = ""
    while rows := bind.execute(unclassified.where(q.id > last).order_by(q.id).limit(BATCH)).all():
        last = rows[-1].id
        kinds = [{"qid": r.id, "kind": kind} for r in rows if (kind := _kind(knowledge.ask, r.text or "", r.lang))]
        if kinds:
            bind.execute(set_kind, kinds)
        for row in kinds:
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    if counts:
        log.info("classified %d refused questions stored before refusal kinds: %s", sum(counts.values()), counts)
    return counts


def _console_index(columns: list[str]) -> None:
    indexes = {ix["name"]: ix for ix in sa.inspect(op.get_bind()).get_indexes("questions")}
    current = indexes.get("questions_console")
    if current is not None and list(current["column_names"]) == columns:
        return
    if current is not None:
        op.drop_index("questions_console", "questions")
    op.create_index("questions_console", "questions", columns)


def upgrade() -> None:
    classify_old_refusals(op.get_bind())
    _console_index([*CONSOLE_COLUMNS, "refusal"])


def downgrade() -> None:
    _console_index(CONSOLE_COLUMNS)
