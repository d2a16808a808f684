"""Reference registries: iptv-org channels and feeds, rights holders, works, identifications.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_channel",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alt_names", sa.JSON(), nullable=False),
        sa.Column("network", sa.Text(), nullable=True),
        sa.Column("owners", sa.JSON(), nullable=False),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("is_nsfw", sa.Boolean(), nullable=False),
        sa.Column("launched", sa.Text(), nullable=True),
        sa.Column("closed", sa.Text(), nullable=True),
        sa.Column("replaced_by", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("blocked", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "registry_feed",
        sa.Column("channel_id", sa.String(length=100), nullable=False),
        sa.Column("feed_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alt_names", sa.JSON(), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("broadcast_area", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("format", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["channel_id"], ["registry_channel.id"]),
        sa.PrimaryKeyConstraint("channel_id", "feed_id"),
    )
    op.create_table(
        "registry_country",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "registry_region",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "registry_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "rights_holder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("memberships", sa.JSON(), nullable=False),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "holder_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("territories", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["holder_id"], ["rights_holder.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("holder_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holder_claim_holder_id"), ["holder_id"], unique=False)

    op.create_table(
        "work",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("original_title", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("external_ids", sa.JSON(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "identification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=True),
        sa.Column("feed_id", sa.String(length=100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"]),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("identification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identification_snapshot_id"), ["snapshot_id"], unique=False
        )
        batch_op.create_index(
            "ix_identification_target", ["target_kind", "target_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identification", schema=None) as batch_op:
        batch_op.drop_index("ix_identification_target")
        batch_op.drop_index(batch_op.f("ix_identification_snapshot_id"))

    op.drop_table("identification")
    op.drop_table("work")
    with op.batch_alter_table("holder_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holder_claim_holder_id"))

    op.drop_table("holder_claim")
    op.drop_table("rights_holder")
    op.drop_table("registry_import")
    op.drop_table("registry_region")
    op.drop_table("registry_country")
    op.drop_table("registry_feed")
    op.drop_table("registry_channel")
