"""Pirate film and episode names taken apart: clean title, year, season, episode and tags.

Panels wrap a title in country prefixes (``FR -``, ``|FR|``, ``NF -``), language and release
tags (``MULTI``, ``VOSTFR``, ``1080p``, ``x265-GROUP``), years in every bracket and episode
markers in several languages (``S01E03``, ``1x03``, ``Saison 1 Épisode 3``,
``الموسم 1 الحلقة 3``). :func:`parse_title` undoes that and says what it removed;
:func:`~castwatch.identify.works.keys.title_key` then folds the title into the key that
``works.matcher`` indexes.

The rules, in the order they run: an episode marker splits the series title from the episode
title; a bracketed year ends the title (what follows is release junk); brackets that hold only
tags go; tags are peeled from both ends, where a tag that is also an ordinary word
(``FRENCH``, ``CAM``) goes only when written in capitals among lower-case words or next to
other tags; a bare trailing year is a year only when a title remains (``1917`` stays a title).
Where a rule had to guess, the other reading goes to :attr:`ParsedTitle.alternatives` for
the matcher to try. To teach a tag, add it to the table of its family in :data:`_TAG_WORDS`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from castwatch.identify.works.keys import ARTICLES, WORD

MIN_YEAR = 1888
#: Release years up to two years ahead: panels list announced films.
MAX_YEAR = date.today().year + 2


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The tables below are data; one item per line would triple the module for nothing.
# fmt: off
#: Tag words by family, upper-cased. Words that are also ordinary words are in _WEAK.
_TAG_WORDS: dict[str, str] = {
    "language": "MULTI MULTI-AUDIO MULTILANG MULTISUB MULTISUBS MULTIVF VOSTFR VOSTA VOSTENG "
    "VOST VOSTE VOSE VO VF VFF VFQ VFI VF2 VFB TRUEFRENCH SUBFRENCH FRENCHSUB FRENCH ENGLISH "
    "ARABIC SPANISH GERMAN ITALIAN TURKISH HINDI KOREAN JAPANESE LATINO CASTELLANO DUAL "
    "DUAL-AUDIO DUALAUDIO DUBBED DUB SUBBED SUB SUBS SUBESP SUBITA ENG ITA GER SPA ESP FRA ARA "
    "TUR POR RUS VOSTAR NORDIC DOUBLÉ DOUBLE STFR مدبلج مدبلجة مترجم مترجمة",
    "quality": "2160P 1440P 1080P 1080I 720P 576P 480P 360P 4K 8K UHD FHD HD SD HQ LQ HDR "
    "HDR10 HDR10+ HDR10PLUS DV DOVI SDR 10BIT 8BIT 12BIT HDLIGHT MHD 4KLIGHT 3D IMAX "
    "H264 H.264 H265 H.265 X264 X265 HEVC AVC AV1 XVID DIVX VP9 "
    "WEB-DL WEBDL WEB.DL DL WEBRIP WEB-RIP WEB BLURAY BLU-RAY BDRIP BRRIP BD BDREMUX REMUX "
    "DVDRIP DVD DVDR HDTV HDRIP PDTV SATRIP TVRIP VHSRIP CAM HDCAM CAMRIP TS HDTS TELESYNC TC "
    "TELECINE SCR SCREENER DVDSCR R5 WORKPRINT AAC AC3 EAC3 DD DDP DD+ DTS DTS-HD TRUEHD "
    "ATMOS FLAC MP3 OPUS",
    "provider": "NF NETFLIX AMZ AMZN AMAZON PRIME DSNP DISNEY+ HMAX HBO HBOMAX MAX ATVP "
    "APPLETV APPLETV+ HULU PCOK PEACOCK PMTP PARAMOUNT+ CRAV STAN OSN SHAHID STARZ MYCANAL "
    "CANAL+ CRUNCHYROLL ADN",
    "edition": "EXTENDED UNRATED UNCUT REMASTERED RESTORED THEATRICAL CRITERION REPACK PROPER "
    "RERIP INTERNAL LIMITED COMPLETE INTEGRALE INTÉGRALE DC",
    "label": "VOD FILM FILMS MOVIE MOVIES SERIE SERIES SÉRIE SÉRIES TV KIDS NEW NOUVEAU "
    "NOUVEAUTE NOUVEAUTÉ TOP VIP HOT EXCLU EXCLUSIVE PREMIUM",
}
#: Tags that are also ordinary words in titles: removed only when the context says tag.
_WEAK = _words(
    "FRENCH ENGLISH ARABIC SPANISH GERMAN ITALIAN TURKISH HINDI KOREAN JAPANESE LATINO DUAL "
    "DUB SUB SUBS VO DOUBLE NORDIC 3D IMAX WEB CAM TS TC DD DL BD SCR DV AMAZON PRIME MAX STAN "
    "STARZ HBO EXTENDED UNRATED UNCUT REMASTERED RESTORED THEATRICAL CRITERION PROPER "
    "INTERNAL LIMITED COMPLETE DC FILM FILMS MOVIE MOVIES SERIE SERIES TV KIDS NEW NOUVEAU TOP "
    "VIP HOT PREMIUM"
)
#: Country and language codes panels put in front of a name (``FR -``, ``|AR|``).
_PREFIX_CODES = _words(
    "FR EN UK GB US USA AR ES DE IT PT BR TR NL BE CA QC CH MA DZ TN EG SA KSA AE LB IN PL RU "
    "GR SE NO DK FI RO AL EXYU EX-YU LAT LATAM MENA AF AFR ARAB FRA ENG ESP GER ITA KR JP CN "
    "HK IR PK EU INT ALB IL IQ SY JO KW QA OM BH YE LY SD MX CO AT NZ AU IE"
)
#: Codes that are also English words, kept when only a number would remain (``IT - 2017``).
_WORD_CODES = _words("IT US NO IN AT BE")
_EDITION_PHRASES = re.compile(
    r"(?i)(?<!\w)(director'?s'?\s+cut|extended\s+(?:cut|edition|version)|theatrical\s+cut|"
    r"final\s+cut|special\s+edition|ultimate\s+(?:cut|edition)|collector'?s?\s+edition|"
    r"version\s+(?:longue|int[ée]grale|restaur[ée]e)|unrated\s+cut|open\s+matte)(?!\w)"
)
_ARABIC_ORDINALS = {"الأول": 1, "الاول": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4,
                    "الخامس": 5, "السادس": 6, "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10}
# fmt: on

_TAGS: dict[str, str] = {
    word: family for family, words in _TAG_WORDS.items() for word in words.split()
}
_SEASON = r"(?:saison|season|temporada|staffel|stagione|seizoen|sezon|series)"
_EPISODE_WORD = r"(?:[ée]pisode|episodio|epis[oó]dio|cap[ií]tulo|folge|aflevering|b[öo]l[üu]m)"
_AR_SEASON = r"(?:الموسم|موسم)"
_AR_EPISODE = r"(?:الحلقة|حلقة)"
#: Episode markers, most specific first; groups are (season, episode), season may be empty.
_EPISODE_MARKERS = (
    re.compile(r"(?i)(?<!\w)S(\d{1,3})(?:[\s._-]{0,2}|x)EP?[\s.]?(\d{1,4})(?:-?E\d{1,4})*(?!\d)"),
    re.compile(r"(?i)(?<!\w)T(\d{1,2})[\s._-]?E(\d{1,3})(?!\d)"),
    re.compile(
        rf"(?i)(?<!\w){_SEASON}\s*(\d{{1,3}})[\s,.:_-]*(?:{_EPISODE_WORD}|EP|E)\.?\s*(\d{{1,4}})(?!\d)"
    ),
    re.compile(r"(?<!\w)(\d{1,2})[xX](\d{2,3})(?!\w)"),
    re.compile(rf"{_AR_SEASON}\s*(\d{{1,3}}|\w+)\s*[-–:,]?\s*{_AR_EPISODE}\s*(\d{{1,4}})"),
    re.compile(rf"(?i)(?<!\w)(){_EPISODE_WORD}\.?\s*(\d{{1,4}})(?!\w)"),
    re.compile(r"(?i)(?<!\w)()(?:EP\.?\s?|E)(\d{1,4})(?!\w)"),
    re.compile(rf"{_AR_EPISODE}\s*()(\d{{1,4}})"),
)
#: Whatever could start a marker below; no match means no marker.
_ANY_MARKER = re.compile(
    rf"(?i)(?<!\w)(?:[ST]\d|\d{{1,2}}x\d|{_SEASON}|{_EPISODE_WORD}|EP\.?\s?\d|E\d)"
    rf"|{_AR_SEASON}|{_AR_EPISODE}"
)
_SEASON_ONLY = (
    re.compile(rf"(?i)(?<!\w){_SEASON}\s*(\d{{1,3}})(?!\w)"),
    re.compile(r"(?i)(?<!\w)S(\d{1,2})(?!\w)"),
    re.compile(rf"{_AR_SEASON}\s*(\d{{1,3}}|\w+)"),
)
_YEAR = re.compile(r"^(?:1[89]\d\d|20\d\d)$")
_BRACKETS = re.compile(r"[(\[{]([^()\[\]{}]{0,120})[)\]}]|[\"“]([^\"“”]{1,60})[\"”]")
_OPENERS = str.maketrans("【「『〔⟦〈⟨《«［（｛】」』〕⟧〉⟩》»］）｝", "[[[[[[[[[[({]]]]]]]]]])}")
_PAD = re.compile(r"\s*\|\s*|(?<=\s)-(?=\S)|(?<=\S)-(?=\s|$)|:(?=\s|$)|^-|[–—]")
_CODE_COLON = re.compile(r"^([A-Z0-9+\-]{2,6}):(?=\S)")
_AUDIO_DOT = re.compile(r"(?<!\d)(\d)\.(\d)(?!\d)")
_CODEC_DOT = re.compile(r"(?i)\bH\.(26[45])\b")
_MEDIA = re.compile(
    r"^(?:\d{3,4}[PI]|\d{2,3}FPS|\d{1,2}BITS?|[XH]\.?26[45]|[257]\.[01]"
    r"|(?:DDP?|DD\+|E?AC3|AAC|DTS(?:-HD)?(?:\.?MA)?|TRUEHD|ATMOS|OPUS)[257]\.[01])$"
)
_GROUP = re.compile(r"^[A-Za-z0-9]{2,12}$")
_GLUE = re.compile(r"[-.+]")
_BRACKET_WORDS = re.compile(r"[\s,/|]+")
_ALNUM = re.compile(r"[^\W_]")
_LETTER = re.compile(r"[^\W\d_]")
_PAD_CHARS = frozenset("|-:–—")
_PADDED = re.compile(r"\s+([:,])")
#: A word of every phrase in _EDITION_PHRASES: no such word, no phrase to look for.
_EDITION_HINTS = ("cut", "edition", "version", "matte")
#: Sequel numbers: never dropped as junk (Toy Story 4 is not Toy Story).
_NUMBERED = re.compile(r"(?i)^(?:\d{1,3}|[ivx]{1,4})$")
_TRAILING_BRACKET = re.compile(r"\s*[(\[][^()\[\]]*[)\]]$")
_SENTINEL = "\x00"
_STRIP_CHARS = ",.;!?\"'“”«»[](){}"
_DROP_CHARS = frozenset("\ufe0e\ufe0f\u200d")
_BAR_CHARS = frozenset("•‖¦│┃")


class Tag(NamedTuple):
    """One removed piece of a name: its family and its text as written."""

    family: str  # language, quality, provider, edition, label, country, year, group, other
    text: str


@dataclass(frozen=True, slots=True)
class ParsedTitle:
    """What :func:`parse_title` read from one name; ``title`` is empty only for an empty name."""

    raw: str
    title: str
    year: int | None = None
    season: int | None = None
    episode: int | None = None
    episode_title: str | None = None
    #: ``film``, ``series`` or ``episode`` when a marker or a label says so.
    kind_hint: str | None = None
    tags: tuple[Tag, ...] = ()
    #: Other readings as (title, year), most likely first, for when ``title`` finds nothing.
    alternatives: tuple[tuple[str, int | None], ...] = ()
    #: The name's text before its episode marker (the title's side of it), tags and all:
    #: what :func:`~castwatch.identify.works.spans.trimmed_readings` cuts when nothing else
    #: finds a work.
    head: str = ""


def parse_title(raw: str) -> ParsedTitle:
    """Split a panel's film, series or episode name into title, year, episode and tags."""
    text = _prepare(raw)
    mixed_case = any(map(str.islower, text))
    season, episode, head, tail = _split_episode(text)
    tags: list[Tag] = []
    cleaner = _Cleaner(tags, mixed_case, tail=False)
    title = cleaner.clean(head)
    episode_title = None
    if tail is not None:
        after = _Cleaner(tags, mixed_case, tail=True)
        episode_title = after.clean(tail) or None
        cleaner.year = cleaner.year or after.year
        if not _has_content(title.split()):
            if episode_title is None:  # "Episode 50" is a film, not an episode
                return _untouched(raw, text, mixed_case)
            title, episode_title = episode_title, None
            head = tail
    return ParsedTitle(
        raw=raw,
        title=title,
        year=cleaner.year,
        season=season,
        episode=episode,
        episode_title=episode_title,
        kind_hint=_kind_hint(season, episode, tags),
        tags=tuple(tags),
        alternatives=tuple(
            alt
            for alt in dict.fromkeys(cleaner.alternatives)
            if alt[0] != title and _has_content(alt[0].split())
        ),
        head=head,
    )


