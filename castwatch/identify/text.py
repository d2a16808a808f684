"""Text folding for identification: the one place case, accents and letter forms are undone.

Two folds, because channel names and titles are compared in two different ways and each
fold's output is what an index was built from (changing either changes answers):

* :func:`fold_channel_name` is for the channel matcher. Panels decorate names with styled
  letters (``ᴿᴬᵂ``, small capitals, squared and circled letters, stray regional indicators),
  so it maps those to plain letters, drops every combining mark and format character after
  NFKD, recomposes (NFC) what is left, and joins words at apostrophes (``L'EQUIPE`` is
  ``lequipe``): the channel key is the tokens run together.
* :func:`fold_title` is for the works matcher. It keeps apostrophes, because the title keys
  read elisions off them (``L'Odyssée`` is the article ``l`` and ``odyssee``), writes ``&``
  as the word ``and`` (``Fast & Furious``), and removes only the combining marks of Latin,
  Arabic and common symbol ranges, leaving other scripts as NFKD writes them.

Both undo case and accents and unify the same Arabic letter variants and digits
(:data:`_SHARED_LETTERS`); what each adds on top is listed with its map. To fold a new
character for both matchers, add it to :data:`_SHARED_LETTERS` and rebuild the saved
matchers (their keys change).
"""

from __future__ import annotations

import re
import unicodedata


def _letters(first: int) -> dict[int, str | None]:
    return {first + i: chr(ord("a") + i) for i in range(26)}


#: Letters NFKD does not decompose, and the Arabic variants registries and panels mix freely
#: (alef with hamza and the hamza seats decompose under NFKD; these do not).
_SHARED_LETTERS: dict[int, str | None] = {
    **{ord(c): folded for c, folded in {
        "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "þ": "th",
        "ة": "ه", "ى": "ي", "ـ": None}.items()},
    **{0x0660 + i: str(i) for i in range(10)},  # Arabic-Indic digits
    **{0x06F0 + i: str(i) for i in range(10)},  # Persian digits
}  # fmt: skip

# The channel fold runs before case folding too, so it needs the capitals of the shared
# letters; and panels use these characters as letters, digits or nothing.
_CHANNEL_MAP: dict[int, str | None] = {
    **{
        ord(c): letter
        for c, letter in zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz", strict=True)
    },
    **_letters(0x1F130),  # squared letters
    **_letters(0x1F150),  # negative circled letters
    **_letters(0x1F170),  # negative squared letters
    **_letters(0x1F1E6),  # regional indicators that do not pair into a flag
    **_SHARED_LETTERS,
    **{ord(c): folded for c, folded in zip("ØÆŒĐŁ", ["o", "ae", "oe", "d", "l"], strict=True)},
    ord("ٱ"): "ا",
    ord("ی"): "ي",
    ord("ک"): "ك",
    # Apostrophes join: L'EQUIPE, LEQUIPE and L EQUIPE share the key "lequipe".
    **{ord(c): None for c in "'’‘`´ʼ"},
}
_CHANNEL_ASCII_MAP = str.maketrans("", "", "'`")
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})

_TITLE_MAP: dict[int, str | None] = {**_SHARED_LETTERS, ord("ð"): "d"}
_TITLE_COMBINING = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f]"
)


def fold_channel_name(text: str) -> str:
    """Lower-case, accent-free ``text`` with styled letters plain and apostrophes gone.

    Flag emoji are the caller's to take out first (they carry a country, see
    :mod:`castwatch.identify.channels.names`); unpaired regional indicators become letters.
    """
    if text.isascii():
        return text.lower().translate(_CHANNEL_ASCII_MAP)
    # Case is folded before and after decomposition: NFKD turns "ᴴᴰ" into capitals, and
    # folding first keeps the marks that casefold adds ("İ") where NFKD can drop them.
    text = unicodedata.normalize("NFKD", text.translate(_CHANNEL_MAP).casefold())
    category = unicodedata.category
    text = "".join(ch for ch in text if ch < "\x80" or category(ch) not in _DROPPED_CATEGORIES)
    return unicodedata.normalize("NFC", text).casefold().translate(_CHANNEL_MAP)


def fold_title(text: str) -> str:
    """Lower case without accents, Arabic letter variants unified, ``&`` as a word;
    apostrophes are kept for the title keys' elisions."""
    text = text.casefold()
    if not text.isascii():
        # Case again after NFKD: compatibility forms such as 𝐀 decompose to capitals.
        decomposed = unicodedata.normalize("NFKD", text)
        text = _TITLE_COMBINING.sub("", decomposed).translate(_TITLE_MAP).casefold()
    return text.replace("&", " and ")
