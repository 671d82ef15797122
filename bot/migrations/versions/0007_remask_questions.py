"""Stored questions masked again by today's secret detector.

A question is stored as `knowledge.redact` masked it when it was asked. The detector has since learned forms it
missed (a bare `pass` label, the line after an interactive `Password:` prompt, `user:password@host` with a
single-label host), so a row stored before kept such a secret in the database until retention deleted it (90 days
by default), although every display (the console, `report unanswered`) masked it again. Each row's text is masked
once more by the detector that masks new rows (`bot.storage.remask_questions`); a row whose text changes gets the
kinds found added to `redacted`, the others are not written.

A migration rather than a `tcr-doctor db` subcommand: it runs once per database by itself, where the schema is
brought up to date (the service at start-up, `tcr-doctor db upgrade`), under the advisory lock PostgreSQL hosts
starting together already take, so no operator has to learn that a command exists and run it on every database.
Idempotent: masking a masked text changes nothing, so a re-run (down and up) writes no row. A later widening of the
detector adds a migration that calls `remask_questions` again. Downgrade keeps the masked texts: a secret is not
put back.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bot.storage import remask_questions

    remask_questions(op.get_bind())


def downgrade() -> None:
    pass
