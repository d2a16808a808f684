"""Attribution: observations, graph nodes and edges, operators, their links and alerts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "attr_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("first_seen", _TZ, nullable=False),
        sa.Column("last_seen", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key"),
    )
    op.create_table(
        "attr_edge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("collector", sa.String(length=60), nullable=False),
        sa.Column("first_seen", _TZ, nullable=False),
        sa.Column("last_seen", _TZ, nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["attr_node.id"]),
        sa.ForeignKeyConstraint(["target_id"], ["attr_node.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "target_id", "relation"),
    )
    op.create_index(op.f("ix_attr_edge_target_id"), "attr_edge", ["target_id"])
    op.create_table(
        "attr_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fact_key", sa.String(length=32), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("value_kind", sa.String(length=16), nullable=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("first_seen", _TZ, nullable=False),
        sa.Column("last_seen", _TZ, nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("edge_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["edge_id"], ["attr_edge.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fact_key"),
    )
    op.create_index(op.f("ix_attr_observation_edge_id"), "attr_observation", ["edge_id"])
    op.create_table(
        "attr_operator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "attr_operator_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("joined_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["attr_operator.id"]),
        sa.ForeignKeyConstraint(["node_id"], ["attr_node.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("node_id"),
    )
    op.create_index(
        op.f("ix_attr_operator_member_operator_id"), "attr_operator_member", ["operator_id"]
    )
    op.create_table(
        "attr_operator_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("service_a_id", sa.Integer(), nullable=False),
        sa.Column("service_b_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("pivots", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["attr_operator.id"]),
        sa.ForeignKeyConstraint(["service_a_id"], ["attr_node.id"]),
        sa.ForeignKeyConstraint(["service_b_id"], ["attr_node.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_attr_operator_link_operator_id"), "attr_operator_link", ["operator_id"]
    )
    op.create_table(
        "attr_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raised_at", _TZ, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_status", sa.String(length=12), nullable=True),
        sa.Column("pivots", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["attr_operator.id"]),
        sa.ForeignKeyConstraint(["node_id"], ["attr_node.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("operator_id", "node_id", "kind"),
    )
    op.create_index(op.f("ix_attr_alert_operator_id"), "attr_alert", ["operator_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_attr_alert_operator_id"), table_name="attr_alert")
    op.drop_table("attr_alert")
    op.drop_index(op.f("ix_attr_operator_link_operator_id"), table_name="attr_operator_link")
    op.drop_table("attr_operator_link")
    op.drop_index(op.f("ix_attr_operator_member_operator_id"), table_name="attr_operator_member")
    op.drop_table("attr_operator_member")
    op.drop_table("attr_operator")
    op.drop_index(op.f("ix_attr_observation_edge_id"), table_name="attr_observation")
    op.drop_table("attr_observation")
    op.drop_index(op.f("ix_attr_edge_target_id"), table_name="attr_edge")
    op.drop_table("attr_edge")
    op.drop_table("attr_node")
