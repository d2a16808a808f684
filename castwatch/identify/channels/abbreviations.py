"""Short forms that panels use for broadcaster brands, with the reason each one is here.

A rule rewrites a run of normalised tokens (lower case, accents gone, ``+`` written ``plus``)
into the registry's spelling. Rules only ever add a *variant* of a name: the matcher scores
the name as written and every variant, so a rule that fires on an unrelated name (an ``SS``
that is not Sky Sports) costs a little time, not a wrong answer; the name as written still
wins when it matches something better.

To add a rule, append an :class:`Abbreviation` to :data:`ABBREVIATIONS` with a reason that
says where the short form is seen, and a test case in ``tests/identify/channels/test_names.py``.
``#`` in a pattern matches any number token and is copied to the output in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Where = Literal["start", "anywhere", "whole"]
ANY_NUMBER = "#"


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """``pattern`` (tokens) becomes ``expansion`` where ``where`` allows; ``reason`` says why."""

    pattern: tuple[str, ...]
    expansion: tuple[str, ...]
    where: Where
    reason: str

    @property
    def name(self) -> str:
        """A short label for explanations: ``ss -> sky sports``."""
        return f"{' '.join(self.pattern)} -> {' '.join(self.expansion)}"


def _a(pattern: str, expansion: str, where: Where, reason: str) -> Abbreviation:
    return Abbreviation(tuple(pattern.split()), tuple(expansion.split()), where, reason)


# Order matters: rules apply in sequence, so "ss pl" becomes "sky sports pl" and then
# "sky sports premier league".
ABBREVIATIONS: tuple[Abbreviation, ...] = (
    _a("ss", "sky sports", "start", "UK panels shorten Sky Sports to SS (SS FOOTBALL)."),
    _a("sky sp", "sky sports", "start", "Sky Sports cut short to fit a column (SKY SP F1)."),
    _a("skysp", "sky sports", "start", "The same, written without the space."),
    _a("pl", "premier league", "anywhere", "PL is the Premier League (SKY SPORTS PL)."),
    _a("nat geo", "national geographic", "anywhere", "Both spellings are in the registry."),
    _a("natgeo", "national geographic", "anywhere", "Nat Geo written as one word."),
    _a("ngc", "national geographic", "start", "NGC: National Geographic Channel."),
    _a("c plus", "canal plus", "start", "French panels write Canal+ as C+ (C+ SPORT)."),
    _a("cplus", "canal plus", "start", "C+ with the plus spelled out and joined."),
    _a("m plus", "movistar plus", "start", "Spanish panels write Movistar Plus+ as M+."),
    _a(
        "bt #",
        "bt sport #",
        "start",
        "BT Sport N (now TNT Sports, BT in the registry's alt names) is listed as BT N.",
    ),
    _a("ad sport", "abu dhabi sport", "start", "AD Sports is Abu Dhabi Sports."),
    _a("ad sports", "abu dhabi sports", "start", "AD Sports is Abu Dhabi Sports."),
    _a("fox sp", "fox sports", "start", "Fox Sports cut short (FOX SP 1)."),
    _a("rmc sp", "rmc sport", "start", "RMC Sport cut short."),
    _a("cn", "cartoon network", "start", "CN is Cartoon Network (CN ARABIC)."),
    _a("disc", "discovery", "anywhere", "Discovery cut short (DISC SCIENCE, ID DISC)."),
    _a("intl", "international", "anywhere", "International cut short to fit a column."),
    _a("ent", "entertainment", "anywhere", "Entertainment cut short (STAR ENT)."),
    _a("chnl", "channel", "anywhere", "Channel without its vowels."),
    _a("ch #", "channel #", "start", "CH 4 is Channel 4."),
    _a("ch", "channel", "anywhere", "CH for Channel at the end of a name (SIKH CH)."),
    _a("fr #", "france #", "whole", "FR 2, FR 3, FR 5: the France Televisions channels."),
    _a("nick", "nickelodeon", "whole", "NICK alone is Nickelodeon (Nick Jr. keeps its name)."),
    _a("eurosp #", "eurosport #", "start", "Eurosport cut short (EUROSP 2)."),
    # Arabic spellings of Latin-script brands: the registry lists these channels under their
    # Latin names only, so an Arabic panel's name would otherwise share no token with them.
    _a("بي ان", "bein", "start", "beIN written in Arabic (بي ان سبورت)."),
    _a("بين", "bein", "start", "beIN written in Arabic as one word."),
    _a("bein سبورت", "bein sports", "start", "Sports written in Arabic after beIN."),
    _a("bein سبورتس", "bein sports", "start", "Sports written in Arabic after beIN."),
    _a("bein الرياضيه", "bein sports", "start", "beIN Sports with the Arabic word for sports."),
    _a("ام بي سي", "mbc", "start", "MBC written in Arabic letters."),
    _a("روتانا", "rotana", "start", "Rotana written in Arabic."),
    _a("ابوظبي", "abu dhabi", "start", "Abu Dhabi written in Arabic."),
    _a("ابو ظبي", "abu dhabi", "start", "Abu Dhabi written in Arabic, two words."),
    _a("abu dhabi الرياضيه", "abu dhabi sports", "start", "Abu Dhabi Sports in Arabic."),
    _a("دبي", "dubai", "start", "Dubai written in Arabic."),
    _a("dubai الرياضيه", "dubai sports", "start", "Dubai Sports in Arabic."),
    _a("اس اس سي", "ssc", "start", "SSC written in Arabic letters."),
)


#: The first word of every pattern (no pattern starts with a number).
_FIRST_WORDS = frozenset(rule.pattern[0] for rule in ABBREVIATIONS)


def _matches(tokens: tuple[str, ...], at: int, pattern: tuple[str, ...]) -> bool:
    if at + len(pattern) > len(tokens):
        return False
    for offset, want in enumerate(pattern):
        token = tokens[at + offset]
        if want == ANY_NUMBER:
            if not token.isdigit():
                return False
        elif token != want:
            return False
    return True


def _rewrite(tokens: tuple[str, ...], at: int, rule: Abbreviation) -> tuple[str, ...]:
    taken = tokens[at : at + len(rule.pattern)]
    numbers = iter(t for t, want in zip(taken, rule.pattern, strict=True) if want == ANY_NUMBER)
    expanded = tuple(next(numbers) if t == ANY_NUMBER else t for t in rule.expansion)
    return tokens[:at] + expanded + tokens[at + len(rule.pattern) :]


def expand(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``tokens`` with every applicable rule applied in order, and the names of those rules.

    Returns ``(tokens, ())`` unchanged when no rule applies.
    """
    if _FIRST_WORDS.isdisjoint(tokens):
        return tokens, ()  # most names: no rule can fire
    applied: list[str] = []
    present = set(tokens)
    for rule in ABBREVIATIONS:
        if rule.pattern[0] not in present:
            continue
        if rule.where == "whole":
            if len(tokens) == len(rule.pattern) and _matches(tokens, 0, rule.pattern):
                tokens = _rewrite(tokens, 0, rule)
                applied.append(rule.name)
                present = set(tokens)
            continue
        starts = range(1) if rule.where == "start" else range(len(tokens))
        for at in starts:
            if _matches(tokens, at, rule.pattern):
                tokens = _rewrite(tokens, at, rule)
                applied.append(rule.name)
                present = set(tokens)
                break
    return tokens, tuple(applied)