def _untouched(raw: str, text: str, mixed_case: bool) -> ParsedTitle:
    """The parse of a name whose only words looked like an episode marker."""
    tags: list[Tag] = []
    cleaner = _Cleaner(tags, mixed_case, tail=False)
    title = cleaner.clean(text)
    return ParsedTitle(raw=raw, title=title, year=cleaner.year, tags=tuple(tags), head=text)


def _kind_hint(season: int | None, episode: int | None, tags: list[Tag]) -> str | None:
    words = {tag.text.upper() for tag in tags}
    if episode is not None:
        return "episode"
    if season is not None or words & {"SERIE", "SERIES", "SÉRIE", "SÉRIES", "TV", "COMPLETE"}:
        return "series"
    if words & {"FILM", "FILMS", "MOVIE", "MOVIES", "VOD"} or any(
        tag.family == "edition" for tag in tags
    ):
        return "film"
    return None


def _prepare(raw: str) -> str:
    """NFKC, decorations as ``|`` separators, separators padded with spaces, scene dots gone."""
    text = unicodedata.normalize("NFKC", raw).translate(_OPENERS)
    if not text.isascii():
        text = text.translate(_DECORATIONS)
    text = text.replace("_", " ").replace("*", " ").replace("\t", " ")
    text = text.replace(_SENTINEL, " ").replace("\x01", " ")
    if "." in text and (" " not in text.strip() or text.count(".") > text.count(" ") + 1):
        # The.Batman.2022.1080p: dots are spaces, but 5.1 and H.264 keep theirs.
        text = _AUDIO_DOT.sub("\\1\x01\\2", _CODEC_DOT.sub(r"H\1", text))
        text = text.replace(".", " ").replace("\x01", ".")
    if ":" in text:
        text = _CODE_COLON.sub(r"\1 : ", text)
    if _PAD_CHARS.isdisjoint(text):
        return text
    return _PAD.sub(lambda found: f" {found.group().strip()} ", text)


