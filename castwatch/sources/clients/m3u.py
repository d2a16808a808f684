"""Extended M3U (IPTV playlists): a streaming parser (the writer is in ``m3u_writer``).

Hand-written on purpose: no maintained library parses extended IPTV M3U at this speed and
with this tolerance (``bench/ingest.py`` measures it on a 206,000-entry panel export).
``m3u-ipytv`` is 3 to 9 times slower, needs twice the memory and refuses a playlist that
starts with a BOM or lacks ``#EXTM3U``; ``m3u-parser`` is 30 to 50 times slower and drops
entries with two ``#EXTVLCOPT`` lines or a ``udp://`` URL. Both load the whole file. This
is a push parser: it holds one entry and one partial line, never the file.

The grammar (``docs/protocols.md``), decided where real playlists disagree:

* Lines end at ``\\n`` and are stripped of surrounding whitespace (``\\r`` included); blank
  lines are skipped; U+FEFF is dropped wherever it is (the BOM of each concatenated file).
* ``#EXTINF:<duration> <attributes>,<title>``: the duration is a number, else ``None``.
  Attribute names are lower-cased; a repeated name keeps its last value. Values are
  ``"double"``, ``'single'`` or bare (up to whitespace or comma). A quote closes a value
  only where another ``name=``, the comma or the line end follows, so
  ``tvg-name="The "Best" Show"`` reads ``The "Best" Show``; an unclosed quote runs to the
  next comma. The title is what follows the first comma outside the attributes, empty when
  there is none. Other text before the comma is skipped.
* Directive lines up to the URL belong to the entry the URL ends: ``#EXTGRP``, every
  ``#EXTVLCOPT`` and ``#KODIPROP`` (as ``(key, value)``), any other ``#`` line verbatim.
  A URL without ``#EXTINF`` is an entry with an empty title (plain M3U).
* A quoted attribute may span lines: an ``#EXTINF`` whose attribute quote is still open at
  the line end (no comma after it) takes the following text lines, joined with a space,
  until the quote closes. The join is bounded: it stops, and the line is read alone as
  before (an unclosed quote runs to the next comma), at a ``#`` line, a ``scheme://`` URL,
  after :data:`MAX_CONTINUATION` lines or :data:`MAX_LINE` characters, or at the end, so an
  attribute quote that never closes cannot swallow the file.
* Separator titles (:func:`is_separator_title`: ``=====sudan=====``, ``---UHD | 4K``) on an
  ``#EXTINF`` without a URL are counted as separators, not as dropped entries; the adapter
  decides what a separator with a placeholder URL is.
* Counted in :attr:`M3UParser.warnings`, never raised: an ``#EXTINF`` without a URL before
  the next ``#EXTINF`` / ``#EXTM3U`` / end (dropped), a URL without ``scheme://`` (kept),
  a line longer than ``max_line`` (default :data:`MAX_LINE`, skipped), over :data:`MAX_DIRECTIVES`
  directives on one entry (the extra ones dropped), joined and unclosed quotes, separators.
"""

from __future__ import annotations

import codecs
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

#: Longest line read; a longer one is skipped, so an endless line cannot grow memory.
MAX_LINE = 1 << 20
#: Most directive lines kept on one entry, for the same reason.
MAX_DIRECTIVES = 1024

#: Most text lines one open attribute quote may take before it is read as unclosed.
MAX_CONTINUATION = 8

DROPPED_EXTINF = "#EXTINF without a URL (dropped)"
SEPARATOR = "separator titles without a stream (not entries)"
JOINED_QUOTE = "quoted attribute spanning lines (joined)"
UNCLOSED_QUOTE = "attribute quote never closed (read to the line end)"
BROKEN_URL = "URL without a scheme:// (kept as given)"
LONG_LINE = "line over the length cap (skipped)"
MANY_DIRECTIVES = f"over {MAX_DIRECTIVES} directives on one entry (the rest dropped)"

