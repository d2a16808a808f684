"""Rights holders from a YAML file, and which registry channels their claims cover.

The format (docs/rights-holders.md has the full reference)::

    version: 1
    regions:                       # optional shorthands usable in any territories list
      BENELUX: [BE, NL, LU]
    holders:
      - name: Groupe CANAL+        # required, unique
        aliases: [CANAL+, Canal Plus]
        memberships: [ACE]
        website: https://www.canalplusgroup.com/
        notes: free text
        territories: [FR, BENELUX] # default for this holder's claims; empty: everywhere
        owners: [Canal+ Group]     # iptv-org ``owners`` values
        networks: [Canal+]         # iptv-org ``network`` values
        channels:                  # iptv-org channel ids
          - CanalPlus.fr
          - {value: CanalPlusSport.pl, territories: [PL]}   # per-claim territories
        works: [tt0111161]         # work ids

Scalars are read as text: ``NO`` (Norway) stays ``"NO"``, not YAML 1.1's ``false``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from castwatch.catalog.registry import ChannelRecord, Claim, ClaimKind, RightsHolder
from castwatch.errors import RegistryError

#: The example file castwatch ships, built from public facts (see its header).
DEFAULT_HOLDERS = Path(__file__).parent.parent / "data" / "rights_holders.yaml"

_CLAIM_FIELDS = {
    "owners": ClaimKind.OWNER,
    "networks": ClaimKind.NETWORK,
    "channels": ClaimKind.CHANNEL,
    "works": ClaimKind.WORK,
}
_TEXT_LISTS = ("aliases", "memberships", "territories")
_TEXT_FIELDS = ("name", "website", "notes")
_HOLDER_FIELDS = frozenset((*_CLAIM_FIELDS, *_TEXT_LISTS, *_TEXT_FIELDS))
_COUNTRY = re.compile(r"[A-Z]{2}")
_REGION = re.compile(r"[A-Z][A-Z0-9_-]{2,19}")

#: channel id -> territories where the holder's rights apply (empty: everywhere).
ChannelClaims = dict[str, tuple[str, ...]]


class _TextLoader(yaml.SafeLoader):
    """A safe loader that reads yes/no/on/off and dates as text.

    Country codes must survive: YAML 1.1 turns ``NO`` into ``false``, and a date-like
    value into a date, which may not even exist (``2023-02-30`` raises).
    """


_TextLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_holders(path: Path) -> list[RightsHolder]:
    """Read and validate a rights-holder file; :class:`RegistryError` names what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(
            f"{path}: cannot read the rights-holder file ({exc.strerror})"
        ) from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_holders(text, str(path))


