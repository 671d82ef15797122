"""questions.refusal: why a question got no answer (the kind of `ask()`'s refusal: smalltalk, other_registry,
documentation, troubleshooting), so that small talk stays out of the unanswered report and the console's missed
questions. Rows written before this revision have none and are reported as before.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "refusal" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("questions")}:
        op.add_column("questions", sa.Column("refusal", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("refusal")
