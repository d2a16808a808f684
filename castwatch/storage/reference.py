"""Keep the reference registries in the database: channels, rights holders, works, matches.

Each import runs in one transaction and records itself in ``registry_import`` (what, from
where, when, how many, digest), so a failed import leaves the previous registry intact and
``castwatch registry status`` can say how old each one is. The iptv-org registry and the
rights holders are replaced wholesale; works are upserted by id, streamed in batches so an
IMDb-sized file never sits in memory. Identifications are written here for the identify
stage, replaced per (snapshot, engine).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import JSON, Connection, Select, Table, Text, cast, delete, func, select
from sqlalchemy.exc import DataError, IntegrityError

from castwatch.catalog.progress import Progress, no_progress
from castwatch.catalog.registry import (
    ChannelRecord,
    Claim,
    ClaimKind,
    FeedRecord,
    Identification,
    RightsHolder,
    WorkKind,
    WorkRecord,
)
from castwatch.catalog.tables import SnapshotRow
from castwatch.errors import NotFound, StorageError
from castwatch.identify.tables import (
    HolderClaimRow,
    IdentificationRow,
    RegistryChannelRow,
    RegistryCountryRow,
    RegistryFeedRow,
    RegistryImportRow,
    RegistryRegionRow,
    RightsHolderRow,
    WorkRow,
)
from castwatch.storage.bulk import (
    bind_converter,
    bulk_inserter,
    copy_rows,
    model_table,
    placeholders,
    uses_copy,
)
from castwatch.storage.db import Store

_BATCH = 5000
IMPORT_KINDS = ("iptv-org", "holders", "works")


class ChannelRegistry(Protocol):
    """What :func:`replace_iptv_org` needs of an iptv-org import.

    Storage sits below the identify stage, so it names the shape it needs instead of
    importing ``castwatch.identify.registries.iptv_org.IptvOrgData``, which has it.
    """

    @property
    def channels(self) -> Sequence[ChannelRecord]: ...
    @property
    def countries(self) -> Mapping[str, tuple[str, tuple[str, ...]]]: ...
    @property
    def regions(self) -> Mapping[str, tuple[str, tuple[str, ...]]]: ...
    @property
    def digest(self) -> str: ...
    def counts(self) -> dict[str, int]: ...


# --- iptv-org channels ---------------------------------------------------------------------

_CHANNEL_COLUMNS = (
    "id", "name", "alt_names", "network", "owners", "country", "categories", "is_nsfw",
    "launched", "closed", "replaced_by", "website", "blocked",
)  # fmt: skip
_FEED_COLUMNS = (
    "channel_id", "feed_id", "name", "alt_names", "is_main", "broadcast_area", "languages",
    "format",
)  # fmt: skip


def replace_iptv_org(store: Store, data: ChannelRegistry, source: str) -> dict[str, int]:
    """Replace the stored channel registry with ``data`` in one transaction; its counts."""
    counts = data.counts()
    with _storing(store, "the channel registry"), store.session() as session:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # TRUNCATE is transactional on PostgreSQL and skips 86,000 row-by-row FK checks.
            connection.exec_driver_sql(
                "TRUNCATE registry_feed, registry_channel, registry_country, registry_region"
            )
        else:
            for table in (
                RegistryFeedRow,
                RegistryChannelRow,
                RegistryCountryRow,
                RegistryRegionRow,
            ):
                connection.execute(delete(table))
        insert_channels = bulk_inserter(
            connection, model_table(RegistryChannelRow), _CHANNEL_COLUMNS
        )
        insert_feeds = bulk_inserter(connection, model_table(RegistryFeedRow), _FEED_COLUMNS)
        # Tuples go to the JSON columns as they are: the serializer writes them as arrays.
        channel_rows: list[tuple[Any, ...]] = []
        feed_rows: list[tuple[Any, ...]] = []
        for channel in data.channels:
            channel_rows.append(
                (channel.id, channel.name, channel.alt_names, channel.network, channel.owners,
                 channel.country, channel.categories, channel.is_nsfw, channel.launched,
                 channel.closed, channel.replaced_by, channel.website, channel.blocked)
            )  # fmt: skip
            for feed in channel.feeds:
                feed_rows.append(
                    (feed.channel_id, feed.feed_id, feed.name, feed.alt_names, feed.is_main,
                     feed.broadcast_area, feed.languages, feed.format)
                )  # fmt: skip
        # Channels first: every feed row points at one.
        for start in range(0, len(channel_rows), _BATCH):
            insert_channels(channel_rows[start : start + _BATCH])
        for start in range(0, len(feed_rows), _BATCH):
            insert_feeds(feed_rows[start : start + _BATCH])
        session.add_all(
            RegistryCountryRow(code=code, name=name, languages=list(languages))
            for code, (name, languages) in data.countries.items()
        )
        session.add_all(
            RegistryRegionRow(code=code, name=name, countries=list(countries))
            for code, (name, countries) in data.regions.items()
        )
        _record_import(session.connection(), "iptv-org", source, counts, data.digest)
    return counts


def load_channels(store: Store) -> list[ChannelRecord]:
    """Every stored channel with its feeds and blocklist reason, by id, main feed first."""
    feeds: dict[str, list[FeedRecord]] = {}
    with store.engine.connect() as connection:
        feed_table = model_table(RegistryFeedRow)
        array = _array_reader()
        for row in connection.execute(_select_raw(feed_table, _FEED_COLUMNS)):
            (channel_id, feed_id, name, alt_names, is_main, area, languages, video_format) = row
            feeds.setdefault(channel_id, []).append(
                FeedRecord(channel_id, feed_id, name, array(alt_names), bool(is_main),
                           array(area), array(languages), video_format)
            )  # fmt: skip
        channel_table = model_table(RegistryChannelRow)
        query = _select_raw(channel_table, _CHANNEL_COLUMNS)
        channels: list[ChannelRecord] = []
        for row in connection.execute(query):
            (channel_id, name, alt_names, network, owners, country, categories, is_nsfw,
             launched, closed, replaced_by, website, blocked) = row  # fmt: skip
            channels.append(
                ChannelRecord(
                    id=channel_id,
                    name=name,
                    alt_names=array(alt_names),
                    network=network,
                    owners=array(owners),
                    country=country,
                    categories=array(categories),
                    is_nsfw=bool(is_nsfw),
                    launched=launched,
                    closed=closed,
                    replaced_by=replaced_by,
                    website=website,
                    feeds=feeds.get(channel_id, []),
                    blocked=blocked,
                )
            )
        # Sorted here, not in SQL: the order must not depend on the database's collation.
        for channel_feeds in feeds.values():
            channel_feeds.sort(key=lambda feed: (not feed.is_main, feed.feed_id))
        channels.sort(key=lambda channel: channel.id)
        return channels


def _select_raw(table: Table, columns: Sequence[str]) -> Select[Any]:
    """Select ``columns``, JSON ones as their text (decoded by :func:`_array_reader`)."""
    return select(
        *(
            cast(table.c[name], Text) if isinstance(table.c[name].type, JSON) else table.c[name]
            for name in columns
        )
    )


def _array_reader() -> Callable[[str | None], tuple[str, ...]]:
    """Decode a JSON array column to a tuple, remembering the values already seen.

    Reading 41,000 channels means 260,000 small JSON arrays, mostly repeats (``[]``,
    ``["eng"]``, ``["c/US"]``): the standard JSON decoder behind SQLAlchemy's JSON type
    took two thirds of the load time.
    """
    seen: dict[str, tuple[str, ...]] = {}

    def read(text: str | None) -> tuple[str, ...]:
        if text is None:
            return ()
        value = seen.get(text)
        if value is None:
            value = seen[text] = tuple(orjson.loads(text))
        return value

    return read


def load_countries(store: Store) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``code -> (name, languages)`` for every stored country."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(RegistryCountryRow.code, RegistryCountryRow.name, RegistryCountryRow.languages)
        )
        return {code: (name, tuple(languages)) for code, name, languages in rows}


def load_regions(store: Store) -> dict[str, tuple[str, ...]]:
    """``region code -> country codes`` for every stored iptv-org region."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(RegistryRegionRow.code, RegistryRegionRow.countries))
        return {code: tuple(countries) for code, countries in rows}