class _Decorations(dict[int, str]):
    """A ``str.translate`` table that decides each character once, on first sight."""

    def __missing__(self, code: int) -> str:
        self[code] = _decoration(chr(code))
        return self[code]


_DECORATIONS = _Decorations()


def _decoration(char: str) -> str:
    if char in _DROP_CHARS:
        return ""
    if char in _BAR_CHARS:
        return "|"
    category = unicodedata.category(char)
    if category in ("So", "Sm", "Sk", "Co", "Cf", "Cs", "Cc") and char not in "+=<>^`":
        return "|"  # ★ ➤ ┃ ⚽ 🎬 and friends: decorations that separate like a bar
    return char


def _split_episode(text: str) -> tuple[int | None, int | None, str, str | None]:
    """(season, episode, text before the marker, text after it or ``None``)."""
    if not _ANY_MARKER.search(text):
        return None, None, text, None  # most film names: one search instead of ten
    for pattern in _EPISODE_MARKERS:
        found = pattern.search(text)
        if found:
            season = _number(found.group(1)) if found.group(1) else None
            return season, _number(found.group(2)), text[: found.start()], text[found.end() :]
    for pattern in _SEASON_ONLY:
        found = pattern.search(text)
        if found and found.start() > 0 and (season := _number(found.group(1))) is not None:
            return season, None, text[: found.start()], text[found.end() :]
    return None, None, text, None


