"""The job engine's schedules: ``monitor`` (a service re-checked for good) and
``monitor_event`` (a live event window with a tighter cadence).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service", sa.String(200), nullable=False, unique=True),
        sa.Column("every_s", sa.Float(), nullable=False),
        sa.Column("streams", sa.Text(), nullable=False),
        sa.Column("probe_seconds", sa.Float(), nullable=False),
        sa.Column("reingest_s", sa.Float(), nullable=True),
        sa.Column("sealed_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_slot", sa.String(40), nullable=True),
        sa.Column("last_reingest_slot", sa.String(40), nullable=True),
    )
    op.create_table(
        "monitor_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("streams", sa.Text(), nullable=False),
        sa.Column("every_s", sa.Float(), nullable=False),
        sa.Column("probe_seconds", sa.Float(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_slot", sa.String(40), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("monitor_event")
    op.drop_table("monitor")
