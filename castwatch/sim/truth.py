"""What the simulated panel's live streams really carry, and where their clean feeds play.

Every live entry restreams the channel its name says (:func:`hls.channel_keys`), except the
``SimConfig.swapped`` entries the seed picks: those carry another channel's programme, as a
mislabelled restream does. The monitoring checks compare castwatch's verdicts with
:func:`pirate_truth`; :func:`reference_list` is the list ``castwatch sim --json`` announces
as ``references_url``, the clean feed of every channel the panel restreams.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

#: Where the panel serves :func:`reference_list` (JSON).
REFERENCES_PATH = "/ref/index.json"


def swapped_streams(keys: Sequence[str], seed: int, count: int) -> dict[int, str]:
    """``{stream id: channel key it carries}`` for the ``count`` mislabelled live streams.

    A swapped stream carries the programme of another stream's channel (never its own), so
    its content contradicts its name. Picked by ``seed`` alone: the same panel, the same
    swaps.
    """
    distinct = sorted(set(keys))
    if count <= 0 or len(distinct) < 2:
        return {}
    rng = random.Random(f"swapped:{seed}")
    chosen = sorted(rng.sample(range(1, len(keys) + 1), min(count, len(keys))))
    swaps: dict[int, str] = {}
    for stream_id in chosen:
        own = keys[stream_id - 1]
        swaps[stream_id] = rng.choice([key for key in distinct if key != own])
    return swaps


def carried_key(keys: Sequence[str], swaps: dict[int, str], stream_id: int) -> str:
    """The channel whose programme live stream ``stream_id`` plays."""
    return swaps.get(stream_id, keys[stream_id - 1])


def pirate_truth(keys: Sequence[str], swaps: dict[int, str]) -> dict[str, Any]:
    """``{"streams": {"ID": {"carries": KEY, "claimed": KEY}}}`` for every live stream.

    ``claimed`` is the channel the stream's name says (the brand's iptv-org id, a filler's
    ``tvg-id``, or ``sim-live-ID`` for a filler without one); ``carries`` the channel it
    plays. Every simulated stream plays, so ``carries`` is never null here.
    """
    return {
        "streams": {
            str(stream_id): {"carries": carried_key(keys, swaps, stream_id), "claimed": key}
            for stream_id, key in enumerate(keys, start=1)
        }
    }


def reference_list(keys: Sequence[str], base_url: str) -> list[dict[str, str]]:
    """``[{"channel_id", "url"}]``: the clean feed of every channel the panel restreams."""
    from castwatch.sim.hls import reference_url

    return [
        {"channel_id": key, "url": reference_url(base_url, key)}
        for key in dict.fromkeys(keys)  # first-seen order, each channel once
    ]
