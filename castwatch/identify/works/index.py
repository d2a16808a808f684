"""The works index as packed columns: how a million works are built, stored and read back.

:class:`IndexBuilder` turns works (a chunk at a time, column by column, numpy for the sorts)
into the arrays :class:`~castwatch.identify.works.matcher.WorkMatcher` searches; the keys and
hashes it stores are defined in :mod:`castwatch.identify.works.entries`. :func:`pack_index` and
:func:`unpack_index` are the file format: a JSON header, then every array as it lies in
memory, so loading a million works is a few copies, not a million objects. To add a column,
add it to :class:`IndexBuilder.columns` and to :data:`ARRAYS` (or the strings), and bump
:data:`FORMAT_VERSION`.
"""

from __future__ import annotations

import json
import sys
import zlib
from array import array
from collections.abc import Iterable
from itertools import accumulate, chain, islice
from typing import Any

import numpy as np

from castwatch.catalog.registry import WorkRecord
from castwatch.identify.works.entries import (
    FILM,
    INDEX_BITS,
    KINDS,
    MAX_WORKS,
    SHIFT,
    add_work_keys,
    consonant_skeleton,
    external_id_key,
    hash64,
)
from castwatch.identify.works.keys import content_words, title_tokens

FORMAT_VERSION = 2  # 2: "and" inside a title is no longer part of its key
_MAGIC = b"CWWORKS1"
#: Works indexed at a time: their records and tokens are freed before the next chunk.
BUILD_CHUNK = 50_000
STRING_COLUMNS = ("ids", "titles", "originals")


class Strings:
    """Many strings as one UTF-8 blob and an offset array: 12 bytes a title, not 60."""

    def __init__(self, blob: bytes, offsets: array[int]) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def of(cls, texts: Iterable[str]) -> Strings:
        encoded = [text.encode() for text in texts]
        return cls(b"".join(encoded), array("Q", accumulate(map(len, encoded), initial=0)))

    def __getitem__(self, index: int) -> str:
        return self.blob[self.offsets[index] : self.offsets[index + 1]].decode()

    def __len__(self) -> int:
        return len(self.offsets) - 1


ARRAYS = ("years", "kinds", "lengths", "keys", "skeletons", "external", "word_hashes",
           "word_starts", "postings")  # fmt: skip


def unpack_array(code: str, chunk: bytes, byteorder: str) -> array[int]:
    values = array(code)
    values.frombytes(chunk)
    if byteorder != sys.byteorder:
        values.byteswap()
    return values


COLUMNS = STRING_COLUMNS + ARRAYS


def build_columns(works: Iterable[WorkRecord]) -> dict[str, Any]:
    """The index columns of ``works``, read :data:`BUILD_CHUNK` at a time."""
    builder = IndexBuilder()
    stream = iter(works)
    while chunk := list(islice(stream, BUILD_CHUNK)):
        builder.add(chunk)
    return builder.columns()


def pack_index(columns: dict[str, Any], settings: dict[str, Any]) -> bytes:
    """The columns (and the matcher's ``settings``) as bytes for :func:`unpack_index`."""
    parts: list[tuple[str, str, bytes]] = []
    for name in STRING_COLUMNS:
        strings: Strings = columns[name]
        parts += [
            (f"{name}.blob", "", strings.blob),
            (f"{name}.offsets", "Q", strings.offsets.tobytes()),
        ]
    for name in ARRAYS:
        values: array[int] = columns[name]
        parts.append((name, values.typecode, values.tobytes()))
    header = {
        "version": FORMAT_VERSION,
        "byteorder": sys.byteorder,
        **settings,
        "parts": [[name, code, len(data)] for name, code, data in parts],
    }
    encoded = json.dumps(header).encode()
    return b"".join([_MAGIC, len(encoded).to_bytes(4, "little"), encoded, *(p[2] for p in parts)])


