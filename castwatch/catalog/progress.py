"""How long work reports its progress, without knowing who is watching."""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(stage, done, total)``: called as work advances; ``total`` is ``None`` when unknown.
Progress = Callable[[str, int, int | None], None]


def no_progress(stage: str, done: int, total: int | None) -> None:
    """The default progress sink: ignores everything."""
