"""Open-world title matching: names of works present in the registry, and of works absent.

    .venv/bin/python bench/eval_titles_open.py [--present 6000] [--absent-share 0.2] [--errors]

The bundled works (``castwatch/identify/data/works/works.tsv.gz``) are split at random by
``--seed``: ``--absent-share`` of them are left out of the registry (the works a pirate
catalogue carries that the holder's catalogue does not), the rest are indexed. Every work gets
a pirate-style name by this script's own decoration rules (written apart from the simulator's
in ``castwatch/sim/naming.py``, so what is measured is not what the simulator was tuned on),
and is matched with the panel's year beside it half of the time, as Xtream panels send one.

Reported: accuracy on present works (right answers over present names), precision over every
answer given (present and absent names together: the whole stream of a pirate catalogue), and
the share of absent works answered (any answer to an absent work is wrong).
"""

from __future__ import annotations

import argparse
import gzip
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from castwatch.catalog.registry import WorkKind, WorkRecord
from castwatch.identify.works.matcher import TitleQuery, WorkMatcher

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "castwatch" / "identify" / "data" / "works" / "works.tsv.gz"
#: Decorations of this benchmark, not the simulator's: {t} title, {d} dotted title, {y} year.
SHAPES: tuple[str, ...] = (
    "{t} {y} 1080p BluRay", "{d}.{y}.WEB.H264-NOGRP", "VF | {t} ({y})", "{t} - {y} - MULTI VFF",
    "AR: {t} [{y}]", "{t} (FHD) {y}", "{t} {y} 4K HDR10 Atmos", "{l}.{y}.720p.hdtv.x264",
    "DE - {t} ({y}) German DL", "{t} ({y}) iTALiAN", "{t}", "ES| {t}", "{t} [VOSTFR] HD",
    "{d}.{y}.FRENCH.2160p.WEB.x264", "{t} {y} NF WEB-DL DDP5.1", "|UK| {t} ({y}) SD",
)  # fmt: skip


class Case(NamedTuple):
    name: str
    year: int | None
    work_id: str
    present: bool


def load_works(path: Path = BUNDLED) -> list[WorkRecord]:
    works = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            work_id, title, year, kind, _imdb, _language, _companies = line.rstrip("\n").split("\t")
            works.append(WorkRecord(work_id, title, WorkKind(kind), int(year) if year else None))
    return works


def _dotted(title: str) -> str:
    kept = "".join(c for c in title if c.isalnum() or c in " .-&")
    return ".".join(w.strip(".") for w in kept.split() if w.strip(".-"))


def pirate_name(work: WorkRecord, rng: random.Random) -> tuple[str, int | None]:
    """A decorated name for ``work`` and the year the panel sends beside it (or None)."""
    shape = rng.choice(SHAPES)
    if work.year is None:
        shape = rng.choice(("{t}", "ES| {t}", "{t} [VOSTFR] HD"))
    dotted = _dotted(work.title) or work.title
    name = (
        shape.replace("{t}", work.title)
        .replace("{d}", dotted)
        .replace("{l}", dotted.lower())
        .replace("{y}", str(work.year))
    )
    return name, work.year if rng.random() < 0.5 else None


def cases(
    works: Sequence[WorkRecord], absent_share: float, present: int, seed: int
) -> tuple[list[WorkRecord], list[Case]]:
    rng = random.Random(seed)
    shuffled = list(works)
    rng.shuffle(shuffled)
    cut = int(len(shuffled) * absent_share)
    absent, registry = shuffled[:cut], shuffled[cut:]
    sample = rng.sample(registry, min(present, len(registry)))
    made = []
    for work in sample:
        made.append(Case(*pirate_name(work, rng), work.id, True))
    for work in absent:
        made.append(Case(*pirate_name(work, rng), work.id, False))
    return registry, made


def evaluate(matcher: WorkMatcher, made: Sequence[Case]) -> dict[str, float]:
    answers = matcher.match_many([TitleQuery(c.name, None, c.year, None) for c in made])
    right = wrong = absent_answered = present_total = absent_total = 0
    for case, answer in zip(made, answers, strict=True):
        if case.present:
            present_total += 1
        else:
            absent_total += 1
        if answer.target_id is None:
            continue
        if case.present and answer.target_id == case.work_id:
            right += 1
        else:
            wrong += 1
            absent_answered += not case.present
    answered = right + wrong
    return {
        "present": present_total,
        "absent": absent_total,
        "accuracy_present": right / present_total if present_total else 0.0,
        "precision": right / answered if answered else 1.0,
        "absent_answered": absent_answered / absent_total if absent_total else 0.0,
    }


def simulated_stream(films: int, seed: int) -> dict[str, float]:
    """Precision on the whole film stream of the simulated panel (``castwatch/sim``), against
    the whole bundled registry: its invented titles are the registry misses."""
    from castwatch.sim.catalog import generate_catalog

    catalog = generate_catalog(seed, live=0, films=films, series=1, episodes=0)
    matcher = WorkMatcher.build(load_works())
    made = [Case(f.name, f.year, f.work_id, bool(f.work_id)) for f in catalog.films]
    return evaluate(matcher, made)


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--present", type=int, default=6000, help="present names to match")
    parser.add_argument("--absent-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--errors", type=int, default=0, help="list this many wrong answers")
    parser.add_argument("--sim", type=int, default=0, help="also the simulated panel's films")
    args = parser.parse_args(argv)
    if args.sim:
        stream = simulated_stream(args.sim, args.seed)
        print(
            f"simulated panel, {args.sim:,} films ({stream['absent']:,.0f} invented titles): "
            f"accuracy {stream['accuracy_present']:.3f}, precision {stream['precision']:.3f}, "
            f"invented titles answered {stream['absent_answered']:.3f}"
        )
    registry, made = cases(load_works(), args.absent_share, args.present, args.seed)
    started = time.perf_counter()
    matcher = WorkMatcher.build(registry)
    result = evaluate(matcher, made)
    seconds = time.perf_counter() - started
    print(
        f"registry {len(registry):,} works; {result['present']:,.0f} present names, "
        f"{result['absent']:,.0f} absent names ({seconds:.1f} s)\n"
        f"accuracy on present works  {result['accuracy_present']:.3f}  (target >= 0.90)\n"
        f"precision on the stream    {result['precision']:.3f}  (target >= 0.99)\n"
        f"absent works answered      {result['absent_answered']:.3f}  (target <= 0.02)"
    )
    if args.errors:
        shown = 0
        by_id = {w.id: w for w in registry}
        for case, answer in zip(
            made,
            matcher.match_many([TitleQuery(c.name, None, c.year, None) for c in made]),
            strict=True,
        ):
            if answer.target_id and answer.target_id != case.work_id and shown < args.errors:
                shown += 1
                got = by_id[answer.target_id]
                print(
                    f"{'present' if case.present else 'ABSENT '} {case.name!r} y={case.year} -> "
                    f"{got.title!r} ({got.year}) {answer.confidence:.3f} {answer.why['rule']}"
                )
    return result


if __name__ == "__main__":
    main()
