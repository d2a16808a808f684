"""Channel names as panels write them, reduced to the tokens that name the channel.

``FR| CANAL+ SPORT FHD ᴿᴬᵂ`` and ``Canal+ Sport`` must meet. :func:`normalize_channel_name`
folds the text (NFKC, small capitals, enclosed letters, accents, case, Arabic letter forms),
takes out what is not the name and keeps it as a hint (country and language codes in front,
behind or in brackets, flag emoji, quality and codec tags, a ``+1`` time shift), writes ``+``
as ``plus`` and splits the rest into tokens. Registry names go through the same function, so
what it strips from one side it strips from the other.

Two kinds of alternative come back as :attr:`NormalizedName.variants`: the name with a
stripped bare code kept (``AR RAHMA`` may be a channel called "Ar Rahma"), and the name with
the brand abbreviations of :mod:`castwatch.identify.channels.abbreviations` expanded. The
matcher tries them all. Results are cached: panels repeat the same name in many qualities.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from castwatch.identify.channels.abbreviations import expand
from castwatch.identify.channels.decorations import (
    Collected,
    is_header,
    strip_brackets,
    strip_prefixes,
    take_ends,
    take_tags,
)
from castwatch.identify.channels.hints import NO_HINT, Hint, code_hint, flag_country
from castwatch.identify.text import fold_channel_name


class Variant(NamedTuple):
    """Another reading of a name, and the rules that produced it."""

    tokens: tuple[str, ...]
    rules: tuple[str, ...]


class NormalizedName(NamedTuple):
    """The tokens that name a channel, and what was taken off around them.

    A named tuple rather than a dataclass: one is made for every name a panel lists, and
    tuples are made several times faster.
    """

    tokens: tuple[str, ...]
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    #: Quality, codec and copy tags, upper case (``HD``, ``HEVC``, ``BACKUP``).
    tags: tuple[str, ...] = ()
    #: Hours of a time-shifted feed (``+1``); it picks a feed, so it is kept apart.
    timeshift: int | None = None
    variants: tuple[Variant, ...] = ()
    #: What was done, for explanations: ``prefix:FR``, ``flag:FR``, ``timeshift:+1``.
    notes: tuple[str, ...] = ()
    #: A section header (``##### FRANCE #####``), not a channel at all.
    header: bool = False

    @property
    def key(self) -> str:
        """The tokens joined without spaces: ``CANALPLUS`` and ``CANAL PLUS`` share it."""
        return "".join(self.tokens)

    @property
    def hint(self) -> Hint:
        """Countries, regions and languages as one :class:`Hint`."""
        return Hint(frozenset(self.countries), frozenset(self.regions), frozenset(self.languages))


_FLAG = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_TIMESHIFT = re.compile(
    r"(?<![\w+])\+ ?(\d{1,2})(?:\s?h(?:ours?)?)?\b"  # "M6 +1", "(+2)", "+1 H"
    r"|(?<=[^\W\d_]\w|\w[^\W\d_])\+(\d{1,2})\b(?!\s*[^\W\d_]{3})"  # "E4+1", not "1+1 Kino"
)
_WORD = re.compile(r"\+|[^\W_]+")

_TRANSLIT = str.maketrans({
    **dict(zip("абвгдезиклмнопрстуфыэ", "abvgdeziklmnoprstufye", strict=True)),
    "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "",
    "ю": "yu", "я": "ya", "і": "i", "є": "ye", "ґ": "g", "ђ": "dj", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dz",
    **dict(zip("αβγδεζηικλμνξοπρσςτυφω", "avgdezikklmnxoprsstyfo", strict=True)),
    "θ": "th", "χ": "ch", "ψ": "ps",
})  # fmt: skip
_CYRILLIC_GREEK = re.compile("[\u0370-\u03ff\u0400-\u04ff]")


def _fold_with_flags(raw: str) -> tuple[str, tuple[str, ...]]:
    """``raw`` folded (:func:`~castwatch.identify.text.fold_channel_name`) and the countries
    of its flag emoji, which are taken out first: a flag is a hint, not part of the name."""
    if raw.isascii():
        return fold_channel_name(raw), ()
    flags: list[str] = []

    def take_flag(match: re.Match[str]) -> str:
        country = flag_country(match.group())
        if code_hint(country.lower()) is None:
            return match.group()  # two indicators that are no flag are letters (🇭🇩)
        flags.append(country)
        return " "

    return fold_channel_name(_FLAG.sub(take_flag, raw)), tuple(flags)


def transliterate(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Cyrillic and Greek tokens in Latin letters (``россия`` -> ``rossiya``)."""
    return tuple(t.translate(_TRANSLIT) for t in tokens)


