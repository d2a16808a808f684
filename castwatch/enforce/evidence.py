"""The content-addressed evidence store: every item is a file named by its SHA-256.

Files live flat in ``$CASTWATCH_HOME/evidence/`` as ``<sha256><suffix>``, the naming the
verification stage already uses for its captures (``fingerprint/capture.py``), so a capture
is evidence in place: adding a file that is already there under its hash copies nothing.
Files are written aside and renamed into place, so a crash never leaves a half-written item
under a real name. The file being written is held under an exclusive ``flock`` until it is
renamed, so :func:`sweep_temporary` can tell the scratch file of a killed writer (no lock)
from one still being written, without guessing from its age. A file whose ledger row was
never committed is an orphan: ``castwatch evidence verify`` reports it and fails (the ledger,
not the directory, is the record).
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from castwatch.enforce.custody import STORED_NAME, hash_file
from castwatch.errors import EvidenceError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, so nothing counts as stale
    fcntl = None  # type: ignore[assignment]

__all__ = ["EvidenceStore", "StoredFile", "hash_file", "hold", "sweep_temporary"]

#: Scratch files of the writers of the store: ``evidence add`` and the probe capture.
TEMPORARY = re.compile(r"^\.(?:evidence-.+\.tmp|capture-.+\.partial)$")
_SUFFIX = re.compile(r"^(?:\.[a-z0-9]{1,10}){1,2}$")
_MEDIA_TYPES = {
    ".ts": "video/mp2t",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m3u": "audio/x-mpegurl",
    ".jsonl": "application/x-ndjson",
    ".json": "application/json",
    ".eml": "message/rfc822",
    ".har": "application/json",
}


@dataclass(slots=True, frozen=True)
class StoredFile:
    """An item in the store: its hash, its name there and its size."""

    sha256: str
    name: str
    size: int


def suffix_of(name: str) -> str:
    """The suffix kept on a stored file (``.ts``, ``.tar.gz``), or none when it looks odd."""
    suffixes = "".join(Path(name).suffixes[-2:]).lower()
    return suffixes if _SUFFIX.match(suffixes) else ""


def media_type_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in _MEDIA_TYPES:
        return _MEDIA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


class EvidenceStore:
    """The evidence directory of one data directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_of(self, name: str) -> Path:
        return self.directory / name

    def put_file(self, source: Path) -> StoredFile:
        """Store a copy of ``source`` under its hash, unless that file is already there."""
        try:
            sha256, size = hash_file(source)
        except OSError as exc:
            raise EvidenceError(f"cannot read {source}: {exc.strerror or exc}") from None
        in_place = source.resolve().parent == self.directory.resolve()
        if in_place and STORED_NAME.match(source.name):
            # A verification capture or thumbnail, already in the store under its name.
            return StoredFile(sha256, source.name, size)
        name = sha256 + suffix_of(source.name)
        target = self.path_of(name)
        if not self._holds(target, sha256):
            self._write(target, lambda handle: _copy_into(source, handle))
        return StoredFile(sha256, name, size)

    def put_bytes(self, data: bytes, suffix: str) -> StoredFile:
        """Store ``data`` (a JSON export, an HTTP exchange, a DNS answer) under its hash."""
        sha256 = hashlib.sha256(data).hexdigest()
        name = sha256 + (suffix if _SUFFIX.match(suffix) else "")
        target = self.path_of(name)
        if not self._holds(target, sha256):
            self._write(target, lambda handle: handle.write(data))
        return StoredFile(sha256, name, len(data))

    def _holds(self, target: Path, sha256: str) -> bool:
        # A file under the right name but with other bytes (corrupted) is replaced.
        return target.is_file() and hash_file(target)[0] == sha256

    def _write(self, target: Path, fill: Callable[[BinaryIO], object]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, scratch = tempfile.mkstemp(dir=self.directory, prefix=".evidence-", suffix=".tmp")
            # The lock lives on a duplicate, held until the file is renamed into place.
            lock = os.dup(fd)
            try:
                hold(lock)
                with os.fdopen(fd, "wb") as handle:
                    fill(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(scratch, 0o400)
                os.replace(scratch, target)
            except BaseException:
                Path(scratch).unlink(missing_ok=True)
                raise
            finally:
                os.close(lock)
        except OSError as exc:
            raise EvidenceError(
                f"cannot write evidence to {self.directory}: {exc.strerror or exc}"
            ) from None


def hold(fd: int) -> None:
    """Lock a scratch file while it is written: the sign that its writer is alive."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def sweep_temporary(directory: Path) -> list[tuple[str, int]]:
    """Remove the scratch files no live writer holds; ``(name, size)`` of each one removed.

    A killed ``evidence add`` or capture leaves its ``.evidence-*.tmp`` / ``.capture-*.partial``
    behind (80 MB for a large file); one still being written is locked and left alone.
    """
    removed: list[tuple[str, int]] = []
    if fcntl is None or not directory.is_dir():
        return removed
    for path in sorted(directory.iterdir()):
        if not TEMPORARY.match(path.name) or not path.is_file():
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue  # renamed into place meanwhile
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its writer is alive
            size = os.fstat(fd).st_size
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append((path.name, size))
        finally:
            os.close(fd)
    return removed


def _copy_into(source: Path, handle: BinaryIO) -> None:
    with source.open("rb") as reader:
        shutil.copyfileobj(reader, handle)
