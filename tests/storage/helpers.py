"""Small inventories built in code, for storage tests that need no server."""

from __future__ import annotations

from castwatch.catalog import Credentials, Entry, EntryKind, Inventory, ServiceKind


def make_inventory(
    n: int = 50,
    renamed: int = 0,
    first: int = 0,
    password: str = "s3cret-pass",
) -> Inventory:
    """``n`` entries keyed ``live:first..`` with the first ``renamed`` of them renamed."""
    inventory = Inventory(
        kind=ServiceKind.XTREAM,
        source_url="http://panel.test:8080/",
        base_urls=["http://panel.test:8080/"],
        server_info={"server_info": {"timezone": "Africa/Casablanca"}},
    )
    account = inventory.add_credentials(Credentials("alice", password))
    for i in range(first, first + n):
        kind = EntryKind.LIVE if i % 2 == 0 else EntryKind.FILM
        inventory.entries.append(
            Entry(
                kind=kind,
                key=f"{kind.value}:{i}",
                name=f"FR| CHANNEL {i}" + (" (new name)" if i - first < renamed else ""),
                group="FR | SPORTS" if i % 3 else "AR | BEIN",
                url=f"http://panel.test:8080/{kind.value}/{{username}}/{{password}}/{i}.ts",
                credential=account,
                stream_id=str(i),
                extra={"catchup": "default"} if i % 5 == 0 else {},
            )
        )
    return inventory