# --- rights holders ------------------------------------------------------------------------


def replace_holders(
    store: Store, holders: Sequence[RightsHolder], source: str, digest: str | None = None
) -> dict[str, int]:
    """Replace the stored rights holders and their claims in one transaction; the counts."""
    counts = {"holders": len(holders), "claims": sum(len(h.claims) for h in holders)}
    with _storing(store, "the rights holders"), store.session() as session:
        session.execute(delete(HolderClaimRow))
        session.execute(delete(RightsHolderRow))
        for holder in holders:
            row = RightsHolderRow(
                name=holder.name,
                aliases=list(holder.aliases),
                memberships=list(holder.memberships),
                website=holder.website,
                notes=holder.notes,
            )
            session.add(row)
            session.flush()
            session.add_all(
                HolderClaimRow(
                    holder_id=row.id,
                    kind=claim.kind.value,
                    value=claim.value,
                    territories=list(claim.territories),
                )
                for claim in holder.claims
            )
        session.flush()
        _record_import(session.connection(), "holders", source, counts, digest)
    return counts


def load_holders(store: Store) -> list[RightsHolder]:
    """Every stored rights holder with its claims in file order, holders by name."""
    with store.session() as session:
        claims: dict[int, list[Claim]] = {}
        for claim in session.scalars(select(HolderClaimRow).order_by(HolderClaimRow.id)):
            claims.setdefault(claim.holder_id, []).append(
                Claim(ClaimKind(claim.kind), claim.value, tuple(claim.territories))
            )
        return [
            RightsHolder(
                name=row.name,
                aliases=tuple(row.aliases),
                claims=claims.get(row.id, []),
                memberships=tuple(row.memberships),
                website=row.website,
                notes=row.notes,
            )
            for row in session.scalars(select(RightsHolderRow).order_by(RightsHolderRow.name))
        ]