def unpack_index(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(columns, settings) from :func:`pack_index`'s bytes; ``ValueError`` (or ``KeyError``,
    ``TypeError``, ``IndexError``) when they are damaged."""
    if data[: len(_MAGIC)] != _MAGIC:
        raise ValueError("not a castwatch works index")
    size = int.from_bytes(data[8:12], "little")
    header = json.loads(data[12 : 12 + size])
    if header["version"] != FORMAT_VERSION:
        raise ValueError(f"index format {header['version']} is not {FORMAT_VERSION}")
    offset = 12 + size
    raw: dict[str, Any] = {}
    for name, code, length in header["parts"]:
        chunk = data[offset : offset + length]
        if len(chunk) != length:
            raise ValueError("the data ends early")
        offset += length
        raw[name] = chunk if not code else unpack_array(code, chunk, header["byteorder"])
    columns = {
        name: Strings(raw.pop(f"{name}.blob"), raw.pop(f"{name}.offsets"))
        for name in STRING_COLUMNS
    }
    columns.update(raw)
    works = len(columns["ids"])
    if offset != len(data) or any(
        len(columns[name]) != works for name in ("titles", "originals", "years", "kinds")
    ):
        raise ValueError("its parts do not agree in length")
    settings = {key: value for key, value in header.items() if key not in ("parts", "version")}
    return columns, settings


class IndexBuilder:
    """The index columns of works given a chunk at a time: keys, lengths, skeletons, words.

    Chunk by chunk so that a million works never exist as Python objects all at once (only
    their packed columns do), and within a chunk column by column: titles are folded with
    ``map``, hashes go to numpy arrays, and only the few works with an original title or a
    subtitle take the slow path that decides which key stands for which title.
    """

    def __init__(self) -> None:
        self.count = 0
        self._strings: dict[str, list[bytes]] = {"ids": [], "titles": [], "originals": []}
        self._lengths_of: dict[str, list[int]] = {"ids": [], "titles": [], "originals": []}
        self._years = array("H")
        self._kinds = bytearray()
        self._lengths = bytearray()
        self._keys: list[np.ndarray[Any, np.dtype[np.uint64]]] = []
        self._skeletons: list[np.ndarray[Any, np.dtype[np.uint64]]] = []
        self._external: list[int] = []
        self._word_hashes: list[np.ndarray[Any, np.dtype[np.uint64]]] = []
        self._word_sizes: list[np.ndarray[Any, np.dtype[np.int64]]] = []

    def add(self, works: list[WorkRecord]) -> None:
        """Index ``works``, numbered after those added before."""
        first = self.count
        self.count += len(works)
        if self.count > MAX_WORKS:
            raise ValueError(f"a WorkMatcher holds at most {MAX_WORKS:,} works")
        titles = [work.title for work in works]
        originals = [
            work.original_title if work.original_title != work.title else None for work in works
        ]
        kinds = bytes(KINDS.get(work.kind, FILM) for work in works)
        self._add_strings("ids", [work.id for work in works])
        self._add_strings("titles", titles)
        self._add_strings("originals", [original or "" for original in originals])
        self._years.extend(
            work.year if work.year and 0 < work.year < 1 << 16 else 0 for work in works
        )
        self._kinds += kinds
        tokens = list(map(title_tokens, titles))
        wholes = list(map("".join, tokens))
        self._lengths += bytes(min(len(whole), 255) for whole in wholes)
        original_tokens = {
            index: title_tokens(original) for index, original in enumerate(originals) if original
        }
        self._add_keys(titles, originals, wholes, original_tokens, first)
        word_sets = [set(content_words(words) or words) for words in tokens]
        for index, words in original_tokens.items():
            word_sets[index].update(content_words(words) or words)
        self._word_sizes.append(np.fromiter(map(len, word_sets), np.int64, len(word_sets)))
        self._word_hashes.append(_hashed(list(chain.from_iterable(word_sets))))
        # One-word titles have no other word to be found by when mistyped.
        skeleton_of = [
            (skeleton, first + index)
            for index, words in enumerate(word_sets)
            if len(words) == 1 and (skeleton := consonant_skeleton(wholes[index]))
        ]
        self._skeletons.append(
            _entries(
                [skeleton for skeleton, _ in skeleton_of], [number for _, number in skeleton_of]
            )
        )
        self._external += [
            hash64(id_key) << SHIFT | first + index
            for index, work in enumerate(works)
            if work.external_ids
            for scheme, value in work.external_ids.items()
            if (id_key := external_id_key(scheme, value, kinds[index]))
        ]

    def _add_strings(self, name: str, texts: list[str]) -> None:
        encoded = [text.encode() for text in texts]
        self._strings[name].append(b"".join(encoded))
        self._lengths_of[name] += map(len, encoded)

    def _add_keys(
        self,
        titles: list[str],
        originals: list[str | None],
        wholes: list[str],
        original_tokens: dict[int, list[str]],
        first: int,
    ) -> None:
        special = set(original_tokens)
        special.update(index for index, title in enumerate(titles) if _may_have_subtitle(title))
        entries = [
            first + index
            for index, whole in enumerate(wholes)
            if whole and index not in special  # via 0: the title
        ]
        texts = [wholes[number - first] for number in entries]
        for index in sorted(special):
            work_keys: dict[str, int] = {}
            add_work_keys(work_keys, titles[index], wholes[index], original=False)
            if original := originals[index]:
                whole = "".join(original_tokens[index])
                add_work_keys(work_keys, original, whole, original=True)
            for key, via in work_keys.items():
                texts.append(key)
                entries.append(via << INDEX_BITS | first + index)
        self._keys.append(_entries(texts, entries))

    def columns(self) -> dict[str, Any]:
        """Every column :class:`~castwatch.identify.works.matcher.WorkMatcher` is made of."""
        strings = {
            name: Strings(
                b"".join(self._strings[name]),
                array("Q", accumulate(self._lengths_of[name], initial=0)),
            )
            for name in self._strings
        }
        sizes = np.concatenate([np.zeros(0, np.int64), *self._word_sizes])
        return {
            **strings,
            "years": self._years,
            "kinds": array("B", bytes(self._kinds)),
            "lengths": array("B", bytes(self._lengths)),
            "keys": _array("Q", np.sort(np.concatenate([_NO_ENTRIES, *self._keys]))),
            "skeletons": _array("Q", np.sort(np.concatenate([_NO_ENTRIES, *self._skeletons]))),
            "external": array("Q", sorted(self._external)),
            **word_index(np.concatenate([_NO_ENTRIES, *self._word_hashes]), sizes),
        }


_NO_ENTRIES: np.ndarray[Any, np.dtype[np.uint64]] = np.zeros(0, np.uint64)


def _entries(texts: list[str], low: list[int]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """Index entries: each text's hash above the low bits (which title, which work)."""
    entries: np.ndarray[Any, np.dtype[np.uint64]] = np.left_shift(_hashed(texts), np.uint64(SHIFT))
    entries |= np.array(low, dtype=np.uint64)
    return entries


