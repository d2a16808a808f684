"""Title matching at scale: 200,000 pirate names against 1,000,000 works, next to rapidfuzz.

    .venv/bin/python bench/titles.py [--works 1000000] [--names 200000] [--workers 2]
                                     [--peer-sample 100]

Generates a seeded synthetic works catalogue (titles of one to five words drawn from a
Zipf-weighted vocabulary of made-up and common words, so that some titles recur as they do in
IMDb; plus remakes under the same title, numbered sequels, series named like films, original
titles with accents or in Arabic script) and pirate names drawn from it (films and episodes,
decorated with prefixes, years, tags and episode markers) plus names of works that are not in
the catalogue. Each phase runs in a fresh subprocess so that none inherits another's heap:

1. build: :meth:`WorkMatcher.build` streaming the works, then :meth:`serialize` to a file;
2. match: :meth:`WorkMatcher.deserialize` from the file, then :meth:`match_many` on the names,
   once in one process (``workers=1``) and once with ``--workers`` processes; the two must
   give the same answers;
3. peer: rapidfuzz ``process.extractOne`` (``WRatio``) over every title for a sample of the
   names, its rate extrapolated (a full run would take hours).

Printed: seconds and names/s of each phase, accuracy (the right work, or no answer for an
unknown work), peak RSS of each process and the index size, and the speed ratio to rapidfuzz.
What counts towards the total: build + load + match. Generating the works and the names, and
serializing the index, are not counted; an index built once and loaded from its file is the
"load + match" line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

from castwatch.catalog.registry import WorkKind, WorkRecord

SEED = 424_242


def _split(text: str) -> list[str]:
    return text.split()


_SYLLABLES = _split(
    "ka ri mo ta len dor vi sa ne lu ber an ko mi ra to shi el ga da por in ves tar qua "
    "bel ron si ul fa zen cor lia mar no pe dra gon ith ar un bri tel os fen ma ku"
)
_COMMON = _split(
    "love night man woman world story last first dark blood city house life time day "
    "girl boy king queen war heart black white red secret little big dead lost home road "
    "family dream death game fire water moon star river summer winter child father mother"
)
_STOP = ("the", "of", "a", "and", "in")
_ARABIC = _split("ا ب ت ث ج ح خ د ر ز س ش ص ط ع غ ف ق ك ل م ن ه و ي")
_TAGS = (
    "MULTI", "VOSTFR", "1080p", "720p", "4K", "HDR", "x265", "WEB-DL", "BluRay", "FRENCH",
    "VFF", "HEVC", "AAC", "NF", "DV", "iTALiAN", "Latino", "Dual Audio", "HDLight", "EXTENDED",
)  # fmt: skip
_PREFIXES = ("", "", "", "FR - ", "|FR| ", "VOD| ", "AR: ", "[EN] ", "NF - ", "4K-FR ▸ ", "★ ")
_EPISODES = ("S{s:02d}E{e:02d}", "S{s} E{e}", "{s}x{e:02d}", "Saison {s} Episode {e}", "EP{e:02d}")


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Made-up words of two or three syllables, distinct, in a fixed order."""
    words: dict[str, None] = {}
    while len(words) < size:
        count = 2 if rng.random() < 0.6 else 3
        words["".join(rng.choice(_SYLLABLES) for _ in range(count))] = None
    return list(words)


def catalogue(count: int, seed: int = SEED) -> Iterator[WorkRecord]:
    """``count`` works, the same ones every time for ``seed``; streamed, never held."""
    rng = random.Random(seed)
    words = _COMMON + vocabulary(rng, 60_000)
    # Zipf-like: common words in many titles, most made-up words in a handful.
    cumulative = list(accumulate(1 / (rank + 20) for rank in range(len(words))))
    recent: list[tuple[str, WorkKind, int]] = []
    for number in range(count):
        kind = WorkKind.FILM if rng.random() < 0.75 else WorkKind.SERIES
        year = int(1930 + 95 * rng.random() ** 0.5)
        twist = rng.random()
        if twist < 0.04 and recent:  # a remake, or a series named like a film
            title, _, earlier = rng.choice(recent)
            year = min(2025, earlier + rng.randint(2, 40))
        elif twist < 0.08 and recent:  # a numbered sequel
            title, kind, earlier = rng.choice(recent)
            title = f"{title} {rng.choice(('2', '3', 'II', 'Part 2'))}"
            year = min(2025, earlier + rng.randint(1, 6))
        else:
            length = rng.choices((1, 2, 3, 4, 5), (15, 35, 30, 15, 5))[0]
            picked = rng.choices(words, cum_weights=cumulative, k=length)
            if length > 2 and rng.random() < 0.3:
                picked.insert(rng.randint(1, length - 1), rng.choice(_STOP))
            title = " ".join(word.capitalize() for word in picked)
            if rng.random() < 0.25:
                title = f"The {title}"
        original = None
        if rng.random() < 0.12:
            original = title.replace("a", "á", 1).replace("e", "é", 1) + " " + rng.choice(words)
        elif rng.random() < 0.04:
            original = " ".join("".join(rng.choices(_ARABIC, k=4)) for _ in range(2))
        external = {"tmdb": str(number + 1)} if rng.random() < 0.6 else {}
        if len(recent) < 5000 or rng.random() < 0.01:
            recent.append((title, kind, year))
            if len(recent) > 5000:
                recent.pop(rng.randrange(len(recent)))
        yield WorkRecord(f"w{number}", title, kind, year, original, external)


