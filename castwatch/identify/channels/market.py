"""A service's market: the countries and languages most of its channels are from.

A guide or a panel for Mexico lists ``CNN``, ``TNT`` and ``Discovery Kids`` with no country
on them, yet it means the feeds sold in Mexico. :func:`market_hint` reads the market off the
service itself, in two parts: the country and language codes its names and group titles carry
(``MX|``, ``LATINO``), and where the channels a first pass identifies with confidence are
broadcast (their feeds' countries and regions). :func:`identify_with_market` then identifies
every entry again with that market as the hint of the entries that carry none of their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from castwatch.catalog.registry import Identification
from castwatch.identify.channels.hints import Hint
from castwatch.identify.channels.matcher import ChannelMatcher, ChannelQuery

#: A country or language is part of the market when at least this share of the evidence
#: (confident answers, or names carrying a hint) points at it.
MARKET_SHARE = 0.2
#: At most this many countries and languages make a market: past that it is no market.
MARKET_SIZE = 3
#: Fewer confident answers than this say nothing about a market.
MIN_EVIDENCE = 2
_SHARED = frozenset({"same name elsewhere (log)", "family members (log)"})


def _dominant(counts: Counter[str]) -> frozenset[str]:
    total = sum(counts.values())
    if total < MIN_EVIDENCE:
        return frozenset()
    return frozenset(
        code
        for code, count in counts.most_common(MARKET_SIZE)
        if count >= MIN_EVIDENCE and count / total >= MARKET_SHARE
    )


def market_hint(
    matcher: ChannelMatcher,
    queries: Sequence[ChannelQuery],
    first_pass: Sequence[Identification] | None = None,
) -> Hint:
    """The dominant countries and languages of a service's channel names (see module doc).

    ``first_pass`` is :meth:`ChannelMatcher.match_many` of ``queries`` when the caller has it.
    """
    found = first_pass if first_pass is not None else matcher.match_many(queries)
    if len(found) != len(queries):
        raise ValueError("first_pass must hold one identification per query")
    countries: Counter[str] = Counter()
    named: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    for result in found:
        hints = result.why.get("hints", {})
        origin = hints.get("from", {})
        if "name" in origin or "group" in origin:
            named.update(hints.get("countries", ()))
            languages.update(hints.get("languages", ()))
        evidence = result.why.get("evidence", {})
        if result.target_id and not evidence.keys() & _SHARED:
            # A name that channels of other countries bear too (HGTV, Cartoon Network) says
            # nothing of the market: counting it would make the first pass's guess its own
            # evidence. The rest count where their feed is broadcast, not the country their
            # id ends in: "HBO Latin America" is HBOLatinAmerica.us, sold in r/LATAM.
            area_countries, area_regions = _broadcast(matcher, result)
            countries.update(area_countries)
            regions.update(area_regions)
    return Hint(
        _dominant(countries) | _dominant(named),
        _dominant(regions),
        _dominant(languages),
    )


def _broadcast(
    matcher: ChannelMatcher, result: Identification
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The countries and regions the identified feed (else the main feed) is broadcast to.

    A feed sold in more than :data:`MARKET_SIZE` countries says only its regions.
    """
    index = matcher.index
    channel = matcher.channel_number(result.target_id or "")
    if channel is None:
        return (), ()
    feeds = [index.feed(channel, i) for i in range(len(index.channel_feeds[channel]))]
    chosen = next((f for f in feeds if f.feed_id == result.feed_id), None)
    chosen = chosen or next((f for f in feeds if f.is_main), None)
    if chosen is None or not (chosen.countries or chosen.regions):
        own = index.channel_ids[channel].rsplit(".", 1)
        return ((own[1].upper(),) if len(own) == 2 else ()), ()
    if len(chosen.countries) > MARKET_SIZE:
        return (), chosen.regions
    return chosen.countries, chosen.regions


def identify_with_market(
    matcher: ChannelMatcher, queries: Sequence[ChannelQuery]
) -> tuple[list[Identification], Hint]:
    """Every query identified with the service's market as a fallback hint, and the market."""
    queries = list(queries)
    first = matcher.match_many(queries)
    market = market_hint(matcher, queries, first)
    if not market:
        return first, market
    return matcher.match_many(q._replace(market=market) for q in queries), market
