"""A simulated pirate IPTV panel serving synthetic data on 127.0.0.1, for tests and demos.

One port answers all three protocols castwatch reads (docs/protocols.md): the Xtream
``get.php`` playlist, the Xtream ``player_api.php`` and a Stalker portal. A fault mode
(:class:`Fault`) makes every endpoint misbehave in one chosen way.

    with SimServer(SimConfig(live=50, films=200, series=20, episodes=150)) as sim:
        httpx.get(sim.urls["m3u_url"])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from castwatch.sim.catalog import (
        Category,
        Episode,
        Film,
        LiveChannel,
        Series,
        SimCatalog,
        cached_catalog,
        generate_catalog,
    )
    from castwatch.sim.config import (
        DEFAULT_MAC,
        DEFAULT_PASSWORD,
        DEFAULT_USERNAME,
        Fault,
        SimConfig,
        loopback_host,
    )
    from castwatch.sim.process import SimProcess
    from castwatch.sim.render import iter_m3u
    from castwatch.sim.server import SimServer, serve

#: Where each public name lives. The names load on first use (PEP 562), so that importing
#: ``castwatch.sim.config`` (as ``castwatch sim --help`` does) does not pay for the server,
#: PyAV and numpy.
_HOMES = {
    **dict.fromkeys(
        ("Category", "Episode", "Film", "LiveChannel", "Series", "SimCatalog",
         "cached_catalog", "generate_catalog"),
        "castwatch.sim.catalog",
    ),
    **dict.fromkeys(
        ("DEFAULT_MAC", "DEFAULT_PASSWORD", "DEFAULT_USERNAME", "Fault", "SimConfig",
         "loopback_host"),
        "castwatch.sim.config",
    ),
    "SimProcess": "castwatch.sim.process",
    "iter_m3u": "castwatch.sim.render",
    "SimServer": "castwatch.sim.server",
    "serve": "castwatch.sim.server",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


__all__ = [
    "DEFAULT_MAC",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "Category",
    "Episode",
    "Fault",
    "Film",
    "LiveChannel",
    "Series",
    "SimCatalog",
    "SimConfig",
    "SimProcess",
    "SimServer",
    "cached_catalog",
    "generate_catalog",
    "iter_m3u",
    "loopback_host",
    "serve",
]
