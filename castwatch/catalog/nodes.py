"""Graph nodes of the attribution model, and the one normalisation every layer shares.

``Example.TV.`` and ``example.tv`` must be one node whether the graph is built in memory
(``castwatch/attribute/graph.py``) or in the database (``attribute/store.py``),
so both call :func:`node_key`; :func:`fact_key` names one observed fact so that seeing it
again moves its ``last_seen`` instead of adding a row. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass

from castwatch.catalog.attribution import NodeKind, Observation

_ASN = re.compile(r"^(?:as)?\s*(\d+)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")


def node_key(kind: NodeKind, value: str) -> str:
    """The normalised key of a node, so one thing written two ways is one node."""
    text = value.strip()
    if kind is NodeKind.DOMAIN:
        return text.rstrip(".").lower()
    if kind is NodeKind.IP:
        try:
            return ipaddress.ip_address(text.strip("[]")).compressed
        except ValueError:
            return text.lower()
    if kind is NodeKind.ASN:
        match = _ASN.match(text)
        return f"AS{int(match.group(1))}" if match else text.upper()
    if kind is NodeKind.CERTIFICATE:
        return text.replace(":", "").lower()
    if kind in (NodeKind.CONTACT, NodeKind.PAYMENT):
        # Wallet addresses are case-sensitive (base58); e-mail addresses and handles are not.
        if _EMAIL.match(text) or text.startswith("@"):
            return text.lower()
        if kind is NodeKind.CONTACT and _PHONE.match(text):
            return ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)
        return text
    if kind is NodeKind.ORGANISATION:
        return _SPACES.sub(" ", text).casefold()
    return text


def fact_key(observation: Observation) -> str:
    """A 32-hex digest naming one fact, whoever saw it when: re-observations collapse."""
    parts = (
        observation.subject_kind.value,
        node_key(observation.subject_kind, observation.subject),
        observation.relation,
        observation.value_kind.value if observation.value_kind else "",
        node_key(observation.value_kind, observation.value)
        if observation.value_kind
        else observation.value,
        observation.source,
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


@dataclass(slots=True, frozen=True, order=True)
class Node:
    """A node of the graph: its kind and normalised key."""

    kind: NodeKind
    key: str

    @classmethod
    def of(cls, kind: NodeKind, value: str) -> Node:
        return cls(kind, node_key(kind, value))

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.key}"
