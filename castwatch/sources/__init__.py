"""Sources: read a pirate service over M3U, Xtream Codes or Stalker into an Inventory.

Protocol clients (``sources/clients/``) speak the wire protocol and return what the server
said; adapters (``sources/m3u.py``, ``xtream.py``, ``stalker.py``) turn that into the catalog
model. Adapters register themselves in :mod:`castwatch.sources.base`. The HTTP they all
go through, and its policy (``FetchOptions``), is :mod:`castwatch.net`.
"""

from castwatch.sources.base import Source, all_sources, get_source, register_source

__all__ = ["Source", "all_sources", "get_source", "register_source"]
