"""Evidence filed before any case: ``evidence_ledger.case_id`` may be NULL.

Every file castwatch writes under ``evidence/`` is now a ledger item, including the captures
and thumbnails of verifications and references, which belong to no case yet. Existing rows
keep their case; the hash of a row covers ``case_id`` as before (NULL hashes as ``null``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_ledger") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Rows of no case cannot go back to a schema that requires one: refuse rather than drop.
    bind = op.get_bind()
    uncased = bind.execute(
        sa.text("SELECT count(*) FROM evidence_ledger WHERE case_id IS NULL")
    ).scalar()
    if uncased:
        raise RuntimeError(
            f"{uncased} ledger rows belong to no case; file them in a case before downgrading"
        )
    with op.batch_alter_table("evidence_ledger") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
