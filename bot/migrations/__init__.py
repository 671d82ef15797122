"""Alembic migrations of tcr-doctor's database schema (bot/storage.py has the current tables)."""
