"""Alembic environment for tcr-doctor's schema (run by `tcr-doctor db upgrade` and by `Storage` at start-up).

The connection comes from `bot.storage.upgrade` (config.attributes["connection"]) or is made from
config.attributes["database_url"]. On PostgreSQL the migration holds an advisory lock, so that several hosts
starting at once apply it one after the other (the later ones then find nothing to do).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from bot.storage import lock_migrations, make_engine, metadata


def _run(connection: sa.Connection) -> None:
    lock_migrations(connection)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():  # pragma: no cover - `alembic upgrade --sql` is not offered
    raise SystemExit("tcr-doctor migrations run online only")
run_migrations_online()
