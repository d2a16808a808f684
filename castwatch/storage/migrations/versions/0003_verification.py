"""Verification: reference recordings with their fingerprints, and verification results.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("window_s", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject_kind", "subject_id"),
    )
    op.create_table(
        "reference_print",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_id", sa.Integer(), nullable=False),
        sa.Column("fingerprinter", sa.String(length=40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["reference_id"], ["reference.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference_id", "fingerprinter"),
    )
    op.create_index(op.f("ix_reference_print_reference_id"), "reference_print", ["reference_id"])
    op.create_table(
        "verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("claimed_kind", sa.String(length=10), nullable=True),
        sa.Column("claimed_id", sa.String(length=200), nullable=True),
        sa.Column("matched_kind", sa.String(length=10), nullable=True),
        sa.Column("matched_id", sa.String(length=200), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("offset_s", sa.Float(), nullable=True),
        sa.Column("matched_fraction", sa.Float(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("capture_sha256", sa.String(length=64), nullable=True),
        sa.Column("capture_path", sa.Text(), nullable=True),
        sa.Column("thumbnails", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tool_version", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"]),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"]),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_verification_service_id"), "verification", ["service_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_verification_service_id"), table_name="verification")
    op.drop_table("verification")
    op.drop_index(op.f("ix_reference_print_reference_id"), table_name="reference_print")
    op.drop_table("reference_print")
    op.drop_table("reference")
