"""The works castwatch ships, the studio table that gives them holders, and IMDb's akas.

The bundled registry (``data/works/works.tsv.gz``, built by ``scripts/bundle_works.py``) is
41,553 films and series from Wikidata (CC0), keyed by IMDb id, in castwatch's works layout
with two extra columns: ``language`` and ``companies`` (production companies, ``|``-separated).
Wikidata records production companies for only about one film in ten, so most bundled works
have no holder: the normal path is a holder importing its own catalogue (docs/rights-holders.md).

:class:`StudioGroups` reads ``data/studio_groups.yaml``, which maps a company or label to the
group that holds its rights (Pixar to The Walt Disney Company); the works reader uses it for
any works file with a ``companies`` column. :func:`read_akas` reads IMDb's ``title.akas.tsv``
for the original and one localized title per work.
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import yaml

from castwatch.catalog.registry import WorkRecord
from castwatch.errors import RegistryError

_DATA = Path(__file__).parent.parent / "data"
#: The works registry castwatch ships (``castwatch registry import-works --bundled``).
BUNDLED_WORKS = _DATA / "works" / "works.tsv.gz"
#: Production company or label -> rights holder, from public facts (see its header).
DEFAULT_STUDIO_GROUPS = _DATA / "studio_groups.yaml"
_LOOSE = re.compile(r"[^\w]+")
AKAS_COLUMNS = ("titleid", "title", "region", "isoriginaltitle")


def company_key(name: str) -> str:
    """``20Th Century Fox`` and ``20th century-fox`` meet: casefolded, punctuation gone."""
    return _LOOSE.sub("", name.casefold())


@dataclass(frozen=True, slots=True)
class StudioGroups:
    """Which holder each company's films belong to; extend it by adding lines to the YAML."""

    holders: dict[str, str]

    def holder_for(self, companies: Iterable[str]) -> str | None:
        """The holder most of ``companies`` belong to (the first such on a tie), or None."""
        found = [h for c in companies if (h := self.holders.get(company_key(c)))]
        if not found:
            return None
        counts = Counter(found)
        return max(dict.fromkeys(found), key=lambda holder: counts[holder])


def load_studio_groups(path: Path = DEFAULT_STUDIO_GROUPS) -> StudioGroups:
    """Read a studio table; :class:`RegistryError` names the entry that is malformed."""
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the studio table ({exc.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RegistryError(
            f"{path}: not valid YAML ({' '.join(str(exc).split())[:200]})"
        ) from None
    groups = document.get("groups") if isinstance(document, dict) else None
    if not isinstance(groups, list):
        raise RegistryError(f"{path}: expected a mapping with a 'groups' list at the top")
    holders: dict[str, str] = {}
    for index, group in enumerate(groups, 1):
        holder = group.get("holder") if isinstance(group, dict) else None
        companies = group.get("companies") if isinstance(group, dict) else None
        if not isinstance(holder, str) or not holder.strip() or not isinstance(companies, list):
            raise RegistryError(
                f"{path}: group #{index}: expected 'holder' (text) and 'companies' (a list)"
            )
        for company in companies:
            if not isinstance(company, str) or not company_key(company):
                raise RegistryError(f"{path}: group {holder!r}: company {company!r} is not text")
            previous = holders.setdefault(company_key(company), holder.strip())
            if previous != holder.strip():
                raise RegistryError(
                    f"{path}: company {company!r} is listed under both {previous!r} and {holder!r}"
                )
    return StudioGroups(holders)


@lru_cache(maxsize=1)
def default_studio_groups() -> StudioGroups:
    """The shipped studio table, read once per process."""
    return load_studio_groups()


def open_registry_text(path: Path, what: str) -> IO[str]:
    """``path`` as text, gunzipped when it is gzip; ``what`` names the file in the error."""
    try:
        with path.open("rb") as probe:
            compressed = probe.read(2) == b"\x1f\x8b"
        if compressed:
            return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
        return path.open(encoding="utf-8-sig", errors="replace", newline="")
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the {what} ({exc.strerror})") from None


def read_akas(
    path: Path, wanted: set[str] | None = None, region: str | None = None
) -> dict[str, str]:
    """Work id -> its other title from IMDb's ``title.akas.tsv(.gz)``.

    With ``region`` (``FR``), the title that region uses, where it differs from the
    original; otherwise the original title (``isOriginalTitle`` 1). Only ids in ``wanted``
    are kept, so a 50-million-row file costs one pass and little memory.
    """
    region = region.upper() if region else None
    originals: dict[str, str] = {}
    localized: dict[str, str] = {}
    with open_registry_text(path, "akas file") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        try:
            header = [column.strip().casefold() for column in next(reader, [])]
            if not all(column in header for column in AKAS_COLUMNS):
                raise RegistryError(
                    f"{path}: not IMDb's title.akas.tsv (expected the columns titleId, title, "
                    f"region, isOriginalTitle; found {', '.join(header)[:200] or 'nothing'})"
                )
            at = {column: header.index(column) for column in AKAS_COLUMNS}
            width = len(header)
            for row in reader:
                if len(row) != width:
                    continue  # a malformed row costs its alias, never the import
                work_id = row[at["titleid"]]
                if wanted is not None and work_id not in wanted:
                    continue
                title = " ".join(row[at["title"]].split())
                if not title or title == "\\N" or "\x00" in title:
                    continue
                if row[at["isoriginaltitle"]] == "1":
                    originals.setdefault(work_id, title)
                elif region and row[at["region"]] == region:
                    localized.setdefault(work_id, title)
        except (csv.Error, OSError, EOFError, zlib.error) as exc:
            raise RegistryError(f"{path}: unreadable akas file ({exc})") from None
    if region:
        return {**originals, **localized}
    return originals


def with_akas(works: Iterable[WorkRecord], akas: dict[str, str]) -> Iterator[WorkRecord]:
    """``works`` with the aka as ``original_title`` where it differs from the title."""
    for work in works:
        alias = akas.get(work.id) or akas.get(work.external_ids.get("imdb", ""))
        if alias and alias.casefold() != work.title.casefold():
            yield replace(work, original_title=alias)
        else:
            yield work
