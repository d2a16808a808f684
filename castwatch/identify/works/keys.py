"""Titles folded into the keys the works index compares: case, accents, articles, numbers.

:func:`title_key` is what :mod:`castwatch.identify.works.matcher` indexes and looks up:
``The Batman``, ``Batman, The`` and ``BATMAN`` give ``batman``; ``Rocky II`` and ``Rocky 2``
give ``rocky2``; ``Dune: Part Two`` gives ``dune2``; ``Spider-Man`` gives ``spiderman``.
:func:`strict_key` keeps the article (``The Batman`` is not ``Batman``) to break ties, and
:func:`content_words` leaves the words a fuzzy look-up searches by. Reading a pirate name
into a title is :mod:`castwatch.identify.works.titles`' job; this module only folds titles, so the
index build (a million titles) imports nothing of the parser. To fold a new number word or
article, add it to the tables below and rebuild any saved index: keys change with them.
"""

from __future__ import annotations

import re

from castwatch.identify.text import fold_title


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The tables below are data; one item per line would triple the module for nothing.
# fmt: off
ARTICLES = _words("the a an le la les l el los las il lo gli der die das")
STOPWORDS = ARTICLES | _words("of de du des and et y und in on to en")
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "deux": "2",
    "trois": "3", "quatre": "4", "cinq": "5", "dos": "2", "tres": "3",
}
_FIRST_WORDS = {"one": "1", "un": "1", "une": "1", "uno": "1", "first": "1", "i": "1"}
_PART_WORDS = _words("part partie parte pt chapter chapitre capitulo vol volume episode episodio")
_ROMAN = {numeral: str(number) for number, numeral in enumerate((
    "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv",
    "xvi", "xvii", "xviii", "xix", "xx"), start=2)}
_AND_WORDS = frozenset({"and", "et", "y", "und"})
# fmt: on

_ELISION = re.compile(r"(?<!\w)([ldjnsc]|qu)['’`´ʼ](?=[^\W\d_])")
_APOSTROPHES = re.compile(r"['’`´ʼ]")
_TRAILING_ARTICLE = re.compile(r",\s*(?:the|a|an|le|la|les|l'|el|los|las|il|lo|der|die|das)\s*$")
WORD = re.compile(r"[^\W_]+")
_APOSTROPHE_CHARS = frozenset("'’`´ʼ")
_SPECIAL_WORDS = frozenset(
    {"vs", "versus", "v", *_AND_WORDS, *_NUMBER_WORDS, *_ROMAN, *_FIRST_WORDS, *_PART_WORDS}
)


def title_tokens(text: str) -> list[str]:
    """A title as comparable words: folded, numbers unified, leading article dropped.

    ``The Batman``, ``Batman, The`` and ``BATMAN`` give ``["batman"]``; ``Rocky II`` and
    ``Rocky 2`` give ``["rocky", "2"]``; ``Dune: Part Two`` gives ``["dune", "2"]``.
    """
    text = fold_title(text)
    if "," in text:
        text = _TRAILING_ARTICLE.sub("", text)
    if not _APOSTROPHE_CHARS.isdisjoint(text):
        text = _APOSTROPHES.sub("", _ELISION.sub(r"\1 ", text))
    return _tokens_of_words(WORD.findall(text))


def _tokens_of_words(words: list[str]) -> list[str]:
    # Most titles hold no word to rewrite: one set operation instead of a loop (a million
    # works are folded when the index is built).
    tokens = words if _SPECIAL_WORDS.isdisjoint(words) else _canonical(words)
    if len(tokens) > 1 and tokens[0] in ARTICLES:
        del tokens[0]
    if len(tokens) > 1 and tokens[-1] == "the":
        del tokens[-1]  # Batman The: "Batman, The" without its comma
    return tokens


def _canonical(words: list[str]) -> list[str]:
    tokens: list[str] = []
    last = len(words) - 1
    for index, word in enumerate(words):
        if word in _AND_WORDS and 0 < index < last:
            continue  # Fast & Furious, Fast and Furious, Fast Furious (the & stripped)
        if word in _AND_WORDS:
            word = "and"
        elif word in ("vs", "versus") or (word == "v" and 0 < index < last):
            word = "vs"
        elif word in _NUMBER_WORDS:
            word = _NUMBER_WORDS[word]
        elif index and word in _ROMAN and (index == last or word not in ("v", "x")):
            word = _ROMAN[word]  # Rocky V, Fast X; but Hunter x Hunter
        elif tokens and tokens[-1] in _PART_WORDS and word in _FIRST_WORDS:
            word = _FIRST_WORDS[word]
        if tokens and tokens[-1] in _PART_WORDS and word.isdigit():
            tokens[-1] = word  # Part 2, Partie 2, Chapter 2, Vol. 2: the number alone
            continue
        tokens.append(word)
    return tokens


def title_key(text: str) -> str:
    """The index key of a title: its :func:`title_tokens` run together (``spiderman``)."""
    return "".join(title_tokens(text))


def strict_key(text: str) -> str:
    """A title folded but otherwise as written: tells ``The Batman`` from ``Batman``."""
    return "".join(WORD.findall(_APOSTROPHES.sub("", fold_title(text))))


def content_words(tokens: list[str]) -> list[str]:
    """The tokens that are not articles or the like: what a fuzzy lookup searches by."""
    return [token for token in tokens if token not in STOPWORDS]
