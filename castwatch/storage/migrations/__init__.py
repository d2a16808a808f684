"""Alembic migrations of the castwatch schema (applied automatically on first use)."""