# The common line, `#EXTINF:-1 tvg-id="a" group-title="b",Title`, is read without a regex
# pass over its characters: split at `"`, the even pieces (`#EXTINF:-1 tvg-id=`, ` group-title=`)
# make the line's signature, the odd ones are its values. A playlist has a handful of
# signatures; each is checked once against these patterns and compiled into a reader, found
# by the line's first piece. A line no reader takes (quotes in the title, single quotes,
# upper-case names) goes to the general path, which reads accepted lines the same way (a
# property test checks that).
_SIGNATURE_HEAD = re.compile(r"#EXTINF:(-?\d+(?:\.\d+)?)\s+([a-z0-9_.:-]+)=\Z")
_SIGNATURE_NAME = re.compile(r"\s+([a-z0-9_.:-]+)=\Z")
#: Line heads remembered, and signatures per head: bounds for hostile playlists.
_READER_HEADS = 1024
_READERS_PER_HEAD = 16
#: Duration, title and attributes of a line, or None when the line is not its signature's.
_Reader = Callable[[list[str]], tuple[float, str, dict[str, str]] | None]

_NAME = r"""[^\s=,"']+"""
_CLOSER = rf"(?=\s*{_NAME}=|\s*,|\s*$)"
_DURATION = re.compile(r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)(?=[\s,]|$)")
_ATTR = re.compile(rf"""\s*({_NAME})=(?:"(.*?)"{_CLOSER}|'(.*?)'{_CLOSER}|["']([^,]*)|([^\s,]*))""")
_COMMA = re.compile(r"\s*,\s*")
_JUNK = re.compile(r"""\s*(?:[^\s=,"']+|[=,"'])""")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_VALID_NAME = re.compile(rf"{_NAME}\Z")
_DQ_CLOSER = re.compile(rf'"{_CLOSER}')
_SQ_CLOSER = re.compile(rf"'{_CLOSER}")
_SPECIAL = ("#EXTM3U", "#EXTINF:", "#EXTGRP:", "#EXTVLCOPT:", "#KODIPROP:")
# Separator runs: `=`, `-`, `#`, `*` and box drawing (U+2500-U+257F), around at most a word.
_RUN = "[=#*\\-\u2500-\u257f]"
_SEPARATOR_TITLE = re.compile(
    rf"(?:{_RUN}{{3,}}.*|.*{_RUN}{{3,}}|{_RUN}{{2,}}.*{_RUN}{{2,}}|{_RUN}+)\Z", re.DOTALL
)
#: Characters separator runs are made of.
SEPARATOR_CHARS = frozenset("=#*-" + "".join(map(chr, range(0x2500, 0x2580))))


def is_separator_title(title: str) -> bool:
    """Whether a title is a separator: runs of ``=``, ``-``, ``#``, ``*`` or box drawing.

    ``=====sudan=====``, ``---UHD | 4K Channels``, ``### NEWS ###``, ``━━━━``: what playlists
    put between groups, as an entry with a placeholder URL or none.
    """
    title = title.strip()
    return (
        bool(title)
        and (title[0] in SEPARATOR_CHARS or title[-1] in SEPARATOR_CHARS)
        and (_SEPARATOR_TITLE.match(title) is not None)
    )


@dataclass(slots=True)
class PlaylistItem:
    """One entry: its ``#EXTINF`` (when it had one), its directives and its URL.

    The directive fields are tuples so that the many entries without any share ``()``.
    """

    url: str
    title: str = ""
    duration: float | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    extgrp: str | None = None
    vlcopts: tuple[tuple[str, str], ...] = ()
    kodiprops: tuple[tuple[str, str], ...] = ()
    #: Other ``#`` lines of the entry, verbatim.
    directives: tuple[str, ...] = ()
    #: 1-based line of the ``#EXTINF`` (of the URL for a plain entry).
    line: int = 0


def parse_extinf(body: str) -> tuple[float | None, dict[str, str], str]:
    """Duration, attributes and title of the text after ``#EXTINF:``, by the full grammar."""
    duration: float | None = None
    pos = 0
    match = _DURATION.match(body)
    if match:
        number = float(match.group(1))
        duration = number if math.isfinite(number) else None
        pos = match.end()
    attrs: dict[str, str] = {}
    while True:
        match = _ATTR.match(body, pos)
        if match:
            name, *values = match.groups()
            attrs[name.lower()] = next(value for value in values if value is not None)
            pos = match.end()
            continue
        match = _COMMA.match(body, pos)
        if match:
            return duration, attrs, body[match.end() :].strip()
        match = _JUNK.match(body, pos)
        if match is None:
            return duration, attrs, ""
        pos = match.end()