# --- works ---------------------------------------------------------------------------------

_WORK_COLUMNS = ("id", "title", "original_title", "kind", "year", "external_ids", "holder")


def import_works(
    store: Store,
    records: Iterable[WorkRecord],
    source: str,
    progress: Progress = no_progress,
    digest: str | None = None,
) -> dict[str, int]:
    """Upsert ``records`` by id in one transaction, in batches; read, new, updated, total."""
    read = 0
    with _storing(store, "the works"), store.session() as session:
        connection = session.connection()
        before = _count(connection, WorkRow)
        upsert = _work_upserter(connection)
        batch: dict[str, tuple[Any, ...]] = {}
        for work in records:
            read += 1
            # The last row of a batch wins for a repeated id, as it would row by row.
            batch[work.id] = (
                work.id, work.title, work.original_title, work.kind.value, work.year,
                dict(work.external_ids), work.holder,
            )  # fmt: skip
            if len(batch) >= _BATCH:
                upsert(list(batch.values()))
                batch.clear()
                progress("works", read, None)
        if batch:
            upsert(list(batch.values()))
        progress("works", read, read)
        total = _count(connection, WorkRow)
        counts = {"read": read, "new": total - before, "updated": read - (total - before)}
        counts["total"] = total
        _record_import(connection, "works", source, counts, digest)
    return counts


def iter_works(store: Store, batch: int = _BATCH) -> Iterator[WorkRecord]:
    """Every stored work by id, read a page at a time (no connection held between pages)."""
    after = ""
    while True:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(*(WorkRow.__table__.c[name] for name in _WORK_COLUMNS))
                .where(WorkRow.id > after)
                .order_by(WorkRow.id)
                .limit(batch)
            ).all()
        for work_id, title, original, kind, year, external_ids, holder in rows:
            yield WorkRecord(work_id, title, WorkKind(kind), year, original, external_ids, holder)
        if len(rows) < batch:
            return
        after = rows[-1][0]


def count_works(store: Store) -> int:
    """How many works are stored."""
    with store.engine.connect() as connection:
        return _count(connection, WorkRow)


# --- identifications -----------------------------------------------------------------------

_IDENTIFICATION_COLUMNS = (
    "snapshot_id", "entry_id", "target_kind", "target_id", "feed_id", "confidence", "why",
    "engine",
)  # fmt: skip


def save_identifications(
    store: Store,
    snapshot_id: int,
    rows: Iterable[tuple[int, Identification]],
    engine: str,
) -> int:
    """Replace what ``engine`` identified in ``snapshot_id`` with ``rows``; how many stored."""
    stored = 0
    with (
        _storing(store, f"the identifications of snapshot {snapshot_id}"),
        store.session() as session,
    ):
        if session.get(SnapshotRow, snapshot_id) is None:
            raise NotFound(f"no snapshot {snapshot_id}; list them with `castwatch show`")
        connection = session.connection()
        connection.execute(
            delete(IdentificationRow).where(
                IdentificationRow.snapshot_id == snapshot_id, IdentificationRow.engine == engine
            )
        )
        insert = bulk_inserter(connection, model_table(IdentificationRow), _IDENTIFICATION_COLUMNS)
        batch: list[tuple[Any, ...]] = []
        for entry_id, found in rows:
            batch.append(
                (snapshot_id, entry_id, found.target_kind, found.target_id, found.feed_id,
                 float(found.confidence), dict(found.why), engine)
            )  # fmt: skip
            if len(batch) >= _BATCH:
                insert(batch)
                stored += len(batch)
                batch = []
        if batch:
            insert(batch)
            stored += len(batch)
    return stored