def _number(text: str) -> int | None:
    if text.isdecimal():  # not isdigit: int() refuses "²"; it reads Arabic-Indic digits
        return int(text)
    return _ARABIC_ORDINALS.get(text)


def _in_range(digits: str) -> bool:
    return MIN_YEAR <= int(digits) <= MAX_YEAR


@lru_cache(maxsize=1 << 14)
def _is_separator(token: str) -> bool:
    return _ALNUM.search(token) is None


@lru_cache(maxsize=1 << 14)
def _is_content(token: str) -> bool:
    """Whether a token is a title word or number, not a bare article or a separator."""
    word = "".join(WORD.findall(token)).lower()
    return bool(word) and word not in ARTICLES


def _has_content(tokens: list[str]) -> bool:
    """Whether a title remains: a word or number that is not a bare article."""
    return any(map(_is_content, tokens))


def _has_words(tokens: list[str]) -> bool:
    return any(map(_LETTER.search, tokens))


@lru_cache(maxsize=1 << 14)
def _classify(word: str) -> str | None:
    """The tag family of one word, ``None`` for a title word. Country codes are not tags here."""
    upper = word.upper()
    family = _TAGS.get(upper)
    if family is not None:
        return family
    if _MEDIA.match(upper):
        return "quality"
    parts = [part for part in _GLUE.split(upper) if part]
    if len(parts) > 1 and all(
        part in _TAGS or part in _PREFIX_CODES or _MEDIA.match(part) for part in parts
    ):
        return _TAGS.get(parts[0], "country")  # 4K-FR, 1080p.x265
    return None