def _open_quote(body: str) -> bool:
    """Whether the text after ``#EXTINF:`` ends inside an attribute quote (no comma after it)."""
    match = _DURATION.match(body)
    pos = match.end() if match else 0
    end = len(body)
    while True:
        match = _ATTR.match(body, pos)
        if match:
            # Group 4 is the unclosed-quote alternative: open when it reached the line end.
            if match.group(4) is not None and match.end() == end:
                return True
            pos = match.end()
            continue
        if pos >= end or _COMMA.match(body, pos):
            return False
        match = _JUNK.match(body, pos)
        if match is None:
            return False
        pos = match.end()


@dataclass(slots=True)
class _OpenQuote:
    # An #EXTINF whose attribute quote is open, and the text lines it took so far.
    line: int
    body: str
    joined: str
    held: list[tuple[int, str]] = field(default_factory=list)


def _compile_reader(signature: list[str]) -> _Reader | None:
    # A reader for a fast-path signature; None when the signature is not one.
    head = _SIGNATURE_HEAD.match(signature[0])
    if head is None or not math.isfinite(duration := float(head.group(1))):
        return None
    names = [head.group(2)]
    for piece in signature[1:]:
        match = _SIGNATURE_NAME.match(piece)
        if match is None:
            return None
        names.append(match.group(1))
    # Generated code, as namedtuple and dataclasses do: comparing the pieces to constants
    # and building a dict display with constant keys is three times faster than any loop,
    # and this is the largest cost per entry. Only checked text goes in: names match
    # [a-z0-9_.:-]+, separators \s+name=, and repr() makes each a plain literal.
    count = 2 * len(names) + 1
    checks = "".join(f" or p[{2 * i}] != {piece!r}" for i, piece in enumerate(signature[1:], 1))
    display = ", ".join(f"{name!r}: p[{2 * i + 1}]" for i, name in enumerate(names))
    source = (
        "def read(p):\n"
        f"    if len(p) != {count}{checks}:\n"
        "        return None\n"
        f"    t = p[{count - 1}]\n"
        "    if t[:1] != ',':\n"
        "        c = t.find(',')\n"
        "        if c <= 0 or not t[:c].isspace():\n"
        "            return None\n"
        "        t = t[c:]\n"
        f"    return {duration!r}, t[1:].lstrip(), {{{display}}}\n"
    )
    namespace: dict[str, _Reader] = {}
    exec(source, namespace)
    return namespace["read"]


