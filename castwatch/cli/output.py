"""Shared output helpers: JSON for scripts, rich for people, progress bars for long work."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from castwatch.catalog.progress import Progress as ProgressSink

console = Console()
err_console = Console(stderr=True)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> str:
    """One JSON document, no trailing newline; dates as ISO 8601."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS).decode()


def print_json(value: Any) -> None:
    """Write one JSON document and a newline to stdout, unstyled."""
    sys.stdout.write(dumps(value) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_bars(enabled: bool = True) -> Iterator[ProgressSink]:
    """A progress sink drawing one bar per stage on stderr (nothing when disabled or piped)."""
    if not enabled or not err_console.is_terminal:
        yield lambda stage, done, total: None
        return
    bars = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: int, total: int | None) -> None:
        task = tasks.get(stage)
        if task is None:
            task = tasks[stage] = bars.add_task(stage, total=total)
        bars.update(task, completed=done, total=total)

    with bars:
        yield update
