"""Build castwatch's bundled works registry from the Wikidata extract in ../shared/data.

Run ``python scripts/bundle_works.py [SOURCE_DIR]``; it writes
``castwatch/identify/data/works/works.tsv.gz`` in castwatch's works layout (docs/rights-holders.md)
with two extra columns the importer understands: ``language`` (original language) and
``companies`` (production companies, ``|``-separated, as Wikidata labels them). The output is
sorted by id and gzipped with a fixed mtime, so the same source gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "wikidata-works"
TARGET = ROOT / "castwatch" / "identify" / "data" / "works" / "works.tsv.gz"


def main(source: Path) -> None:
    with (source / "companies.csv").open(encoding="utf-8", newline="") as handle:
        names = {row["company_qid"]: row["name"] for row in csv.DictReader(handle)}
    companies: dict[str, list[str]] = defaultdict(list)
    with (source / "production_companies.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = names.get(row["company_qid"])
            if name and name not in companies[row["imdb_id"]]:
                companies[row["imdb_id"]].append(name.replace("|", "/"))
    rows: dict[str, list[str]] = {}
    with (source / "works.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            tconst, title = row["imdb_id"].strip(), " ".join(row["title"].split())
            if not tconst.startswith("tt") or not title or tconst in rows:
                continue
            rows[tconst] = [
                tconst, title, row["year"].strip(), row["type"].strip() or "film", tconst,
                row["language"].strip(), "|".join(companies.get(tconst, ())),
            ]  # fmt: skip
    text = io.StringIO()
    text.write("id\ttitle\tyear\tkind\timdb\tlanguage\tcompanies\n")
    for tconst in sorted(rows):
        text.write("\t".join(cell.replace("\t", " ") for cell in rows[tconst]) + "\n")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(text.getvalue().encode("utf-8"))
    with_companies = sum(1 for row in rows.values() if row[6])
    print(f"{len(rows):,} works ({with_companies:,} with companies) -> {TARGET}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