class M3UParser:
    """Incremental parser: :meth:`feed` text as it arrives, then :meth:`close`.

    Both return the entries completed so far. ``header`` holds the ``#EXTM3U`` attributes
    (the first value wins across concatenated playlists); ``warnings`` counts the oddities
    listed in the module docstring and ``first_lines`` says where each was first met.
    """

    def __init__(self, max_line: int = MAX_LINE) -> None:
        #: Longest line read (characters); longer ones are skipped with a warning.
        self.max_line = max_line
        self.header: dict[str, str] = {}
        self.warnings: Counter[str] = Counter()
        self.first_lines: dict[str, int] = {}
        #: Complete lines read so far.
        self.lines = 0
        self._partial = ""
        self._skipping = False
        self._extinf: tuple[float | None, str, dict[str, str]] | None = None
        self._extinf_line = 0
        self._directed = False
        self._extgrp: str | None = None
        self._vlcopts: list[tuple[str, str]] = []
        self._kodiprops: list[tuple[str, str]] = []
        self._directives: list[str] = []
        self._readers: dict[str, list[_Reader]] = {}
        self._open: _OpenQuote | None = None

    def feed(self, text: str) -> list[PlaylistItem]:
        """Parse ``text``, which may stop mid-line; return the entries it completed."""
        if "\ufeff" in text:
            text = text.replace("\ufeff", "")
        if self._skipping:
            # The rest of an over-long line: discard it up to its end.
            end = text.find("\n")
            if end < 0:
                return []
            self._skipping = False
            self.lines += 1
            text = text[end + 1 :]
        cap = self.max_line
        long_possible = len(text) + len(self._partial) > cap
        lines = text.split("\n")
        lines[0] = self._partial + lines[0]
        self._partial = lines.pop()
        if long_possible:
            for index, line in enumerate(lines):
                if len(line) > cap:
                    lines[index] = ""
                    self._warn(LONG_LINE, self.lines + index + 1)
            if len(self._partial) > cap:
                self._partial = ""
                self._skipping = True
                self._warn(LONG_LINE, self.lines + len(lines) + 1)
        return self._consume(lines)

    def close(self) -> list[PlaylistItem]:
        """Finish: read a last line that had no line end, drop an unfinished entry."""
        last = [self._partial] if self._partial and not self._skipping else []
        items = self._consume(last, final=True)
        self._partial = ""
        if self._extinf is not None:
            self._drop(self._extinf, self._extinf_line)
        self._extinf = None
        self._clear_directives()
        return items

    def _warn(self, warning: str, line: int) -> None:
        self.warnings[warning] += 1
        self.first_lines.setdefault(warning, line)

    def _drop(self, extinf: tuple[float | None, str, dict[str, str]], line: int) -> None:
        # An #EXTINF that no URL ended: a separator between groups, or a lost entry.
        self._warn(SEPARATOR if is_separator_title(extinf[1]) else DROPPED_EXTINF, line)

    def _clear_directives(self) -> None:
        self._directed = False
        self._extgrp = None
        self._vlcopts, self._kodiprops, self._directives = [], [], []

    def _consume(self, lines: list[str], final: bool = False) -> list[PlaylistItem]:
        # The common case is one pass of _run; an open attribute quote interrupts it while
        # _continue joins the lines it takes, then _run goes on after them.
        items: list[PlaylistItem] = []
        first = self.lines + 1
        start = 0
        while True:
            if self._open is not None:
                start = self._continue(lines, start, first, items, final)
                if self._open is not None:
                    break
            if start >= len(lines):
                break
            start = self._run(lines, start, first, items)
        self.lines += len(lines)
        return items

    def _run(self, lines: list[str], start: int, first: int, items: list[PlaylistItem]) -> int:
        # The hot loop: locals, the two common lines first, one object per entry. Returns
        # the index after the last line read: len(lines), or after an #EXTINF left open.
        append = items.append
        readers = self._readers
        extinf = self._extinf
        extinf_line = self._extinf_line
        directed = self._directed
        stop = len(lines)
        todo = lines[start:] if start else lines
        for number, line in enumerate(map(str.strip, todo), first + start):
            if not line:
                continue
            if line[0] != "#":
                if not line.startswith(("http://", "https://")) and not _SCHEME.match(line):
                    self._warn(BROKEN_URL, number)
                if extinf is None:
                    append(PlaylistItem(line, "", None, {}, None, (), (), (), number))
                else:
                    append(
                        PlaylistItem(
                            line, extinf[1], extinf[0], extinf[2], None, (), (), (), extinf_line
                        )
                    )
                    extinf = None
                if directed:
                    last = items[-1]
                    last.extgrp = self._extgrp
                    last.vlcopts = tuple(self._vlcopts)
                    last.kodiprops = tuple(self._kodiprops)
                    last.directives = tuple(self._directives)
                    self._clear_directives()
                    directed = False
            elif line.startswith("#EXTINF:"):
                if extinf is not None:
                    self._drop(extinf, extinf_line)
                    self._clear_directives()
                    directed = False
                pieces = line.split('"')
                for reader in readers.get(pieces[0], ()):
                    extinf = reader(pieces)
                    if extinf is not None:
                        break
                else:
                    extinf = self._learn(pieces)
                extinf_line = number
                if extinf is None:
                    body = line[8:]
                    if ('"' in body or "'" in body) and _open_quote(body):
                        # A value goes on over the next lines: _continue decides.
                        self._open = _OpenQuote(number, body, body)
                        stop = number - first + 1
                        break
                    duration, attrs, title = parse_extinf(body)
                    extinf = (duration, title, attrs)
            else:
                self._extinf, self._extinf_line = extinf, extinf_line
                self._directive(line, number)
                extinf, extinf_line = self._extinf, self._extinf_line
                directed = self._directed
        self._extinf, self._extinf_line = extinf, extinf_line
        self._directed = directed
        return stop

    def _continue(
        self, lines: list[str], start: int, first: int, items: list[PlaylistItem], final: bool
    ) -> int:
        # Feed text lines to the open quote until it closes or a bound ends it; returns the
        # index of the first line not taken. Blank lines are passed over, so where chunks
        # (or the over-long lines that vanish with them) fall changes nothing.
        state = self._open
        assert state is not None
        index = start
        while index < len(lines):
            line = lines[index].strip()
            if not line:
                index += 1
                continue
            joined = f"{state.joined} {line}"
            if (
                line[0] == "#"
                or _SCHEME.match(line)
                or len(state.held) >= MAX_CONTINUATION
                or len(joined) > self.max_line
            ):
                self._unclosed(items)
                return index
            state.held.append((first + index, line))
            state.joined = joined
            index += 1
            if not _open_quote(joined):
                self._open = None
                self._warn(JOINED_QUOTE, state.line)
                duration, attrs, title = parse_extinf(joined)
                self._extinf, self._extinf_line = (duration, title, attrs), state.line
                return index
        if final:
            self._unclosed(items)
        return index

    def _unclosed(self, items: list[PlaylistItem]) -> None:
        # The quote never closed: read the #EXTINF alone, then the lines it held, as before.
        state = self._open
        assert state is not None
        self._open = None
        self._warn(UNCLOSED_QUOTE, state.line)
        duration, attrs, title = parse_extinf(state.body)
        self._extinf, self._extinf_line = (duration, title, attrs), state.line
        for number, line in state.held:
            self._run([line], 0, number, items)

    def _learn(self, pieces: list[str]) -> tuple[float, str, dict[str, str]] | None:
        # A line no known reader took: compile one for its signature if it has a valid one.
        if not len(pieces) & 1 or len(pieces) == 1:
            return None
        readers = self._readers
        known = readers.get(pieces[0], [])
        if len(known) >= _READERS_PER_HEAD:
            return None
        reader = _compile_reader(pieces[0:-1:2])
        if reader is None:
            return None
        if len(readers) >= _READER_HEADS:
            readers.clear()
        readers[pieces[0]] = [*known, reader]
        return reader(pieces)

    def _directive(self, line: str, number: int) -> None:
        upper = line[:11].upper()
        if upper.startswith(("#EXTM3U", "#EXTINF:")):
            # A new playlist, or a lower-case `#extinf:`: either ends an entry without URL.
            if self._extinf is not None:
                self._drop(self._extinf, self._extinf_line)
            self._extinf = None
            self._clear_directives()
            if upper.startswith("#EXTINF:"):
                duration, attrs, title = parse_extinf(line[8:])
                self._extinf, self._extinf_line = (duration, title, attrs), number
            else:
                for name, value in parse_extinf(line[7:])[1].items():
                    self.header.setdefault(name, value)
            return
        if len(self._vlcopts) + len(self._kodiprops) + len(self._directives) >= MAX_DIRECTIVES:
            self._warn(MANY_DIRECTIVES, number)
            return
        self._directed = True
        if upper.startswith("#EXTGRP:"):
            self._extgrp = line[8:].strip()
        elif upper == "#EXTVLCOPT:":
            key, _, value = line[11:].partition("=")
            self._vlcopts.append((key, value))
        elif upper.startswith("#KODIPROP:"):
            key, _, value = line[10:].partition("=")
            self._kodiprops.append((key, value))
        else:
            self._directives.append(line)


def parse_m3u(chunks: Iterable[str]) -> Iterator[PlaylistItem]:
    """Every entry of a playlist given as text chunks, in order, one entry held at a time."""
    parser = M3UParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.close()


def decode(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 text of byte chunks split anywhere; bad bytes become U+FFFD, a BOM is dropped."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    for chunk in chunks:
        text = decoder.decode(chunk)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail
