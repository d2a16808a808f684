"""Build the channel and work matchers from the stored registries, cached in the data dir.

Building the channel index over 41,000 channels costs seconds; loading a serialised one costs
a fraction of that. Each matcher is cached under ``$CASTWATCH_HOME/cache/matchers/`` keyed by
a digest of what it was built from (the registry import, the castwatch version), so a new
import or a new castwatch rebuilds it and nothing else does.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from castwatch import __version__
from castwatch.errors import CastwatchError, NotFound
from castwatch.identify.channels.matcher import ChannelMatcher
from castwatch.identify.works.matcher import WorkMatcher
from castwatch.storage.db import Store
from castwatch.storage.reference import (
    count_works,
    iter_works,
    load_channels,
    load_countries,
    load_regions,
    registry_status,
)

M = TypeVar("M")


def channel_matcher(store: Store) -> ChannelMatcher:
    """The matcher over the stored iptv-org registry; ``NotFound`` when none is imported."""
    imported = registry_status(store)["imports"].get("iptv-org")
    if not imported:
        raise NotFound(
            "no channel registry imported: run `castwatch registry import-iptv-org DIR` "
            "(or `castwatch registry update` with internet access)"
        )
    key = _key("channels", imported)

    def build() -> ChannelMatcher:
        return ChannelMatcher.build(
            load_channels(store), load_countries(store), regions=load_regions(store)
        )

    return _cached(store, key, build, ChannelMatcher.serialize, ChannelMatcher.deserialize)


def work_matcher(store: Store) -> WorkMatcher | None:
    """The matcher over the stored works, or ``None`` when no work is imported."""
    imported = registry_status(store)["imports"].get("works")
    if not imported or count_works(store) == 0:
        return None
    key = _key("works", imported)
    return _cached(
        store,
        key,
        lambda: WorkMatcher.build(iter_works(store)),
        WorkMatcher.serialize,
        WorkMatcher.deserialize,
    )


def _key(kind: str, imported: dict[str, object]) -> str:
    basis = f"{kind}|{__version__}|{imported.get('digest')}|{imported.get('imported_at')}"
    return f"{kind}-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"


def _cached(
    store: Store,
    key: str,
    build: Callable[[], M],
    dump: Callable[[M], bytes],
    load: Callable[[bytes], M],
) -> M:
    folder = store.settings.cache_dir / "matchers"
    path = folder / f"{key}.bin"
    if path.exists():
        try:
            return load(path.read_bytes())
        except (CastwatchError, ValueError, EOFError):
            path.unlink(missing_ok=True)  # damaged or from another Python: rebuild it
    matcher = build()
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, dump(matcher))
    for stale in folder.glob(f"{key.split('-')[0]}-*.bin"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return matcher


def _write_atomically(path: Path, data: bytes) -> None:
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_bytes(data)
    os.replace(scratch, path)
