"""The two text folds: what each undoes, where they differ on purpose, and their fast paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from castwatch.identify.text import fold_channel_name, fold_title

APOSTROPHES = "'’‘`´ʼ"


@pytest.mark.parametrize(
    ("raw", "channel", "title"),
    [
        ("Ça Va", "ca va", "ca va"),
        ("L'ÉQUIPE", "lequipe", "l'equipe"),  # channels join at apostrophes, titles elide
        ("Fast & Furious", "fast & furious", "fast  and  furious"),  # & is a word in titles
        ("ᴄᴀɴᴀʟ 🅷🅳", "canal hd", "ᴄᴀɴᴀʟ 🅷🅳"),  # styled letters are a panel habit
        ("Ærø Łódź", "aero lodz", "aero lodz"),
        ("الجزيرة ١٢", "الجزيره 12", "الجزيره 12"),  # tāʾ marbūṭa and digits: both folds
        ("Þór Ðóttir", "thor ðottir", "thor dottir"),
    ],
)
def test_each_fold_on_known_names(raw: str, channel: str, title: str) -> None:
    assert fold_channel_name(raw) == channel
    assert fold_title(raw) == title


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_the_ascii_fast_paths_agree_with_the_general_ones(text: str) -> None:
    # A letter that needs the general path, appended, folds to a plain "e" in both folds:
    # the rest must then fold exactly as the fast path folds it alone.
    assert fold_channel_name(text + "é") == fold_channel_name(text) + "e"
    assert fold_title(text + "é") == fold_title(text) + "e"


@given(st.text())
def test_folded_text_has_no_capitals_and_no_joining_marks(raw: str) -> None:
    channel, title = fold_channel_name(raw), fold_title(raw)
    assert not any("A" <= ch <= "Z" for ch in channel + title)
    assert not any(ch in APOSTROPHES for ch in channel)
    assert "&" not in title