def parse_holders(text: str, source: str = "<text>") -> list[RightsHolder]:
    """Validate rights holders from YAML ``text``; ``source`` names it in errors."""
    try:
        # _TextLoader is a SafeLoader: no tag can construct arbitrary Python objects.
        document = yaml.load(text, Loader=_TextLoader)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise RegistryError(f"{source}: not valid YAML ({_first_line(exc)})") from None
    if not isinstance(document, dict):
        raise RegistryError(f"{source}: expected a mapping with a 'holders' list at the top")
    unknown = sorted(str(key) for key in document if key not in ("version", "regions", "holders"))
    if unknown:
        raise RegistryError(
            f"{source}: unknown top-level field {unknown[0]!r} (allowed: version, regions, holders)"
        )
    if document.get("version", 1) not in (1, "1"):
        raise RegistryError(f"{source}: unsupported version {document['version']!r} (this reads 1)")
    regions = _regions(document.get("regions") or {}, source)
    entries = document.get("holders")
    if not isinstance(entries, list):
        raise RegistryError(f"{source}: 'holders' must be a list of holders")
    holders: list[RightsHolder] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries, 1):
        holder = _holder(entry, index, regions, source)
        key = holder.name.casefold()
        if key in seen:
            raise RegistryError(
                f"{source}: holder {holder.name!r}: field 'name': duplicate of {seen[key]!r}"
            )
        seen[key] = holder.name
        holders.append(holder)
    return holders


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _regions(value: Any, source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise RegistryError(f"{source}: 'regions' must map a region code to a list of countries")
    regions: dict[str, tuple[str, ...]] = {}
    for code, countries in value.items():
        where = f"{source}: region {code!r}"
        if not isinstance(code, str) or not _REGION.fullmatch(code):
            raise RegistryError(f"{where}: a region code is 3-20 capitals, digits, '-' or '_'")
        regions[code] = _territories(countries, {}, where, "countries")
    return regions


def _holder(
    entry: Any, index: int, regions: Mapping[str, tuple[str, ...]], source: str
) -> RightsHolder:
    if not isinstance(entry, dict):
        raise RegistryError(f"{source}: holder #{index}: expected a mapping with a 'name'")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        raise RegistryError(
            f"{source}: holder #{index}: field 'name': required text of 200 characters at most"
        )
    where = f"{source}: holder {name.strip()!r}"
    unknown = sorted(str(key) for key in entry if key not in _HOLDER_FIELDS)
    if unknown:
        allowed = ", ".join(sorted(_HOLDER_FIELDS))
        raise RegistryError(f"{where}: unknown field {unknown[0]!r} (allowed: {allowed})")
    texts = {key: _text(entry.get(key), where, key) for key in ("website", "notes")}
    default_territories = _territories(entry.get("territories"), regions, where, "territories")
    claims: list[Claim] = []
    for field_name, kind in _CLAIM_FIELDS.items():
        for position, item in enumerate(_list(entry.get(field_name), where, field_name), 1):
            item_where = f"{where}: field '{field_name}' item {position}"
            claims.append(_claim(item, kind, default_territories, regions, item_where))
    return RightsHolder(
        name=_storable(name.strip(), where),
        aliases=_texts(entry.get("aliases"), where, "aliases"),
        claims=claims,
        memberships=_texts(entry.get("memberships"), where, "memberships"),
        website=texts["website"],
        notes=texts["notes"],
    )


def _claim(
    item: Any,
    kind: ClaimKind,
    default_territories: tuple[str, ...],
    regions: Mapping[str, tuple[str, ...]],
    where: str,
) -> Claim:
    if isinstance(item, dict):
        unknown = sorted(str(key) for key in item if key not in ("value", "territories"))
        if unknown:
            raise RegistryError(
                f"{where}: unknown key {unknown[0]!r} (allowed: value, territories)"
            )
        value = item.get("value")
        territories = (
            _territories(item["territories"], regions, where, "territories")
            if "territories" in item
            else default_territories
        )
    else:
        value, territories = item, default_territories
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(
            f"{where}: expected text or a mapping with 'value' (and 'territories'); "
            f"got {value!r} (quote values YAML would read as numbers)"
        )
    return Claim(kind, _storable(value.strip(), where), territories)


def _storable(value: str, where: str) -> str:
    # YAML escapes can spell a NUL or a lone surrogate, which no database text column takes.
    if "\x00" in value:
        raise RegistryError(f"{where}: {value[:40]!r} holds a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RegistryError(f"{where}: {value[:40]!r} is not valid Unicode text") from None
    return value


def _list(value: Any, where: str, field_name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RegistryError(f"{where}: field '{field_name}': expected a list")
    return value


def _text(value: Any, where: str, field_name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RegistryError(f"{where}: field '{field_name}': expected text, got {value!r}")
    return _storable(value.strip(), f"{where}: field '{field_name}'") or None


def _texts(value: Any, where: str, field_name: str) -> tuple[str, ...]:
    items = _list(value, where, field_name)
    for position, item in enumerate(items, 1):
        if not isinstance(item, str) or not item.strip():
            raise RegistryError(
                f"{where}: field '{field_name}' item {position}: expected text, got {item!r}"
            )
    stored = (_storable(item.strip(), f"{where}: field '{field_name}'") for item in items)
    return tuple(dict.fromkeys(stored))


def _territories(
    value: Any, regions: Mapping[str, tuple[str, ...]], where: str, field_name: str
) -> tuple[str, ...]:
    codes: list[str] = []
    for code in _texts(value, where, field_name):
        if code in regions:
            codes.extend(regions[code])
        elif _COUNTRY.fullmatch(code):
            codes.append(code)
        else:
            raise RegistryError(
                f"{where}: field '{field_name}': {code!r} is neither a two-letter country code "
                "(FR, UK) nor a region defined under 'regions'"
            )
    return tuple(dict.fromkeys(codes))


def _key(value: str) -> str:
    # iptv-org spells one owner several ways ("FOX TelevisION Stations LLC"): compare loosely.
    return " ".join(value.split()).casefold()


def resolve_claims(
    holders: Iterable[RightsHolder], channels: Iterable[ChannelRecord]
) -> dict[str, ChannelClaims]:
    """Each holder's channel claims expanded to channel ids, with their territories.

    Owner and network claims match iptv-org's values case-insensitively; channel claims
    must name an existing channel. When several claims of one holder reach a channel, the
    territories add up, and a claim valid everywhere (no territories) wins. Work claims
    are not channels and are left out.
    """
    by_owner: dict[str, list[str]] = {}
    by_network: dict[str, list[str]] = {}
    known: set[str] = set()
    for channel in channels:
        known.add(channel.id)
        for owner in channel.owners:
            by_owner.setdefault(_key(owner), []).append(channel.id)
        if channel.network:
            for network in channel.network.split(";"):
                by_network.setdefault(_key(network), []).append(channel.id)
    resolved: dict[str, ChannelClaims] = {}
    for holder in holders:
        claimed: ChannelClaims = {}
        for claim in holder.claims:
            if claim.kind is ClaimKind.OWNER:
                targets: Iterable[str] = by_owner.get(_key(claim.value), ())
            elif claim.kind is ClaimKind.NETWORK:
                targets = by_network.get(_key(claim.value), ())
            elif claim.kind is ClaimKind.CHANNEL:
                targets = (claim.value,) if claim.value in known else ()
            else:
                continue
            for channel_id in targets:
                _merge(claimed, channel_id, claim.territories)
        resolved[holder.name] = claimed
    return resolved


def _merge(claimed: ChannelClaims, channel_id: str, territories: tuple[str, ...]) -> None:
    previous = claimed.get(channel_id)
    if previous is None:
        claimed[channel_id] = territories
    elif previous and territories:
        claimed[channel_id] = tuple(dict.fromkeys((*previous, *territories)))
    else:
        claimed[channel_id] = ()


def unmatched_claims(
    holders: Iterable[RightsHolder], channels: Iterable[ChannelRecord]
) -> list[tuple[str, Claim]]:
    """``(holder, claim)`` for each owner, network or channel claim that matches nothing."""
    owners: set[str] = set()
    networks: set[str] = set()
    ids: set[str] = set()
    for channel in channels:
        ids.add(channel.id)
        owners.update(_key(owner) for owner in channel.owners)
        if channel.network:
            networks.update(_key(network) for network in channel.network.split(";"))
    misses: list[tuple[str, Claim]] = []
    for holder in holders:
        for claim in holder.claims:
            if (
                (claim.kind is ClaimKind.OWNER and _key(claim.value) not in owners)
                or (claim.kind is ClaimKind.NETWORK and _key(claim.value) not in networks)
                or (claim.kind is ClaimKind.CHANNEL and claim.value not in ids)
            ):
                misses.append((holder.name, claim))
    return misses
