"""Tracking: watch targets (notice URLs and hosts, seized domains) and their checks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watch_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("probe_url", sa.Text(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.Text(), nullable=True),
        sa.Column("intermediary", sa.String(length=20), nullable=True),
        sa.Column("added_at", _TZ, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("settled", sa.String(length=12), nullable=False),
        sa.Column("last_checked_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"]),
        sa.ForeignKeyConstraint(["credential_id"], ["credential.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_watch_target_case", "watch_target", ["case_id", "kind"])
    op.create_table(
        "watch_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", _TZ, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("dns_error", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["target_id"], ["watch_target.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_watch_check_target_id"), "watch_check", ["target_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_watch_check_target_id"), table_name="watch_check")
    op.drop_table("watch_check")
    op.drop_index("ix_watch_target_case", table_name="watch_target")
    op.drop_table("watch_target")
