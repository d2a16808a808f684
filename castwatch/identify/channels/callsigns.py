"""US and Canadian stations named by call sign: ``NBC (WCAU) Philadelphia, PA``, ``WPBN-DT2``.

Guides name a local station by its network and call sign, or by the call sign and a digital
sub-channel; iptv-org names the same station ``WCAU 10.1`` or ``WZZM-DT8`` (ids ``WCAU101.us``).
No token overlap links ``NBC (WCAU) Philadelphia, PA HD`` to ``WCAU 10.1``: the call sign
does. :func:`station_key` reads a registry name as (call sign, sub-channel, major channel);
:func:`parse_call_sign` reads a guide's name; the scorer looks the call sign up in the index
(:attr:`ChannelIndex.call_signs`) and offers the station's channel as a candidate.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# K and W are US call signs, C Canadian; 3 letters are the old stations (WGN, KYW).
_CALL = r"[KWC][A-Z]{2,3}"
_SUFFIX = r"TV|DT|LD|CD|CA|HD"
_REGISTRY = re.compile(rf"^({_CALL})(?:-({_SUFFIX})(\d{{0,2}}))?(?:\s+(\d{{1,3}})\.(\d{{1,2}}))?$")
_GUIDE = re.compile(
    rf"(?<![A-Za-z0-9])(\()?({_CALL})(?:-({_SUFFIX})(\d{{0,2}}))?(?:\s+\d{{1,3}}\.(\d{{1,2}}))?"
    r"(?![A-Za-z0-9])"
)


class CallSign(NamedTuple):
    """A call sign read from a guide's name, the sub-channel it names, and how it was written."""

    call: str
    subchannel: int
    #: Written in brackets or with a ``-TV``/``-DT2`` suffix: surely a call sign.
    marked: bool


def station_key(name: str) -> tuple[str, int, int] | None:
    """(call sign, sub-channel, major channel) of a registry name, if it is a station's."""
    found = _REGISTRY.match(name.strip())
    if found is None:
        return None
    call, suffix, digits, major, minor = found.groups()
    if minor is not None:
        return call, int(minor), int(major)
    if suffix is None:
        return None  # a bare four-letter name ("KISS") is a brand as often as a station
    return call, int(digits) if digits else 1, 0


def parse_call_sign(name: str) -> CallSign | None:
    """The first call sign in a guide's channel name (see :class:`CallSign`), if any."""
    for found in _GUIDE.finditer(name):
        bracket, call, suffix, digits, minor = found.groups()
        if suffix is not None and re.match(r"-\d", name[found.end() :]):
            return None  # "CHBC-DT-1": a rebroadcast transmitter, named as such in iptv-org
        marked = bool(bracket) or suffix is not None
        if len(call) == 3 and not marked:
            continue  # three capitals alone are an acronym far more often than a station
        if minor is not None:
            subchannel = int(minor)
        elif suffix == "DT" and digits:
            subchannel = int(digits)
        else:
            subchannel = 1
        return CallSign(call, subchannel, marked)
    return None
