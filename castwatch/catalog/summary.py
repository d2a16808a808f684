"""A compact description of an inventory: what ``castwatch inspect`` prints."""

from __future__ import annotations

from collections import Counter
from typing import Any

from castwatch.catalog.endpoints import summarize_endpoints
from castwatch.catalog.model import Endpoint, Inventory


def summarize(inventory: Inventory, top: int = 15) -> dict[str, Any]:
    """Totals, counts by kind, the largest groups, the hosts, and the server's self-description.

    Keys: ``kind``, ``source_url``, ``entries``, ``counts``, ``groups`` (``[{kind, group,
    entries}]``), ``hosts`` (``[{scheme, host, port, path_pattern, entries}]``),
    ``server_info``, ``warnings`` (count) and ``warning_examples``.
    """
    groups: Counter[tuple[str, str]] = Counter(
        (entry.kind.value, entry.group or "(no group)") for entry in inventory.entries
    )
    hosts = summarize_endpoints(inventory.entries)
    return summary_of(inventory, len(inventory.entries), inventory.counts(), groups, hosts, top)


def summary_of(
    inventory: Inventory,
    entries: int,
    counts: dict[str, int],
    groups: Counter[tuple[str, str]],
    hosts: list[Endpoint],
    top: int,
) -> dict[str, Any]:
    """:func:`summarize`'s document from figures counted elsewhere (a playlist streamed past).

    ``inventory`` gives the kind, source URL, server info and warnings; its entries are not
    read, so a reader that kept none passes what it counted.
    """
    return {
        "kind": inventory.kind.value,
        "source_url": inventory.source_url,
        "entries": entries,
        "counts": counts,
        "groups": [
            {"kind": kind, "group": group, "entries": n}
            for (kind, group), n in groups.most_common(top)
        ],
        "hosts": [
            {
                "scheme": e.scheme,
                "host": e.host,
                "port": e.port,
                "path_pattern": e.path_pattern,
                "entries": e.entries,
            }
            for e in hosts[:top]
        ],
        "server_info": inventory.server_info,
        "warnings": len(inventory.warnings),
        "warning_examples": inventory.warnings[:5],
    }
