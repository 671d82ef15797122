"""Stored questions and taught texts masked again: the detector learned glued upper-case variable names.

`knowledge.redact` read `DB_PASSWORD=X` but not `DBPASSWORD=X`, `APIBROWSERPASS=X` or `GITLABTOKEN=X` (an
environment variable whose name ends in the label with no separator), so a question stored with one kept the secret.
As 0007 and 0008 did for earlier widenings, each stored question and each taught text is masked once more by today's
detector; only rows that change are written. Idempotent; downgrade keeps the masked texts (a secret is not put back).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bot.storage import remask_overlay, remask_questions

    remask_questions(op.get_bind())
    remask_overlay(op.get_bind())


def downgrade() -> None:
    pass
