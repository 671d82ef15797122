"""The console's data: questions.log_code (the pasted-log cause), findings (codes of diagnoses run from a
channel) and kb_overlay (what support leads taught, with its audit trail).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "log_code" not in {c["name"] for c in inspector.get_columns("questions")}:
        op.add_column("questions", sa.Column("log_code", sa.Text))
    if "questions_console" not in {ix["name"] for ix in inspector.get_indexes("questions")}:
        # covers the console's charts: their range scans never visit the table
        op.create_index("questions_console", "questions", ["ts", "channel", "status", "answer_id", "log_code"])
    tables = set(inspector.get_table_names())
    if "findings" not in tables:
        op.create_table(
            "findings",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("channel", sa.Text, nullable=False),
            sa.Column("code", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
        )
        op.create_index("findings_ts", "findings", ["ts"])
    if "kb_overlay" not in tables:
        op.create_table(
            "kb_overlay",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("ts", sa.Float, nullable=False),
            sa.Column("author", sa.Text, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("entry_id", sa.Text),
            sa.Column("topic", sa.Text),
            sa.Column("pointer", sa.Text),
            sa.Column("texts", sa.Text, nullable=False),
            sa.Column("evaluation", sa.Text),
            sa.Column("undone", sa.Float),
            sa.Column("undone_by", sa.Text),
        )


def downgrade() -> None:
    op.drop_index("questions_console", "questions")
    op.drop_table("kb_overlay")
    op.drop_index("findings_ts", "findings")
    op.drop_table("findings")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("log_code")