def _may_have_subtitle(title: str) -> bool:
    return ":" in title or " - " in title or "–" in title or "—" in title


def _hashed(texts: list[str]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """:func:`crc32_of` of every text, as an array: each distinct text hashed once."""
    distinct = dict.fromkeys(texts)
    code_of = dict(zip(distinct, map(zlib.crc32, map(str.encode, distinct)), strict=True))
    return np.fromiter(map(code_of.__getitem__, texts), dtype=np.uint64, count=len(texts))


def _array(code: str, values: np.ndarray[Any, Any]) -> array[int]:
    packed = array(code)
    packed.frombytes(values.astype(np.dtype(code)).tobytes())
    return packed


def word_index(
    hashes: np.ndarray[Any, np.dtype[np.uint64]], sizes: np.ndarray[Any, np.dtype[np.int64]]
) -> dict[str, array[int]]:
    """Word hash -> works: sorted distinct hashes, start offsets, one postings array.

    ``hashes`` holds the word hashes of every work in turn, ``sizes`` how many each has.
    """
    works = np.repeat(np.arange(len(sizes), dtype=np.uint32), sizes)
    order = np.argsort(hashes, kind="stable")  # each word's works stay in their order
    hashes, works = hashes[order], works[order]
    distinct, starts = np.unique(hashes, return_index=True)
    return {
        "word_hashes": _array("I", distinct),
        "word_starts": _array("I", np.append(starts, len(hashes))),
        "postings": _array("I", works),
    }
