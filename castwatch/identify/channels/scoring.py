"""How a channel name is scored against the index.

For each reading of a name (as written, abbreviations expanded, a code kept, joined words),
:class:`Scorer` turns the tokens into slots of weighted alternatives (typos, splits), gathers
candidate entries from the postings of the rarest stems, then scores the best few on:
IDF-weighted token overlap (Dice), similarity of the joined keys (for typos and spacing),
numbers that must agree (``BEIN SPORTS 1`` is not ``2``), time shift and quality tags carried
by registry names, the country and language hints against the channel's country and its
feeds' broadcast areas and languages, and small penalties for closed channels and for
readings that needed a rule. A channel's score is its best entry's; the result is a
:class:`~.ranking.Ranking`, which also says the implied feed.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import replace
from typing import NamedTuple

# rapidfuzz is a runtime dependency for this one call: the Indel similarity of two joined
# keys, in C, at well under a microsecond; the pure-Python alternatives cost 20 times more
# and this runs for every candidate of every name.
from rapidfuzz.fuzz import ratio

from castwatch.identify.channels.callsigns import CallSign
from castwatch.identify.channels.hints import GEO_WORDS, Hint, is_country_name
from castwatch.identify.channels.index import KIND_ALT, KIND_VARIANT, ChannelIndex, FeedInfo, stem
from castwatch.identify.channels.names import NormalizedName, Variant
from castwatch.identify.channels.ranking import TIE, Ranking, Scored

_CANDIDATES = 16
#: Postings at most this long make a word rare enough to be suspected of being a typo.
_RARE = 2
#: Postings at least this long make a word common enough to be what a typo meant.
_COMMON = 20
_TYPO_WEIGHT = 0.8
_SPLIT_WEIGHT = 0.95
#: Postings up to this long are always walked; longer ones only test known candidates.
_SCAN_LIMIT = 1500
_MEMO_SIZE = 4096
_MEMO_HEAD = 64
#: A family member may be this far below its parent and still be preferred for the hint.
_FAMILY_GAP = 0.6
#: How far ahead of the family's next fitting member the chosen one must be.
_FAMILY_MARGIN = 0.03
#: A family is gathered only for names whose rarest word is on at most this many entries.
_FAMILY_POSTINGS = 600
#: A region of more countries than this (a continent, the world) says too little to match
#: a channel through the countries it shares with the region.
_WIDE_REGION = 30
#: The most :meth:`Scorer._adjust` can add to a score (country, time shift, whole name, tags).
_MAX_BONUS = 0.06 + 0.03 + 0.03 + 0.02


class _Slot(NamedTuple):
    """One query token: the stems it may stand for (weighted), and its IDF if none matches."""

    alternatives: tuple[tuple[str, float], ...]
    mass: float


class Scorer:
    """Scores the readings of a name against the index; see the module doc for the features.

    To add a feature, compute it in :meth:`_adjust` from the entry and channel columns of
    :class:`ChannelIndex`, record it in ``adjustments`` (it shows in ``why``), and refit the
    calibration.
    """

    def __init__(self, index: ChannelIndex, region_countries: Mapping[str, tuple[str, ...]]):
        self.index = index
        self.region_countries = region_countries
        self._spreads: dict[frozenset[str], frozenset[str]] = {}
        # Panels list one channel in several qualities ("TF1 HD", "TF1 FHD", "TF1 ᴴᴰ"):
        # names that normalise alike are scored once.
        self._memo: dict[tuple[object, ...], Ranking] = {}

    def rank(
        self,
        normalized: NormalizedName,
        hint: Hint,
        sources: dict[str, list[str]],
        call_sign: CallSign | None = None,
    ) -> Ranking:
        """Score every reading of ``normalized`` and rank the channels."""
        memo_key = (normalized.tokens, normalized.variants, normalized.tags,
                    normalized.timeshift, hint, call_sign)  # fmt: skip
        done = self._memo.get(memo_key)
        if done is not None:
            return replace(done, normalized=normalized, hint_sources=sources)
        ranking = self._rank(normalized, hint, sources, call_sign)
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        # Only the head of the ranking is kept: the answer, the runner-up and the ties are
        # all there, and a small memo keeps the garbage collector's work small.
        self._memo[memo_key] = replace(ranking, ranked=ranking.ranked[:_MEMO_HEAD])
        return ranking

    def _rank(
        self,
        normalized: NormalizedName,
        hint: Hint,
        sources: dict[str, list[str]],
        call_sign: CallSign | None = None,
    ) -> Ranking:
        ranking = Ranking(normalized, hint, sources, [])
        if normalized.header:
            return ranking
        readings = [Variant(normalized.tokens, ()), *normalized.variants]
        joined = self._joined(normalized.tokens)
        if joined is not None:
            readings.append(joined)
        best: dict[int, Scored] = {}
        for reading in readings:
            self._score_reading(reading, ranking, best)
        if call_sign is not None:
            self._station(call_sign, normalized, ranking, best)
        ranking.ranked = sorted(best.values(), key=lambda s: s.score, reverse=True)
        if ranking.ranked and hint:
            self._prefer_member(ranking, readings)
        if ranking.ranked:
            ranking.feed_id = self._feed(ranking.ranked[0], normalized, hint)
        return ranking

    def _station(
        self,
        call_sign: CallSign,
        normalized: NormalizedName,
        ranking: Ranking,
        best: dict[int, Scored],
    ) -> None:
        """The station a call sign names, as the best candidate (see :mod:`~.callsigns`).

        The sub-channel picks among the station's channels (``-DT2``: ``x.2``; none: ``x.1``);
        a network word in the name (``NBC``) picks among stations sharing the sub-channel.
        """
        stations = self.index.call_signs.get(call_sign.call)
        if not stations:
            return
        fitting = [s for s in stations if s[1] == call_sign.subchannel]
        if not fitting and call_sign.subchannel == 1:
            fitting = stations  # the station's lowest sub-channel is its main one
        if not fitting:
            return
        words = set(normalized.tokens)
        chosen = next((s for s in fitting if s[3] and s[3] in words), fitting[0])
        entry = chosen[0]
        channel = self.index.entry_channel[entry]
        top = max((s.score for s in best.values()), default=0.0)
        area = self._area(channel, entry, ranking.hint) if ranking.hint else None
        if not call_sign.marked and (len(words) > 1 or (ranking.hint and area is None)):
            # A bare call sign ("KNTV") is sure only as the whole name and where the hint
            # allows a North American station: a Japanese guide's KNTV is another channel.
            return
        score = max(1.0, top + 2 * TIE)
        scored = Scored(channel, entry, score, Variant(normalized.tokens, ("call sign",)))
        scored.adjustments["call sign"] = round(score, 4)
        scored.area = area
        best[channel] = scored
        ranking.offer(channel, score)

    def _prefer_member(self, ranking: Ranking, readings: list[Variant]) -> None:
        """A family's member over its parent when only the member fits the hint.

        ``CNN`` on a guide for Mexico is rarely CNN (US): it is the member of the CNN family
        (every name that holds all of the name's words) broadcast there. The member wins only
        on evidence: the parent matches nothing of the hint, one member's country or region does,
        and that member is ahead of the family's other fitting members.
        """
        ranked = ranking.ranked
        best = ranked[0]
        if best.area in ("country", "region"):
            return  # the parent is broadcast where the hint points: it stays
        index = self.index
        wanted = [set(reading.tokens) for reading in readings if reading.tokens]
        members = [
            scored
            for scored in self._family(ranking, readings[0])
            if scored.area in ("country", "region")
            and scored.score >= best.score - _FAMILY_GAP
            and self._geographic_extension(wanted, index.entry_tokens[scored.entry])
        ]
        if not members:
            return
        members.sort(key=lambda s: (s.area == "country", s.score), reverse=True)
        chosen = members[0]
        if len(members) > 1:
            second = members[1]
            if second.area == chosen.area and chosen.score - second.score < _FAMILY_MARGIN:
                return  # two members fit alike: nothing chooses, the parent stays
        if self._shorter_name_fits(ranking, readings[0]):
            return  # "History" fits the hint where "History Channel" did not: no jump
        lift = best.score - chosen.score + TIE * 2
        chosen.adjustments["family member matches the hint"] = round(lift, 4)
        chosen.score += lift
        ranking.ranked = [chosen, *(s for s in ranked if s.channel != chosen.channel)]

    def _shorter_name_fits(self, ranking: Ranking, reading: Variant) -> bool:
        """Whether a channel named by part of the reading's words fits the hint's country.

        ``US| HISTORY CHANNEL``: ``History`` (US) is such a channel, and the ranking may have
        pruned it; a family member's ``International`` must not displace it.
        """
        index = self.index
        stems = {stem(t) for t in reading.tokens}
        hint = ranking.hint
        for token_stem in stems:
            entries = index.postings.get(token_stem, ())
            if len(entries) > _FAMILY_POSTINGS:
                continue
            for entry in entries:
                have = index.entry_stems[entry]
                if len(have) < len(stems) and stems.issuperset(have):
                    channel = index.entry_channel[entry]
                    if self._area(channel, entry, hint) in ("country", "region"):
                        return True
        return False

    def _family(self, ranking: Ranking, reading: Variant) -> list[Scored]:
        """Every channel with an entry holding all of ``reading``'s words, scored.

        The ranking's own pruning drops long names early (``Cartoon Network Latin America``
        cannot beat ``Cartoon Network`` on words alone), so the family is gathered here from
        the postings: the entries in every posting list of the reading's stems.
        """
        index = self.index
        stems = [stem(t) for t in reading.tokens]
        lists = sorted((index.postings.get(s, ()) for s in stems), key=len)
        if not lists or not lists[0] or len(lists[0]) > _FAMILY_POSTINGS:
            return []
        common = set(lists[0]).intersection(*lists[1:])
        slots = self._slots(reading, [])
        key = "".join(reading.tokens)
        numbers = frozenset(a for slot in slots for a, _ in slot.alternatives[:1] if a.isdigit())
        found: dict[int, Scored] = {s.channel: s for s in ranking.ranked[1:]}
        for entry in sorted(common):
            channel = index.entry_channel[entry]
            scored = Scored(channel, entry, self._base(entry, slots, key), reading)
            self._adjust(scored, numbers, ranking)
            current = found.get(channel)
            if current is None or scored.score > current.score:
                found[channel] = scored
        return sorted(found.values(), key=lambda s: s.score, reverse=True)

    def _geographic_extension(self, wanted: list[set[str]], tokens: tuple[str, ...]) -> bool:
        """``tokens`` hold every word of a reading, and the rest only says where (a feed).

        ``CNN International``, ``Cartoon Network Latin America`` are where-feeds of their
        parents; ``MBC Masr Drama`` is another channel, so it never displaces ``MBC Masr``.
        """
        have = set(tokens)
        for words in wanted:
            if words <= have:
                extra = have - words
                if extra and all(w in GEO_WORDS or is_country_name(w) for w in extra):
                    return True
        return False

    def _joined(self, tokens: tuple[str, ...]) -> Variant | None:
        postings = self.index.postings
        out: list[str] = []
        changed = False
        for token in tokens:
            if out and stem(out[-1] + token) in postings and stem(token) not in postings:
                out[-1] += token
                changed = True
            elif out and len(out[-1]) <= 3 and stem(out[-1] + token) in postings:
                out[-1] += token  # "TF 1", "AL JAZEERA": a short word glued to the next
                changed = True
            else:
                out.append(token)
        return Variant(tuple(out), ("joined words",)) if changed else None

    def _slots(self, reading: Variant, rewrites: list[str]) -> list[_Slot]:
        """Each token as the stems it may stand for, with weights (see :class:`_Slot`)."""
        index = self.index
        postings, idf = index.postings, index.idf
        slots: list[_Slot] = []
        for token in reading.tokens:
            token_stem = stem(token)
            if token_stem in postings:
                alternatives = [(token_stem, 1.0)]
                if len(postings[token_stem]) <= _RARE and not token_stem.isdigit():
                    # A word only one or two registry names have may be a typo of a common
                    # one ("SPRTS" is a registry word too): offer the common word as well.
                    common = [n for n in index.near(token_stem) if len(postings[n]) >= _COMMON]
                    common.sort(key=lambda n: -len(postings[n]))
                    alternatives += [(n, _TYPO_WEIGHT) for n in common[:3]]
                slots.append(_Slot(tuple(alternatives), idf[token_stem]))
                continue
            near = sorted(index.near(token_stem), key=lambda n: -len(postings[n]))[:4]
            if near:
                slots.append(_Slot(tuple((n, _TYPO_WEIGHT) for n in near), index.default_idf))
                rewrites.append(f"typo {token} -> {'/'.join(near)}")
                continue
            parts = index.split_known(token)
            if parts is not None:
                slots.extend(_Slot(((part, _SPLIT_WEIGHT),), idf[part]) for part in parts)
                rewrites.append(f"split {token} -> {' '.join(parts)}")
                continue
            # A word no registry name has counts against every candidate.
            slots.append(_Slot((), index.default_idf))
        return slots

    def _score_reading(self, reading: Variant, ranking: Ranking, best: dict[int, Scored]) -> None:
        index = self.index
        slots = self._slots(reading, ranking.rewrites)
        key = "".join(reading.tokens)
        exact = index.keys.get(key, ())
        weights: dict[str, float] = {}
        for slot in slots:
            for alternative, weight in slot.alternatives:
                weights[alternative] = max(weight, weights.get(alternative, 0.0))
        if not weights and not exact:
            return
        postings, idf, entry_stems = index.postings, index.idf, index.entry_stems
        found: dict[int, float] = {}
        for token_stem in sorted(weights, key=lambda s: len(postings[s])):
            weight = idf[token_stem] * weights[token_stem]
            ids = postings[token_stem]
            if found and len(ids) > max(_SCAN_LIMIT, 4 * len(found)):
                # A very common word ("tv", "1") after rarer ones: test the candidates found
                # so far rather than walk thousands of postings.
                for entry in found:
                    if token_stem in entry_stems[entry]:
                        found[entry] += weight
            else:
                for entry in ids:
                    found[entry] = found.get(entry, 0.0) + weight
        mass = index.entry_mass
        rough = sum(slot.mass for slot in slots)
        ranked = heapq.nlargest(
            _CANDIDATES * 8, [(v / (rough + mass[e]), e) for e, v in found.items()]
        )
        # The best few distinct names, with every channel that bears them: same-name
        # channels of other countries must all be there for the hints to choose.
        names: dict[str, None] = dict.fromkeys(index.entry_key[e] for e in exact)
        for _, entry in ranked:
            if len(names) >= _CANDIDATES:
                break
            names[index.entry_key[entry]] = None
        keys = index.keys
        bases = sorted(
            ((self._base(entry, slots, key), entry) for name in names for entry in keys[name]),
            reverse=True,
        )
        numbers = frozenset(a for slot in slots for a, _ in slot.alternatives[:1] if a.isdigit())
        channel_of = index.entry_channel
        for base, entry in bases:
            # Adjustments add at most _MAX_BONUS: an entry that cannot reach the current
            # runner-up changes neither the answer nor its margin.
            if base + _MAX_BONUS < ranking.floor:
                break
            scored = Scored(channel_of[entry], entry, base, reading)
            self._adjust(scored, numbers, ranking)
            current = best.get(scored.channel)
            if current is None or scored.score > current.score:
                best[scored.channel] = scored
                ranking.offer(scored.channel, scored.score)

    def _base(self, entry: int, slots: list[_Slot], key: str) -> float:
        """Token overlap (IDF-weighted Dice over the slots) blended with key similarity."""
        index = self.index
        stems = index.entry_stems[entry]
        idf = index.idf
        matched = query_mass = 0.0
        for slot in slots:
            for alternative, weight in slot.alternatives:
                if alternative in stems:
                    matched += idf[alternative] * weight
                    query_mass += idf[alternative]
                    break
            else:
                query_mass += slot.mass
        dice = 2.0 * matched / (query_mass + index.entry_mass[entry]) if query_mass else 0.0
        entry_key = index.entry_key[entry]
        if key == entry_key:
            return max(0.65 * dice + 0.35, 0.97)
        return 0.65 * dice + 0.35 * ratio(key, entry_key) / 100.0

    def _adjust(self, scored: Scored, numbers: frozenset[str], ranking: Ranking) -> None:
        index, entry, channel = self.index, scored.entry, scored.channel
        adjust = scored.adjustments
        entry_numbers = index.entry_numbers[entry]
        if numbers != entry_numbers:
            # Numbers name different channels (beIN Sports 1 and 2): a strong penalty.
            adjust["numbers differ"] = -min(0.4, 0.2 * len(numbers ^ entry_numbers))
        shift = index.entry_timeshift[entry]
        if shift and shift != (ranking.normalized.timeshift or 0):
            adjust["time shift differs"] = -0.1
        elif shift:
            adjust["time shift matches"] = 0.03
        entry_tags = index.entry_tags[entry]
        if entry_tags:
            shared = set(entry_tags) & set(ranking.normalized.tags)
            adjust["quality tags"] = 0.02 if shared else -0.04
        if scored.reading.rules:
            # The name read with a code kept or an abbreviation expanded: when the words that
            # reading adds are all in the registry name, the whole name is explained.
            added = set(scored.reading.tokens).difference(ranking.normalized.tokens)
            if added and added.issubset(index.entry_tokens[entry]):
                adjust["whole name matches"] = 0.03
            else:
                adjust["reading needed a rule"] = -0.02
        kind = index.entry_kind[entry]
        if kind == KIND_VARIANT:
            adjust["registry name variant"] = -0.02
        elif kind == KIND_ALT:
            adjust["alt name"] = -0.005
        if index.channel_closed[channel]:
            adjust["closed"] = -0.03
        hint = ranking.hint
        if hint:
            area = self._area(channel, entry, hint)
            scored.area = area
            if area == "country":
                adjust["country hint matches"] = 0.06
            elif area == "region":
                adjust["region hint matches"] = 0.03
            elif area == "language":
                adjust["language hint matches"] = 0.02
            else:
                adjust["hint does not match"] = -0.03
        scored.score += sum(adjust.values())

    def _area(self, channel: int, entry: int, hint: Hint) -> str | None:
        index = self.index
        countries = hint.countries
        if countries and (
            countries.intersection(index.channel_countries[channel])
            or countries.intersection(index.entry_countries[entry])
        ):
            return "country"
        regions = index.channel_regions[channel]
        if regions:
            if hint.regions.intersection(regions):
                return "region"
            for region in regions:
                if countries.intersection(self.region_countries.get(region, ())):
                    return "region"
        if hint.regions:
            # Regions overlap by their countries: a Hispanic-American market (r/HISPAM) is
            # where a feed sold to c/MX, c/CO and r/CENAMER is broadcast.
            spread = self._region_spread(hint.regions)
            if spread.intersection(index.channel_countries[channel]) or any(
                spread.intersection(self.region_countries.get(region, ())) for region in regions
            ):
                return "region"
        if hint.languages.intersection(index.channel_languages[channel]):
            return "language"
        return None

    def _region_spread(self, regions: frozenset[str]) -> frozenset[str]:
        """The countries of ``regions``, leaving out those wider than :data:`_WIDE_REGION`."""
        spread = self._spreads.get(regions)
        if spread is None:
            spread = frozenset(
                code
                for region in regions
                if len(members := self.region_countries.get(region, ())) <= _WIDE_REGION
                for code in members
            )
            self._spreads[regions] = spread
        return spread

    def _feed(self, scored: Scored, normalized: NormalizedName, hint: Hint) -> str | None:
        """The feed the name implies: by a feed name, a time shift, a country, a quality."""
        index = self.index
        feeds = [FeedInfo(*f) for f in index.channel_feeds[scored.channel]]
        position = index.entry_feed[scored.entry]
        if position >= 0:
            return feeds[position].feed_id
        if len(feeds) < 2:
            return None
        if normalized.timeshift:
            for feed in feeds:
                if feed.timeshift == normalized.timeshift:
                    return feed.feed_id
        plain = [feed for feed in feeds if not feed.timeshift]
        qualities = {"UHD" if t in ("4K", "8K") else "HD" if t == "FHD" else t
                     for t in normalized.tags}  # fmt: skip
        if hint.countries or hint.regions:
            matching = [
                feed for feed in plain
                if hint.countries.intersection(feed.countries)
                or hint.regions.intersection(feed.regions)
            ]  # fmt: skip
            # A hint implies a feed when it points at one feed other than the main one
            # (beIN Sports 1 in France); confirming the main feed implies nothing.
            if matching and len(matching) < len(plain):
                narrowed = [f for f in matching if f.quality in qualities] or matching
                if len(narrowed) == 1 and not narrowed[0].is_main:
                    return narrowed[0].feed_id
                return None
        for feed in plain:
            if feed.quality and feed.quality in qualities and feed.quality != "SD":
                return feed.feed_id
        return None
