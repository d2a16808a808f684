"""Time ``castwatch evidence verify`` over 100,000 evidence items, beside ``sha256sum -c``.

Fills a temporary data directory (SQLite) with N small items (default 100,000) in batches of
1,000 (one signature per batch, as a busy investigation would have), then times the full
verification: every file rehashed, every row's hash and link recomputed, every signature
checked. The peer is ``sha256sum -c`` over the same files, which only rehashes files: the
ratio is what the chain and the signatures cost on top of hashing.

    .venv/bin/python bench/evidence.py [--items 100000]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from castwatch.catalog.evidence import EvidenceKind
from castwatch.config import Settings
from castwatch.enforce.cases import open_case
from castwatch.enforce.evidence import StoredFile
from castwatch.enforce.ledger import NewItem, record
from castwatch.enforce.ledger_check import verify_ledger
from castwatch.storage.db import Store

BATCH = 1000


def fill(store: Store, items: int) -> None:
    open_case(store, "bench")
    directory = store.settings.evidence_dir
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    batch: list[NewItem] = []
    for index in range(items):
        # Small items, like DNS answers and HTTP exchanges: written directly (no fsync) so
        # the fill does not dominate the run; verification reads them like any other.
        data = b'{"dns": "panel%d.example", "a": ["203.0.113.%d"]}' % (index, index % 250)
        sha256 = hashlib.sha256(data).hexdigest()
        (directory / f"{sha256}.json").write_bytes(data)
        stored = StoredFile(sha256, f"{sha256}.json", len(data))
        batch.append(
            NewItem(stored, EvidenceKind.DNS, f"answer {index}", "bench", "application/json", now)
        )
        if len(batch) == BATCH:
            record(store, "bench", batch)
            batch = []
    if batch:
        record(store, "bench", batch)


def peer(directory: Path) -> float | None:
    tool = shutil.which("sha256sum")
    if tool is None:
        return None
    sums = directory.parent / "SHA256SUMS"
    with sums.open("w") as out:
        for path in directory.iterdir():
            out.write(f"{path.name[:64]}  {path.name}\n")
    start = time.perf_counter()
    subprocess.run([tool, "-c", "--quiet", str(sums)], cwd=directory, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="castwatch-bench-") as scratch:
        settings = Settings.resolve(home=Path(scratch) / "home")
        with Store.open(settings) as store:
            start = time.perf_counter()
            fill(store, args.items)
            filled = time.perf_counter() - start
            print(f"filled {args.items:,} items in {filled:.1f} s")
            start = time.perf_counter()
            report = verify_ledger(store)
            verify_s = time.perf_counter() - start
        assert report.ok, report.failures[:5]
        print(
            f"castwatch evidence verify: {verify_s:.2f} s for {report.entries:,} entries, "
            f"{report.files:,} files, {report.signatures:,} signatures "
            f"({verify_s / report.entries * 1e6:.0f} us per item)"
        )
        peer_s = peer(settings.evidence_dir)
        if peer_s is None:
            print("sha256sum not found: no peer figure")
            return
        print(f"sha256sum -c (files only):  {peer_s:.2f} s")
        print(f"ratio castwatch / sha256sum: {verify_s / peer_s:.2f}x")


if __name__ == "__main__":
    main()
