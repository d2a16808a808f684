"""The order a service lists its entries in: ``snapshot.entry_order``.

Entry versions are shared between snapshots, so the listing order is kept per snapshot, as
the entry row ids in order (zlib-compressed deltas, see ``storage/queries.py``). Snapshots
stored before this have none, and ``castwatch export`` writes them in key order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshot") as batch:
        batch.add_column(sa.Column("entry_order", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshot") as batch:
        batch.drop_column("entry_order")
