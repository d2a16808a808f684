"""Shared output helpers: JSON for scripts, rich for people, progress bars for long work.

Messages on stderr (errors, warnings, notes) are one line each whatever the terminal: a
script reading ``error: ...`` must get the whole message on one line, so those consoles
soft-wrap (the terminal folds a long line; rich never inserts a newline), and the message
text is escaped so that bracketed words (``[sender]``, a path with ``[1]``) are printed, not
taken for rich markup.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.progress import TaskID

    from castwatch.catalog.progress import Progress as ProgressSink

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def error_line(message: str, label: str = "error:") -> None:
    """Print ``error: MESSAGE`` on stderr as one line; the message is not markup."""
    err_console.print(f"[bold red]{label}[/] {escape(message)}", highlight=False)


def warning_line(message: str, label: str = "warning:") -> None:
    """Print ``warning: MESSAGE`` on stderr as one line; the message is not markup."""
    err_console.print(f"[yellow]{label}[/] {escape(message)}", highlight=False)


def note_line(message: str) -> None:
    """Print a plain note on stderr as one line (no markup, no highlighting)."""
    err_console.print(message, markup=False, highlight=False)


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
    # Loaded here: only a command drawing bars on a terminal pays for rich.progress.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

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
