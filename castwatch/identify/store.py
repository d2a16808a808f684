"""What the identify stage reads from the works registry beyond the registry store's loaders.

The registries themselves are written and loaded by :mod:`castwatch.storage.reference`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from castwatch.identify.tables import WorkRow
from castwatch.storage.db import Store

#: Ids per ``IN (...)``: well under SQLite's bound-parameter limit.
_BATCH = 500


def work_holders(store: Store, work_ids: Iterable[str]) -> dict[str, str | None]:
    """Work id -> the holder named in the works registry's own column (None when blank)."""
    ids = sorted(set(work_ids))
    found: dict[str, str | None] = {}
    with store.session() as session:
        for start in range(0, len(ids), _BATCH):
            rows = session.execute(
                select(WorkRow.id, WorkRow.holder).where(
                    WorkRow.id.in_(ids[start : start + _BATCH])
                )
            )
            found.update((work_id, holder) for work_id, holder in rows)
    return found