def load_identifications(
    store: Store, snapshot_id: int, engine: str | None = None
) -> list[tuple[int, Identification]]:
    """``(entry_id, identification)`` of a snapshot (one engine's, or all), by entry."""
    table = model_table(IdentificationRow)
    query = (
        select(table.c.entry_id, table.c.target_kind, table.c.target_id, table.c.confidence,
               table.c.why, table.c.feed_id)
        .where(table.c.snapshot_id == snapshot_id)
        .order_by(table.c.entry_id, table.c.id)
    )  # fmt: skip
    if engine is not None:
        query = query.where(table.c.engine == engine)
    with store.engine.connect() as connection:
        return [
            (entry_id, Identification(kind, target, confidence, why or {}, feed_id))
            for entry_id, kind, target, confidence, why, feed_id in connection.execute(query)
        ]


# --- status and helpers --------------------------------------------------------------------


def registry_status(store: Store) -> dict[str, Any]:
    """Row counts of every registry, and the latest import of each kind (None if never)."""
    with store.engine.connect() as connection:
        status: dict[str, Any] = {
            "channels": _count(connection, RegistryChannelRow),
            "feeds": _count(connection, RegistryFeedRow),
            "blocked": connection.scalar(
                select(func.count()).where(RegistryChannelRow.blocked.is_not(None))
            ),
            "countries": _count(connection, RegistryCountryRow),
            "holders": _count(connection, RightsHolderRow),
            "claims": _count(connection, HolderClaimRow),
            "works": _count(connection, WorkRow),
            "identifications": _count(connection, IdentificationRow),
        }
        imports: dict[str, dict[str, Any] | None] = {}
        for kind in IMPORT_KINDS:
            row = connection.execute(
                select(RegistryImportRow.__table__)
                .where(RegistryImportRow.kind == kind)
                .order_by(RegistryImportRow.id.desc())
                .limit(1)
            ).first()
            imports[kind] = (
                None
                if row is None
                else {
                    "source": row.source,
                    "imported_at": row.imported_at,
                    "counts": dict(row.counts),
                    "digest": row.digest,
                }
            )
        status["imports"] = imports
    return status


@contextmanager
def _storing(store: Store, what: str) -> Iterator[None]:
    """Turn a constraint the data broke (a duplicate id, a dangling entry) into a clear error.

    The transaction has rolled back by then: the previous registry is still in place. COPY
    goes straight to the driver, so its own DB-API errors are caught as well as SQLAlchemy's.
    """
    dbapi = store.engine.dialect.dbapi
    driver_errors = tuple(
        getattr(dbapi, name) for name in ("IntegrityError", "DataError") if hasattr(dbapi, name)
    )
    try:
        yield
    except (IntegrityError, DataError, *driver_errors) as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise StorageError(f"could not store {what}, nothing was changed: {reason}") from None


def _record_import(
    connection: Connection, kind: str, source: str, counts: dict[str, int], digest: str | None
) -> None:
    connection.execute(
        model_table(RegistryImportRow)
        .insert()
        .values(
            kind=kind, source=source, imported_at=datetime.now(UTC), counts=counts, digest=digest
        )
    )


def _count(connection: Connection, model: type[Any]) -> int:
    return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def _work_upserter(connection: Connection) -> Callable[[list[tuple[Any, ...]]], None]:
    """Insert-or-update works by id: COPY into a scratch table on PostgreSQL, then merge."""
    table = model_table(WorkRow)
    convert = bind_converter(connection, table, _WORK_COLUMNS)
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in _WORK_COLUMNS)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in _WORK_COLUMNS[1:])
    conflict = f"ON CONFLICT ({quote('id')}) DO UPDATE SET {updates}"
    if uses_copy(connection):
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE work_load (LIKE {quote(table.name)}) ON COMMIT DROP"
        )
        merge_sql = f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} FROM work_load "
        copy_sql = f"COPY work_load ({names}) FROM STDIN"

        def merge_rows(rows: list[tuple[Any, ...]]) -> None:
            copy_rows(connection, copy_sql, convert(rows))
            connection.exec_driver_sql(merge_sql + conflict)
            connection.exec_driver_sql("TRUNCATE work_load")

        return merge_rows
    sql = (
        f"INSERT INTO {quote(table.name)} ({names}) "
        f"VALUES ({placeholders(connection, len(_WORK_COLUMNS))}) {conflict}"
    )

    def upsert_rows(rows: list[tuple[Any, ...]]) -> None:
        connection.exec_driver_sql(sql, convert(rows))

    return upsert_rows
