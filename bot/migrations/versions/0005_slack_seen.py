"""slack_seen: once-only keys (Slack retry dedupe) in the shared database, so that hosts without Redis answer a
retry that lands on another host once. SQLite files already have it (bot/slack.py made it there per host).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("slack_seen"):
        op.create_table(
            "slack_seen",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("at", sa.Float, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("slack_seen")
