"""Which iptv-org channel a pirate panel's channel name is, or ``None`` when unsure.

:class:`ChannelMatcher` is built once over the registry (:mod:`~.index`), persisted with
:meth:`~ChannelMatcher.serialize`, and asked one name at a time or in bulk. A name is
normalised (:mod:`.names`), its country and language hints are gathered from the name,
the group title and the caller (here), each of its readings is looked up and scored
(:mod:`~.scoring`), and a calibrated confidence (:mod:`~.ranking`) decides
between an answer and an abstention. ``docs/identify.md`` describes the method and how the
calibration was fitted.
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from castwatch.catalog.registry import ChannelRecord, Identification
from castwatch.errors import RegistryError
from castwatch.identify.channels.callsigns import parse_call_sign
from castwatch.identify.channels.hints import NO_HINT, Hint, code_hint, word_hint
from castwatch.identify.channels.index import ChannelIndex, build_index
from castwatch.identify.channels.names import NormalizedName, normalize_channel_name
from castwatch.identify.channels.ranking import DEFAULT_CALIBRATION, Calibration, Ranking
from castwatch.identify.channels.scoring import Scorer

_ISO639_1_PAIRS = (
    "fr:fra en:eng ar:ara es:spa de:deu it:ita pt:por tr:tur ru:rus nl:nld pl:pol el:ell "
    "hi:hin ur:urd fa:fas ku:kur sq:sqi ro:ron sr:srp hr:hrv bs:bos uk:ukr sv:swe no:nor "
    "nb:nor da:dan fi:fin he:heb zh:zho ja:jpn ko:kor hu:hun cs:ces bg:bul"
)
_ISO639_1 = dict(pair.split(":") for pair in _ISO639_1_PAIRS.split())


_MAGIC = b"castwatch-channel-matcher\x00"
_FORMAT = 2  # 2: call signs and evidence features


def _language_hint(language: str) -> Hint:
    word = normalize_channel_name(language).key
    if len(word) == 3 and word.isalpha():
        return Hint(languages=frozenset({word}))
    if word in _ISO639_1:
        return Hint(languages=frozenset({_ISO639_1[word]}))
    found = code_hint(word)
    return Hint(languages=found.languages) if found else NO_HINT


@lru_cache(maxsize=4096)
def _group_hint(group: str) -> Hint:
    normalized = normalize_channel_name(group)
    hint = normalized.hint
    tokens = normalized.tokens
    for position, token in enumerate(tokens):
        # A group title's first or last word is a code even when it is also a word: "NO KIDS".
        ends = position in (0, len(tokens) - 1)
        found = code_hint(token) if ends else word_hint(token)
        if found is not None:
            hint = hint | found
    return hint


def resolve_hint(
    normalized: NormalizedName,
    country: str | None,
    language: str | None,
    group: str | None,
    country_languages: Mapping[str, tuple[str, ...]],
    country_names: Mapping[str, str],
    market: Hint | None = None,
) -> tuple[Hint, dict[str, list[str]]]:
    """Every hint about a name's country and language, and where each came from.

    ``market`` is the service's market (:func:`~.market.market_hint`): it stands in
    for a country or a language only where the name, its group and the caller gave none,
    since one entry's own ``FR|`` says more than what most of the service carries.
    """
    hint = normalized.hint
    sources: dict[str, list[str]] = {}
    if hint:
        sources["name"] = [n for n in normalized.notes if not n.startswith(("tags", "time"))]
    if country:
        found = code_hint(country.strip().lower()) or Hint(frozenset({country.strip().upper()}))
        hint = hint | found
        sources["country"] = [country]
    if language:
        hint = hint | _language_hint(language)
        sources["language"] = [language]
    if group:
        found = _group_hint(group)
        key = normalize_channel_name(group).tokens
        named = [country_names[t] for t in (*key, "".join(key)) if t in country_names]
        if named:
            found = found | Hint(frozenset(named))
        if found:
            hint = hint | found
            sources["group"] = [group]
    if market:
        own_area = bool(hint.countries or hint.regions)
        market_countries = market.countries
        if language and hint.languages and not own_area:
            # A Brazilian and Spanish-American guide: its Spanish names are not sold in BR.
            # A market country whose languages the name's own language is not among is
            # dropped for that name (countries with no language data are kept).
            market_countries = frozenset(
                code
                for code in market_countries
                if not country_languages.get(code)
                or hint.languages.intersection(country_languages[code])
            )
        taken = Hint(
            frozenset() if own_area else market_countries,
            frozenset() if own_area else market.regions,
            frozenset() if hint.languages else market.languages,
        )
        if taken:
            hint = hint | taken
            sources["market"] = sorted(taken.countries | taken.regions | taken.languages)
    languages = set(hint.languages)
    for code in hint.countries:
        languages.update(country_languages.get(code, ()))
    return Hint(hint.countries, hint.regions, frozenset(languages)), sources


class ChannelQuery(NamedTuple):
    """A name to identify, with what else the panel says about it."""

    name: str
    country: str | None = None
    language: str | None = None
    group: str | None = None
    #: The service's market (:func:`~.market.market_hint`), for every entry of it.
    market: Hint | None = None


class ChannelMatcher:
    """Identifies channel names against the iptv-org registry; abstains when unsure.

    Why a class: the index costs seconds to build and is shared by every name of a service.
    To extend it, add names to the index (:func:`~.index.build_index`), a feature to
    :class:`~.scoring.Scorer`, or an abbreviation to :mod:`abbreviations`; then refit
    the calibration with ``bench/eval_identify.py --fit`` and paste it into
    :data:`~.ranking.DEFAULT_CALIBRATION`.
    """

    def __init__(
        self,
        index: ChannelIndex,
        country_languages: Mapping[str, tuple[str, ...]],
        region_countries: Mapping[str, tuple[str, ...]],
        country_names: Mapping[str, str],
        calibration: Calibration = DEFAULT_CALIBRATION,
    ) -> None:
        self.index = index
        self.country_languages = dict(country_languages)
        self.region_countries = dict(region_countries)
        self.country_names = dict(country_names)
        self.calibration = calibration
        self._scorer = Scorer(index, self.region_countries)
        self._numbers: dict[str, int] | None = None

    @classmethod
    def build(
        cls,
        channels: Sequence[ChannelRecord],
        countries: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
        *,
        regions: Mapping[str, Sequence[str]] | None = None,
        calibration: Calibration = DEFAULT_CALIBRATION,
    ) -> ChannelMatcher:
        """Index ``channels`` (with their feeds attached).

        ``countries`` maps a country code to its name and ISO 639-3 languages (iptv-org
        ``countries.csv``): it lets a country hint match a feed's language and a group title
        name a country. ``regions`` maps a region code to its countries (``regions.csv``): it
        lets ``FR|`` match a feed broadcast to ``r/EUR``.
        """
        countries = countries or {}
        names = {
            normalize_channel_name(name).key: code.upper()
            for code, (name, _) in countries.items()
            if name
        }
        return cls(
            build_index(channels),
            {code.upper(): tuple(langs) for code, (_, langs) in countries.items()},
            {
                code.upper(): tuple(c.upper() for c in members)
                for code, members in (regions or {}).items()
            },
            names,
            calibration,
        )

    def serialize(self) -> bytes:
        """The matcher as bytes for a cache file; :meth:`deserialize` reads them back."""
        version = f"{sys.version_info[0]}.{sys.version_info[1]}".encode()
        payload = {
            "index": self.index.to_payload(),
            "country_languages": self.country_languages,
            "region_countries": self.region_countries,
            "country_names": self.country_names,
        }
        return _MAGIC + bytes([_FORMAT]) + version.ljust(8, b" ") + marshal.dumps(payload)

    @classmethod
    def deserialize(
        cls, data: bytes, calibration: Calibration = DEFAULT_CALIBRATION
    ) -> ChannelMatcher:
        """A matcher from :meth:`serialize`'s bytes, written by the same Python version."""
        head = len(_MAGIC)
        version = f"{sys.version_info[0]}.{sys.version_info[1]}".encode().ljust(8, b" ")
        if not data.startswith(_MAGIC) or data[head] != _FORMAT:
            raise RegistryError(
                "the cached channel matcher is not in this castwatch's format; delete the "
                "cache file and it will be rebuilt from the registry"
            )
        if data[head + 1 : head + 9] != version:
            raise RegistryError(
                "the cached channel matcher was written by another Python version; delete "
                "the cache file and it will be rebuilt from the registry"
            )
        try:
            payload: dict[str, Any] = marshal.loads(data[head + 9 :])
            index = ChannelIndex.from_payload(payload["index"])
        except (EOFError, ValueError, TypeError, KeyError) as exc:
            raise RegistryError(
                f"the cached channel matcher is damaged ({exc}); delete the cache file and it "
                "will be rebuilt from the registry"
            ) from exc
        return cls(
            index,
            payload["country_languages"],
            payload["region_countries"],
            payload["country_names"],
            calibration,
        )

    def channel_number(self, channel_id: str) -> int | None:
        """The index's number for an iptv-org channel id, ``None`` when it has no such id."""
        numbers = self._numbers
        if numbers is None:
            numbers = self._numbers = {c: n for n, c in enumerate(self.index.channel_ids)}
        return numbers.get(channel_id)

    def rank(
        self,
        name: str,
        country: str | None = None,
        language: str | None = None,
        group: str | None = None,
        market: Hint | None = None,
    ) -> Ranking:
        """Every channel the name may be, best first, with scores before calibration."""
        normalized = normalize_channel_name(name)
        hint, sources = resolve_hint(
            normalized,
            country,
            language,
            group,
            self.country_languages,
            self.country_names,
            market,
        )
        return self._scorer.rank(normalized, hint, sources, parse_call_sign(name))

    def match(
        self,
        name: str,
        country: str | None = None,
        language: str | None = None,
        group: str | None = None,
        market: Hint | None = None,
    ) -> Identification:
        """The channel ``name`` is, or ``target_id=None`` when confidence is below threshold.

        ``country`` (a country code) and ``language`` (ISO 639 code or English name) come
        from the service or the entry; ``group`` is the entry's group title, read for hints
        (``FR | SPORTS``); ``market`` is the whole service's market hint.
        """
        return self._identify(self.rank(name, country, language, group, market))

    def match_many(self, items: Iterable[str | ChannelQuery]) -> list[Identification]:
        """:meth:`match` for many names; repeated names are scored once."""
        done: dict[ChannelQuery, Identification] = {}
        out: list[Identification] = []
        for item in items:
            query = ChannelQuery(item) if isinstance(item, str) else item
            result = done.get(query)
            if result is None:
                result = done[query] = self.match(*query)
            out.append(result)
        return out

    def _identify(self, ranking: Ranking) -> Identification:
        calibration = self.calibration
        confidence = calibration.confidence(
            ranking.score, ranking.margin, ranking.tied, ranking.evidence(self.index)
        )
        why = ranking.explain(self.index)
        why["confidence"] = round(confidence, 4)
        why["threshold"] = calibration.threshold
        if ranking.best is None or confidence < calibration.threshold:
            if ranking.normalized.header:
                why["abstained"] = "a section header, not a channel"
            elif ranking.best is None:
                why["abstained"] = "no registry name shares enough with this name"
            elif ranking.tied > 1:
                why["abstained"] = (
                    f"{ranking.tied} channels answer to this name and nothing in it chooses; "
                    "a country (prefix, group title or country=) would"
                )
            else:
                why["abstained"] = "confidence below the threshold"
            return Identification("channel", None, confidence, why)
        channel_id = self.index.channel_ids[ranking.best.channel]
        return Identification("channel", channel_id, confidence, why, feed_id=ranking.feed_id)