def _decorate(rng: random.Random, title: str, year: int | None, episode: str | None) -> str:
    """A pirate name around ``title``: a prefix, the year in one of its forms, some tags."""
    parts = [rng.choice(_PREFIXES) + (title.upper() if rng.random() < 0.1 else title)]
    if year is not None:
        parts.append(rng.choice((f"({year})", f"[{year}]", f"- {year}", str(year))))
    if episode:
        parts.append(episode)
    parts += rng.sample(_TAGS, rng.choice((0, 1, 1, 2, 3)))
    return " ".join(parts)


#: (name, kind, year, tmdb id, true work id or None)
Name = tuple[str, str | None, int | None, str | None, str | None]


def names(works: int, count: int, seed: int = SEED) -> list[Name]:
    """(name, kind, year, tmdb, true work id or None): 80% of catalogue works (two in five
    of them series, mostly as episodes), 20% of works that are not in it."""
    rng = random.Random(seed + 1)
    known = int(count * 0.8)
    wanted = set(rng.sample(range(works), min(works, known * 2)))
    films: list[WorkRecord] = []
    series: list[WorkRecord] = []
    for number, work in enumerate(catalogue(works)):
        if number in wanted:
            (films if work.kind is WorkKind.FILM else series).append(work)
    # Panels list about as many episodes as films: two in five names are of series.
    picked = series[: int(known * 0.4)]
    picked += films[: known - len(picked)]
    words = vocabulary(random.Random(seed + 2), 20_000)  # other made-up words: unknown titles
    rows: list[Name] = []
    for work in picked:
        episode = None
        if work.kind is WorkKind.SERIES and rng.random() < 0.85:
            form = rng.choice(_EPISODES)
            episode = form.format(s=rng.randint(1, 6), e=rng.randint(1, 20))
        title = work.original_title if work.original_title and rng.random() < 0.2 else work.title
        in_name = rng.random() < 0.6
        year = work.year if in_name else None
        name = _decorate(rng, title, year, episode)
        kind = "episode" if episode else "film" if work.kind is WorkKind.FILM else "series"
        field_year = work.year if not in_name and rng.random() < 0.5 else None
        tmdb = work.external_ids.get("tmdb") if rng.random() < 0.1 else None
        rows.append((name, kind if rng.random() < 0.8 else None, field_year, tmdb, work.id))
    for _ in range(count - known):
        title = " ".join(rng.choice(words).capitalize() for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.5:  # share a word with catalogue titles: fuzzy must say no
            title = f"{rng.choice(_COMMON).capitalize()} {title}"
        rows.append(
            (_decorate(rng, title, rng.randint(1950, 2024), None), "film", None, None, None)
        )
    rng.shuffle(rows)
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def phase_build(works: int, index_path: str) -> dict[str, float]:
    from castwatch.identify.works.matcher import WorkMatcher

    started = time.perf_counter()
    for _ in catalogue(works):
        pass
    generating = time.perf_counter() - started
    started = time.perf_counter()
    matcher = WorkMatcher.build(catalogue(works))
    build = time.perf_counter() - started - generating
    started = time.perf_counter()
    data = matcher.serialize()
    Path(index_path).write_bytes(data)
    return {
        "build_s": build,
        "generate_s": generating,
        "serialize_s": time.perf_counter() - started,
        "index_mb": len(data) / 1e6,
        "peak_mb": _peak_mb(),
    }


def phase_match(index_path: str, names_path: str, workers: int) -> dict[str, float]:
    from castwatch.identify.works.matcher import TitleQuery, WorkMatcher

    rows = json.loads(Path(names_path).read_text(encoding="utf-8"))
    queries = [TitleQuery(name, kind, year, tmdb) for name, kind, year, tmdb, _ in rows]
    before = _peak_mb()
    started = time.perf_counter()
    matcher = WorkMatcher.deserialize(Path(index_path).read_bytes())
    loading = time.perf_counter() - started
    started = time.perf_counter()
    found = matcher.match_many(queries, workers=workers)
    matching = time.perf_counter() - started
    answers = "".join(f"{result.target_id}|{result.confidence}\n" for result in found)
    right = answered = wrong_answers = 0
    for result, row in zip(found, rows, strict=True):
        right += result.target_id == row[4]
        answered += result.target_id is not None
        wrong_answers += result.target_id is not None and result.target_id != row[4]
    return {
        "deserialize_s": loading,
        "match_s": matching,
        "accuracy": right / len(rows),
        "precision": (answered - wrong_answers) / answered if answered else 1.0,
        "recall": (answered - wrong_answers) / sum(row[4] is not None for row in rows),
        "peak_mb": _peak_mb(),
        "peak_before_index_mb": before,
        "answers_crc": zlib.crc32(answers.encode()),
        "workers": workers,
    }


def phase_peer(works: int, names_path: str, sample: int) -> dict[str, float]:
    from rapidfuzz import fuzz, process, utils

    titles: list[str] = []
    ids: list[str] = []
    for work in catalogue(works):
        titles.append(str(utils.default_process(work.title)))
        ids.append(work.id)
    rows = json.loads(Path(names_path).read_text(encoding="utf-8"))[:sample]
    started = time.perf_counter()
    right = 0
    for name, _, _, _, truth in rows:
        query = str(utils.default_process(name))
        best = process.extractOne(query, titles, scorer=fuzz.WRatio, score_cutoff=90)
        right += (ids[best[2]] if best else None) == truth
    elapsed = time.perf_counter() - started
    return {"per_name_s": elapsed / len(rows), "accuracy": right / len(rows), "sample": len(rows)}


def _child(*args: str) -> dict[str, float]:
    """Run one phase in a fresh interpreter; its JSON answer is the last line it prints."""
    command = [sys.executable, __file__, "--phase", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"phase {args[0]} failed:\n{done.stderr}")
    answer: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, default=200_000)
    parser.add_argument("--peer-sample", type=int, default=100)
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for the second match run (1: skip it)"
    )
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase, *rest = args.phase
        if phase == "build":
            print(json.dumps(phase_build(int(rest[0]), rest[1])))
        elif phase == "match":
            print(json.dumps(phase_match(rest[0], rest[1], int(rest[2]))))
        else:
            print(json.dumps(phase_peer(int(rest[0]), rest[1], int(rest[2]))))
        return
    with tempfile.TemporaryDirectory() as folder:
        index_path, names_path = (
            os.path.join(folder, "works.idx"),
            os.path.join(folder, "names.json"),
        )
        rows = names(args.works, args.names)
        Path(names_path).write_text(json.dumps(rows), encoding="utf-8")
        unknown = sum(row[4] is None for row in rows)
        episodes = sum(row[1] == "episode" for row in rows)
        print(
            f"{args.works:,} works; {len(rows):,} names: {episodes:,} episodes, {unknown:,} names"
        )
        print("of works not in the catalogue")
        built = _child("build", str(args.works), index_path)
        matched = _child("match", index_path, names_path, "1")
        forked = None
        if args.workers > 1:
            forked = _child("match", index_path, names_path, str(args.workers))
        peer = None
        if args.peer_sample:
            peer = _child("peer", str(args.works), names_path, str(args.peer_sample))
    _report(args.names, built, matched, forked, peer)