def _plus_words(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        word = "plus" if word == "+" else word
        if word == "plus" and out and out[-1] == "plus":
            continue  # "Movistar Plus+" and "Movistar+" are one brand
        out.append(word)
    return out


#: Where words run together in camel case: ``SkySpMainEv``, ``ComedyCentHD``, ``TNTSBox``.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@lru_cache(maxsize=1 << 16)
def normalize_channel_name(raw: str) -> NormalizedName:
    """The channel-naming tokens of ``raw`` and the hints taken off around them.

    A name whose words run together in camel case (guides short of columns write
    ``SkySpMainEv``, ``ComedyCentHD``) is also read split at the capitals, as a variant:
    the name as written is still scored, and wins where it matches better.
    """
    found = _normalize(raw, True)
    if found.header or not _CAMEL.search(raw):
        return found
    split = _normalize(_CAMEL.sub(" ", raw), True)
    if not split.tokens or split.tokens == found.tokens:
        return found
    rule = ("camel case split",)
    seen = {found.tokens, *(v.tokens for v in found.variants)}
    extra = [
        Variant(v.tokens, rule + v.rules)
        for v in (Variant(split.tokens, ()), *split.variants)
        if v.tokens not in seen
    ]
    return found._replace(
        variants=(*found.variants, *extra),
        tags=found.tags or split.tags,
        timeshift=found.timeshift or split.timeshift,
    )


def normalize_registry_name(raw: str) -> NormalizedName:
    """A registry name's tokens: as :func:`normalize_channel_name`, but a country word at
    either end stays (``Rotana Cinema KSA``, ``Euronews German`` are names, not tags)."""
    return _normalize(raw, False)


@lru_cache(maxsize=1 << 16)
def _normalize(raw: str, bare_codes: bool) -> NormalizedName:
    text, flags = _fold_with_flags(raw)
    found = Collected()
    for country in flags:
        found.code(country, code_hint(country.lower()) or NO_HINT, "flag")
    if is_header(text, _WORD.findall):
        return NormalizedName(tokens=(), header=True, notes=("section header",))
    if "+" in text:
        shift = _TIMESHIFT.search(text)
        if shift is not None and 0 < int(shift.group(1) or shift.group(2)) <= 72:
            found.timeshift = int(shift.group(1) or shift.group(2))
            found.notes.append(f"timeshift:+{found.timeshift}")
            text = text[: shift.start()] + " " + text[shift.end() :]
    if "(" in text or "[" in text or "{" in text:
        text = strip_brackets(text, found)
    text = strip_prefixes(text, found)
    words = _plus_words(_WORD.findall(text))
    core = take_ends(take_tags(words, found), found, bare_codes)
    if not core:
        # Nothing but tags or codes ("HD", "FR"): those words are then the name.
        core = list(found.kept[0]) if found.kept else words
    tokens = tuple(core)
    kept = [*found.kept, *((code, *tokens) for code in found.glued)]
    if found.tags:
        found.notes.append("tags:" + ",".join(found.tags))
    return NormalizedName(
        tokens=tokens,
        countries=tuple(sorted(found.hint.countries)),
        regions=tuple(sorted(found.hint.regions)),
        languages=tuple(sorted(found.hint.languages)),
        tags=tuple(found.tags),
        timeshift=found.timeshift,
        variants=_variants(tokens, kept),
        notes=tuple(found.notes),
    )


def _variants(tokens: tuple[str, ...], kept: list[tuple[str, ...]]) -> tuple[Variant, ...]:
    seen = {tokens}
    out: list[Variant] = []

    def add(candidate: tuple[str, ...], rules: tuple[str, ...]) -> None:
        if candidate and candidate not in seen:
            seen.add(candidate)
            out.append(Variant(candidate, rules))

    expanded, rules = expand(tokens)
    add(expanded, rules)
    for whole in kept:
        add(whole, ("code kept as part of the name",))
        expanded, rules = expand(whole)
        add(expanded, ("code kept as part of the name", *rules))
    joined = " ".join(tokens)
    if not joined.isascii() and _CYRILLIC_GREEK.search(joined):
        add(transliterate(tokens), ("transliterated",))
    return tuple(out)
