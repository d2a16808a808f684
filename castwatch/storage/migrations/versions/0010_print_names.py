"""Stored prints name their fingerprinter and its version, beside the medium they read.

``reference_print.fingerprinter`` held the kind (``video``, ``audio``); it now holds the
registered fingerprinter's name, the new ``version`` column its version and the new ``kind``
column the medium, so a print made by an outside plugin, or by a later version of a
built-in, is never read by the wrong one. Existing rows were all made by the two built-ins
at version 1: kind ``video`` becomes ``video-dct`` v1 and ``audio`` becomes
``audio-landmark`` v1 (the names and versions each print's own header carries).
Downgrading maps the names back to the kinds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The built-in fingerprinters when this migration was written: kind -> (name, version).
#: Frozen here on purpose; the registry may name other fingerprinters later.
_BUILTINS = {"video": ("video-dct", 1), "audio": ("audio-landmark", 1)}

_prints = sa.table(
    "reference_print",
    sa.column("kind", sa.String(20)),
    sa.column("fingerprinter", sa.String(40)),
    sa.column("version", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("reference_print") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    # Every row's kind is the old column's value; the built-ins' rows get their names.
    op.execute(_prints.update().values(kind=_prints.c.fingerprinter))
    for kind, (name, version) in _BUILTINS.items():
        op.execute(
            _prints.update()
            .where(_prints.c.kind == kind)
            .values(fingerprinter=name, version=version)
        )
    with op.batch_alter_table("reference_print") as batch:
        batch.alter_column("kind", existing_type=sa.String(20), nullable=False)
        batch.alter_column("version", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    for kind, (name, _version) in _BUILTINS.items():
        op.execute(
            _prints.update().where(_prints.c.fingerprinter == name).values(fingerprinter=kind)
        )
    with op.batch_alter_table("reference_print") as batch:
        batch.drop_column("version")
        batch.drop_column("kind")
