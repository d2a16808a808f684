"""Offline IP-to-network tables: ip2asn-style TSV and MaxMind mmdb, read without network.

The TSV is the ip2asn.com layout, one range a line, tab-separated::

    range_start  range_end  AS_number  country_code  AS_description
    1.0.0.0      1.0.0.255  13335      US            CLOUDFLARENET

(``.gz`` files are read as they are distributed; AS 0 marks unrouted space and is skipped).
A mmdb may be GeoLite2-ASN (``autonomous_system_number``/``_organization``), GeoLite2-Country
or -City (``country.iso_code``), or one database carrying both.
"""

from __future__ import annotations

import bisect
import gzip
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import maxminddb

from castwatch.errors import LookupTableError


@dataclass(frozen=True, slots=True)
class Network:
    """What a table says about one address; any field may be unknown."""

    asn: int | None
    organisation: str | None
    country: str | None
    table: str


class Ip2AsnTable:
    """Sorted, non-overlapping ranges searched by bisection (IPv4 and IPv6 apart)."""

    def __init__(
        self, rows: list[tuple[int, int, int, str, str]], version_of: list[int], name: str
    ):
        self.name = name
        self._by_version: dict[int, tuple[list[int], list[tuple[int, int, int, str, str]]]] = {}
        for version in (4, 6):
            chosen = sorted(
                (row for row, v in zip(rows, version_of, strict=True) if v == version),
                key=lambda row: row[0],
            )
            self._by_version[version] = ([row[0] for row in chosen], chosen)

    @classmethod
    def load(cls, path: Path) -> Ip2AsnTable:
        """Parse ``path``; malformed lines raise :class:`LookupTableError` naming the line."""
        stat = _stat(path)
        return _load_tsv(str(path), stat.st_mtime_ns, stat.st_size)

    def lookup(self, address: str) -> Network | None:
        ip = ipaddress.ip_address(address)
        starts, rows = self._by_version[ip.version]
        index = bisect.bisect_right(starts, int(ip)) - 1
        if index < 0:
            return None
        start, end, asn, country, description = rows[index]
        if not start <= int(ip) <= end:
            return None
        return Network(asn, description or None, country or None, self.name)


def _stat(path: Path) -> Any:
    try:
        return path.stat()
    except OSError as exc:
        raise LookupTableError(f"cannot read the IP table {path}: {exc.strerror}") from None


@lru_cache(maxsize=4)
def _load_tsv(path_text: str, mtime_ns: int, size: int) -> Ip2AsnTable:
    # Keyed by mtime and size as well: a replaced table is read again, an unchanged one once
    # per process (the full ip2asn table is ~500,000 lines).
    path = Path(path_text)
    rows: list[tuple[int, int, int, str, str]] = []
    versions: list[int] = []
    with _open_text(path) as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < 5:
                raise LookupTableError(
                    f"{path} line {number}: expected 5 tab-separated fields (range_start, "
                    f"range_end, AS_number, country_code, AS_description), got {len(fields)}"
                )
            try:
                start = ipaddress.ip_address(fields[0].strip())
                end = ipaddress.ip_address(fields[1].strip())
                asn = int(fields[2].strip())
            except ValueError as exc:
                raise LookupTableError(f"{path} line {number}: {exc}") from None
            if start.version != end.version or int(end) < int(start):
                raise LookupTableError(f"{path} line {number}: range end before its start")
            if asn == 0:
                continue  # "Not routed": no network to attribute
            country = fields[3].strip().upper()
            rows.append(
                (int(start), int(end), asn, "" if country == "NONE" else country, fields[4].strip())
            )
            versions.append(start.version)
    return Ip2AsnTable(rows, versions, path.name)


def _open_text(path: Path) -> IO[str]:
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "rt", encoding="utf-8", errors="replace")
        return path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise LookupTableError(f"cannot read the IP table {path}: {exc.strerror}") from None


class MmdbTable:
    """A MaxMind database, opened once per run (``close`` when done)."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        try:
            self._reader = maxminddb.open_database(str(path))
        except (OSError, ValueError) as exc:
            raise LookupTableError(f"cannot open the MaxMind database {path}: {exc}") from None

    def lookup(self, address: str) -> Network | None:
        try:
            record = self._reader.get(address)
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        asn = record.get("autonomous_system_number")
        organisation = record.get("autonomous_system_organization")
        country = _country(record)
        if asn is None and organisation is None and country is None:
            return None
        return Network(
            int(asn) if isinstance(asn, int) else None,
            str(organisation) if organisation else None,
            country,
            self.name,
        )

    def close(self) -> None:
        self._reader.close()


def _country(record: dict[str, Any]) -> str | None:
    for key in ("country", "registered_country"):
        section = record.get(key)
        if isinstance(section, dict) and isinstance(section.get("iso_code"), str):
            return str(section["iso_code"]).upper()
    return None
