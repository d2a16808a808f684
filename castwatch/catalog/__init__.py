"""The shared model: services, snapshots, entries, endpoints. Plain typed data, no I/O."""

from castwatch.catalog.credentials import Credentials, redact_url, split_credentials
from castwatch.catalog.model import Endpoint, Entry, EntryKind, Inventory, ServiceKind

__all__ = [
    "Credentials",
    "Endpoint",
    "Entry",
    "EntryKind",
    "Inventory",
    "ServiceKind",
    "redact_url",
    "split_credentials",
]
