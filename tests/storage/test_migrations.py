"""Alembic migrations: applied on first use, reversible, and in step with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from castwatch.config import Settings
from castwatch.storage.base import Base
from castwatch.storage.db import Store, _alembic_config, head_revision


def test_opening_a_store_migrates_to_head(settings: Settings) -> None:
    with Store.open(settings) as store:
        with store.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        tables = set(inspect(store.engine).get_table_names())
    assert {"service", "snapshot", "entry", "credential", "endpoint"} <= tables
    # A second open finds the schema current and changes nothing.
    with Store.open(settings) as store, store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    with Store.open(settings) as store, store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(settings: Settings) -> None:
    from alembic import command

    Store.open(settings).close()
    engine = create_engine(settings.db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "base")
        assert "entry" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
        assert "entry" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