def _bracket_tags(content: str) -> list[Tag] | None:
    """The tags a bracket holds (``[MULTI 1080p]``, ``(FR)``), or ``None`` if it holds words.

    One unmistakable tag makes the whole bracket release junk (``[VO Dublado MULTI]``); words
    alone, or words with tags that are also words, stay title (``[Rec]``, ``(Bad)``).
    """
    if _EDITION_PHRASES.fullmatch(content):
        return [Tag("edition", content)]
    found: list[Tag] = []
    unmistakable = unknown = False
    for word in _BRACKET_WORDS.split(content):
        word = word.strip(_STRIP_CHARS)
        if not word:
            continue
        family = _classify(word) or ("country" if word.upper() in _PREFIX_CODES else None)
        unknown = unknown or family is None
        unmistakable = unmistakable or (family not in (None, "country") and not _weak(word))
        found.append(Tag(family or "other", word))
    return found if unmistakable or not unknown else None


class _Cleaner:
    """One stretch of a name (the title part, or what follows an episode marker) stripped bare.

    A class rather than a function because the bracket callback, the edge scans and the
    alternatives share the tags found so far and the year.
    """

    def __init__(self, tags: list[Tag], mixed_case: bool, tail: bool) -> None:
        self.tags = tags
        #: Capitals mean "tag" only where the name also has lower case letters.
        self.mixed_case = mixed_case
        #: After an episode marker everything may go; the title itself must keep a word.
        self.tail = tail
        self.year: int | None = None
        self.alternatives: list[tuple[str, int | None]] = []

    def clean(self, text: str) -> str:
        text = _BRACKETS.sub(self._bracket, text)
        if _SENTINEL in text:
            before, _, after = text.partition(_SENTINEL)
            if not self.tail and _has_content(before.split()):
                self._junk(after.split())  # a bracketed year ends the title
                text = before
            else:
                text = f"{before} {after}"
        text = self._editions(text)
        tokens = text.split()
        start = 0 if self.tail else self._prefix_end(tokens)
        end = self._suffix_start(tokens, start)
        if self.year is None and not self.tail:
            end = self._inner_year(tokens, start, end)
        title = _join(tokens[start:end])
        if not self.tail and title.endswith((")", "]")):
            bracketed = _TRAILING_BRACKET.sub("", title)
            self.alternatives.append((bracketed, self.year))  # Title [Lien 2]
        if tokens[start:end] and tokens[start].upper() in _PREFIX_CODES and tokens[start].isupper():
            self.alternatives.append((_join(tokens[start + 1 : end]), self.year))
        self._parts(tokens[start:end])
        return title

    def _bracket(self, found: re.Match[str]) -> str:
        inside = found.group(1)
        content = (found.group(2) if inside is None else inside).strip()  # (...) or "..."
        if _YEAR.match(content) and _in_range(content):
            self.tags.append(Tag("year", content))
            if self.year is None:
                self.year = int(content)
                return f" {_SENTINEL} "
            return " "
        bracket_tags = _bracket_tags(content)
        if bracket_tags is None:
            return found.group()
        self.tags.extend(bracket_tags)
        return " "

    def _junk(self, tokens: list[str]) -> None:
        for token in tokens:
            word = token.strip(_STRIP_CHARS)
            if word and not _is_separator(word):
                family = _classify(word) or ("country" if word.upper() in _PREFIX_CODES else None)
                self.tags.append(Tag(family or "other", word))

    def _editions(self, text: str) -> str:
        lowered = text.lower()
        if not any(hint in lowered for hint in _EDITION_HINTS):
            return text
        found = [match.group() for match in _EDITION_PHRASES.finditer(text)]
        if not found:
            return text
        stripped = _EDITION_PHRASES.sub(" ", text)
        if not self.tail and not _has_content(stripped.split()):
            return text  # The Final Cut (2004) is a film
        self.tags.extend(Tag("edition", phrase) for phrase in found)
        return stripped

    def _prefix_end(self, tokens: list[str]) -> int:
        """How many leading tokens are prefix tags (``FR -``, ``|AR|``, ``4K``) or separators."""
        index = self._prefix_run(tokens)
        in_run = index > 0
        while index < len(tokens):
            token = tokens[index]
            if _is_separator(token):
                index += 1
                continue
            word = token.strip(_STRIP_CHARS)
            upper = word.upper()
            rest = tokens[index + 1 :]
            if not _has_content(rest) or (upper in _WORD_CODES and not _has_words(rest)):
                break  # "IT - 2017" is the film It
            removed = _grouped(word)
            family = _classify(word)
            before_separator = bool(rest) and _is_separator(rest[0])
            enclosed = before_separator and index > 0 and _is_separator(tokens[index - 1])
            if removed is None and family is not None:
                shouted = word.isupper() and (self.mixed_case or before_separator)
                if upper not in _WEAK or in_run or shouted or enclosed:
                    removed = [Tag(family, word)]
            elif (
                removed is None
                and upper in _PREFIX_CODES
                and before_separator
                and (word.isupper() or enclosed)
            ):
                removed = [Tag("country", word)]
            if removed is None:
                break
            self.tags.extend(removed)
            in_run = True
            index += 1
        return index

    def _prefix_run(self, tokens: list[str]) -> int:
        """``VOD FR -``, ``NEW |``: a few tags or codes ended by a separator, all removed."""
        for index, token in enumerate(tokens[:5]):
            if _is_separator(token):
                words = [word.strip(_STRIP_CHARS) for word in tokens[:index]]
                if (
                    words
                    and _has_words(tokens[index + 1 :])
                    and all(_classify(word) or word.upper() in _PREFIX_CODES for word in words)
                ):
                    self.tags.extend(Tag(_classify(word) or "country", word) for word in words)
                    return index + 1
                return 0
        return 0

    def _suffix_start(self, tokens: list[str], start: int) -> int:
        """Where the trailing run of tags, separators and the year begins."""
        end = len(tokens)
        in_run = False  # a tag or the year was removed after this point
        while end > start:
            token = tokens[end - 1]
            word = token.strip(_STRIP_CHARS)
            rest = tokens[start : end - 1]
            if not self.tail and not _has_content(rest):
                break
            if _is_separator(token):
                end -= 1
                continue
            if self.year is None and _YEAR.match(word) and _in_range(word):
                dashed = bool(rest) and rest[-1] in ("-", "|", ":")
                if not (in_run or dashed or self.tail):
                    self.alternatives.append((_join(tokens[start:end]), None))  # Space 1999
                self.year = int(word)
                self.tags.append(Tag("year", word))
                in_run = True
                end -= 1
                continue
            before = rest[-1].strip(_STRIP_CHARS) if rest else ""
            after_strong = _classify(before) is not None and before.upper() not in _WEAK
            removed = self._suffix_tags(word, in_run or after_strong)
            if removed is None:
                if after_strong:  # Aliens AAC Doblado: an unknown tag among known ones
                    self.alternatives.append((_join(_without_tags(rest)), self.year))
                elif (
                    in_run
                    and _has_content(rest)
                    and not _has_words([word])
                    and not (_NUMBERED.match(word))
                ):
                    self.alternatives.append((_join(rest), self.year))  # The Thing +18
                break
            self.tags.extend(removed)
            in_run = True
            end -= 1
        return end

    def _suffix_tags(self, word: str, in_run: bool) -> list[Tag] | None:
        family = _classify(word)
        if family is None:
            grouped = _grouped(word)
            if grouped is not None or word.upper() not in _PREFIX_CODES:
                return grouped
            family = "country"
        if _weak(word) and not (in_run or self.tail or (word.isupper() and self.mixed_case)):
            return None
        return [Tag(family, word)]

    def _inner_year(self, tokens: list[str], start: int, end: int) -> int:
        """A year inside the title followed by tags or a bar: the rest is release junk."""
        for index in range(end - 1, start, -1):
            word = tokens[index]
            after = tokens[index + 1 :]
            if (
                _YEAR.match(word)
                and _in_range(word)
                and _has_content(tokens[start:index])
                and (after[0] == "|" or any(_classify(t.strip(_STRIP_CHARS)) for t in after))
            ):
                self.year = int(word)
                self.tags.append(Tag("year", word))
                self._junk(tokens[index + 1 : end])
                return index
        return end

    def _parts(self, tokens: list[str]) -> None:
        """Bilingual and subtitled names (``Le Parrain / The Godfather``): each side alone."""
        parts: list[list[str]] = [[]]
        for token in tokens:
            if token in ("/", "|", "-"):
                parts.append([])
            else:
                parts[-1].append(token)
        if len(parts) > 1:
            self.alternatives.extend(
                (_join(part), self.year) for part in parts if _has_content(part)
            )


def _without_tags(tokens: list[str]) -> list[str]:
    """``tokens`` without the tags and separators at their end."""
    end = len(tokens)
    while end and (
        _is_separator(tokens[end - 1]) or _classify(tokens[end - 1].strip(_STRIP_CHARS))
    ):
        end -= 1
    return tokens[:end]


def _grouped(word: str) -> list[Tag] | None:
    """``x265-RARBG``: a tag with the release group glued on."""
    left, dash, group = word.rpartition("-")
    family = _classify(left) if dash else None
    if family is None or not _GROUP.match(group):
        return None
    return [Tag(family, left), Tag("group", group)]


def _weak(word: str) -> bool:
    upper = word.upper()
    return upper in _WEAK or upper in _PREFIX_CODES


def _join(tokens: list[str]) -> str:
    """Tokens back into a title, edge separators dropped and padded colons re-attached."""
    start, end = 0, len(tokens)
    while start < end and _is_separator(tokens[start]) and tokens[start] not in "&":
        start += 1
    while end > start and _is_separator(tokens[end - 1]):
        end -= 1
    joined = " ".join(tokens[start:end])
    return _PADDED.sub(r"\1", joined) if " :" in joined or " ," in joined else joined
