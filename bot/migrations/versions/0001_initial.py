"""questions, feedback and per-worker metric snapshots.

Databases written before migrations existed (SQLite files of earlier versions) already have these tables with the
same columns: what exists is kept, only what is missing is created.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "questions" not in tables:
        op.create_table(
            "questions",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("channel", sa.Text, nullable=False),
            sa.Column("lang", sa.Text),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("redacted", sa.Text, nullable=False, server_default=""),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("answer_id", sa.Text),
            sa.Column("score", sa.Float),
            sa.Column("kb_version", sa.Text),
        )
    if "feedback" not in tables:
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("question_id", sa.Text),
            sa.Column("answer_id", sa.Text, nullable=False),
            sa.Column("kb_version", sa.Text, nullable=False),
            sa.Column("helpful", sa.Integer, nullable=False),
            sa.Column("channel", sa.Text, nullable=False, server_default="web"),
        )
    if "metrics" not in tables:
        op.create_table(
            "metrics",
            sa.Column("worker", sa.Text, primary_key=True),
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("data", sa.Text, nullable=False),
        )
    indexes = {ix["name"] for table in ("questions", "feedback") for ix in sa.inspect(op.get_bind()).get_indexes(table)}
    for name, table, columns in (
        ("questions_status", "questions", ["status", "ts"]),
        ("questions_ts", "questions", ["ts"]),
        ("feedback_helpful", "feedback", ["helpful", "ts"]),
    ):
        if name not in indexes:
            op.create_index(name, table, columns)


def downgrade() -> None:
    op.drop_table("metrics")
    op.drop_table("feedback")
    op.drop_table("questions")
