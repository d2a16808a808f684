"""Key files written once, owner-only, never seen half-written: the vault's and the ledger's."""

from __future__ import annotations

import os
from pathlib import Path


def create_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) unless it exists; the first of two racing
    writers wins and the other keeps the winner's file.

    Written aside, then linked into place: ``link`` fails if another process won the race,
    and nobody ever reads a half-written key.
    """
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