def _report(
    count: int,
    built: dict[str, float],
    matched: dict[str, float],
    forked: dict[str, float] | None,
    peer: dict[str, float] | None,
) -> None:
    total = built["build_s"] + matched["deserialize_s"] + matched["match_s"]
    rate = count / matched["match_s"]
    lines = [
        f"build      {built['build_s']:7.1f} s   (generating the works:"
        f" {built['generate_s']:.1f} s, not counted)",
        f"           index {built['index_mb']:.0f} MB serialized;"
        f" peak RSS {built['peak_mb']:.0f} MB",
        f"load       {matched['deserialize_s']:7.2f} s   (deserialize, in a fresh process)",
        f"match      {matched['match_s']:7.1f} s   {rate:,.0f} names/s, one process",
        f"           peak RSS {matched['peak_mb']:.0f} MB, of which"
        f" {matched['peak_before_index_mb']:.0f} MB before the index (interpreter and names)",
    ]
    if forked:
        same = "the same answers" if forked["answers_crc"] == matched["answers_crc"] else "OTHER"
        lines.append(
            f"match      {forked['match_s']:7.1f} s   {count / forked['match_s']:,.0f} names/s,"
            f" workers={forked['workers']:.0f} ({same} as one process)"
        )
    lines += [
        f"total      {total:7.1f} s   build + load + match, one process (the 60 s target)",
        f"prebuilt   {matched['deserialize_s'] + matched['match_s']:7.1f} s   load + match"
        " with the index built once, one process",
    ]
    if forked:
        fast = built["build_s"] + forked["deserialize_s"] + forked["match_s"]
        lines += [
            f"total      {fast:7.1f} s   build + load + match, workers={forked['workers']:.0f}",
        ]
    lines += [
        f"quality    accuracy {matched['accuracy']:.3f}, precision {matched['precision']:.4f},"
        f" recall {matched['recall']:.3f}",
    ]
    if peer:
        peer_rate = 1 / peer["per_name_s"]
        lines += [
            f"rapidfuzz  {peer['per_name_s']:7.2f} s a name ({peer_rate:.2f} names/s): extractOne,"
            f" WRatio, cut-off 90, over every title; {peer['sample']:.0f} names",
            f"           accuracy {peer['accuracy']:.3f} on those names",
            f"ratio      castwatch {rate / peer_rate:,.0f}x rapidfuzz's rate; {count:,} names would"
            f" take rapidfuzz {count * peer['per_name_s'] / 3600:.1f} h",
        ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
