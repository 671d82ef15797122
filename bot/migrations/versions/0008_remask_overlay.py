"""What support leads taught in the console, masked by today's secret detector.

Phrasings taught in the console (`kb_overlay.texts`, with the `topic` and `pointer` a lead types) were stored as
written: they come from stored questions, masked when stored, but a lead may paste or type a text, and a row taught
before the detector learned a form keeps that form. `tcr-doctor kb export` writes them into the FAQ files. Teaching
masks them now (bot.console.store); this masks the rows taught before (`bot.storage.remask_overlay`): only rows that
change are written. Idempotent; downgrade keeps the masked texts (a secret is not put back). See 0007 for why a
migration and not a command.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bot.storage import remask_overlay

    remask_overlay(op.get_bind())


def downgrade() -> None:
    pass
