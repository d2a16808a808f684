"""Title matching quality: castwatch's WorkMatcher against rapidfuzz, on eval/titles.jsonl.

    .venv/bin/python bench/eval_titles.py [--split test] [--errors] [--fit] [--plot PATH]

Reads the works catalogue (``eval/works.csv``, through
``castwatch.identify.registries.works``) and the pirate names with their true work
(``eval/titles.jsonl``; ``eval/make_titles.py`` writes both), then matches every name with:

* castwatch: :class:`~castwatch.identify.works.matcher.WorkMatcher` with the default threshold;
* rapidfuzz: ``process.extractOne`` over every title and original title (``WRatio``, default
  processor) on the raw name, answers scoring 90 or more: the usual quick fix;
* rapidfuzz + parser: the same on castwatch's parsed title, among works within a year of the
  name's year when it has one, to show what the parser alone buys.

Precision is right answers over answers given; recall is right answers over names that have a
work in the catalogue (a name of a work not in the catalogue must get no answer). Figures are
for ``--split`` (``test`` by default: the half the calibration never saw). ``--fit`` refits the
calibration on the ``calib`` half by isotonic regression, picks the lowest threshold that keeps
precision at or above 0.98 there, and prints both for ``castwatch/identify/works/calibration.py``.
The precision-recall curve of each method goes to ``docs/img/pr-titles.png``.

``--open-world`` measures instead on the bundled Wikidata works with a random fifth held out
of the registry, names of present and absent works together (``bench/eval_titles_open.py``,
whose options follow: ``--present``, ``--absent-share``, ``--seed``, ``--sim``, ``--errors``).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from castwatch.identify.registries.works import read_works
from castwatch.identify.works.matcher import WorkMatcher
from castwatch.identify.works.titles import parse_title

ROOT = Path(__file__).resolve().parents[1]
TARGET_PRECISION = 0.98
#: The rapidfuzz score (over 100) below which the baselines give no answer: a usual choice.
BASELINE_CUTOFF = 0.9


class Item(NamedTuple):
    """One pirate name with the fields a panel sends beside it and its true work."""

    id: str
    title: str
    kind: str | None
    year: int | None
    tmdb: str | None
    work_id: str | None
    split: str
    note: str


class Answer(NamedTuple):
    """What one method said about one item: its best candidate and how sure it was."""

    candidate: str | None
    confidence: float
    raw: float


def load_items(path: Path) -> list[Item]:
    with open(path, encoding="utf-8") as file:
        rows = [json.loads(line) for line in file if line.strip()]
    fields = Item._fields
    return [Item(**{key: row.get(key) for key in fields}) for row in rows]


def castwatch_answers(matcher: WorkMatcher, items: Sequence[Item]) -> list[Answer]:
    answers = []
    for item in items:
        found = matcher.match(item.title, item.kind, item.year, item.tmdb)
        answers.append(Answer(found.why["candidate"], found.confidence, found.why["raw_score"]))
    return answers


def rapidfuzz_answers(items: Sequence[Item], works_path: Path, parsed: bool) -> list[Answer]:
    from rapidfuzz import fuzz, process

    names: list[str] = []
    owners: list[tuple[str, int | None]] = []
    for work in read_works(works_path):
        for text in {work.title, work.original_title or work.title}:
            names.append(text)
            owners.append((work.id, work.year))
    answers = []
    for item in items:
        choices: dict[int, str] | list[str] = names
        query = item.title
        if parsed:
            parse = parse_title(item.title)
            query, year = parse.title, item.year or parse.year
            if year:
                choices = {
                    index: name
                    for index, name in enumerate(names)
                    if (work_year := owners[index][1]) and abs(work_year - year) <= 1
                }
        best = process.extractOne(query, choices, scorer=fuzz.WRatio, processor=_process)
        if best is None:
            answers.append(Answer(None, 0.0, 0.0))
        else:
            answers.append(Answer(owners[best[2]][0], best[1] / 100, best[1] / 100))
    return answers


def _process(text: str) -> str:
    from rapidfuzz import utils

    return str(utils.default_process(text))


class Scores(NamedTuple):
    threshold: float
    precision: float
    recall: float
    answered: int
    right: int


def scores(items: Sequence[Item], answers: Sequence[Answer], threshold: float) -> Scores:
    """Precision and recall when answers below ``threshold`` are withheld."""
    knowable = sum(item.work_id is not None for item in items)
    answered = right = 0
    for item, answer in zip(items, answers, strict=True):
        if answer.candidate is not None and answer.confidence >= threshold:
            answered += 1
            right += answer.candidate == item.work_id
    precision = right / answered if answered else 1.0
    return Scores(threshold, precision, right / knowable if knowable else 0.0, answered, right)


def curve(items: Sequence[Item], answers: Sequence[Answer]) -> list[Scores]:
    """Precision and recall at every threshold the answers suggest."""
    thresholds = sorted({answer.confidence for answer in answers} | {0.0, 1.0})
    return [scores(items, answers, threshold) for threshold in thresholds]


def platt(points: Sequence[tuple[float, bool]], penalty: float = 0.01) -> tuple[float, float]:
    """Logistic fit of P(right | raw) = 1 / (1 + exp(-(slope * raw + intercept))).

    Newton's method on the log-likelihood with a small L2 penalty on the slope, which keeps
    the fit finite when the calibration half separates right from wrong perfectly.
    """
    slope, intercept = 1.0, 0.0
    for _ in range(100):
        g_slope, g_intercept = -penalty * slope, 0.0
        h_ss, h_si, h_ii = -penalty, 0.0, 0.0
        for raw, right in points:
            p = 1 / (1 + math.exp(-(slope * raw + intercept)))
            error = float(right) - p
            weight = p * (1 - p)
            g_slope += error * raw
            g_intercept += error
            h_ss -= weight * raw * raw
            h_si -= weight * raw
            h_ii -= weight
        determinant = h_ss * h_ii - h_si * h_si
        if abs(determinant) < 1e-12:
            break
        step_slope = (h_ii * g_slope - h_si * g_intercept) / determinant
        step_intercept = (h_ss * g_intercept - h_si * g_slope) / determinant
        slope, intercept = slope - step_slope, intercept - step_intercept
        if abs(step_slope) + abs(step_intercept) < 1e-9:
            break
    return round(slope, 3), round(intercept, 3)


def fit(items: Sequence[Item], answers: Sequence[Answer]) -> None:
    """Print the calibration and threshold fitted on the ``calib`` half."""
    points = [
        (answer.raw, answer.candidate == item.work_id)
        for item, answer in zip(items, answers, strict=True)
        if item.split == "calib" and answer.candidate is not None
    ]
    slope, intercept = platt(points)
    print(f"CALIBRATION = ({slope}, {intercept})  # fitted on {len(points)} calib answers")
    calibrated = [1 / (1 + math.exp(-(slope * raw + intercept))) for raw, _ in points]
    lowest, below = 1.0, 0.0
    for threshold in sorted(set(calibrated), reverse=True):
        kept = [
            right
            for confidence, (_, right) in zip(calibrated, points, strict=True)
            if confidence >= threshold
        ]
        if sum(kept) / len(kept) < TARGET_PRECISION:
            below = threshold
            break
        lowest = threshold
    # Any threshold in (below, lowest] answers the same calib names: take the middle.
    print(f"DEFAULT_THRESHOLD = {(lowest + below) / 2:.2f}  # precision >= {TARGET_PRECISION} on")
    print(f"  calib for any threshold in ({below:.3f}, {lowest:.3f}]")
    print("reliability on calib (calibrated confidence bin: answers, share right):")
    for low in (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95):
        high = {0.8: 0.9, 0.9: 0.95, 0.95: 1.01}.get(low, low + 0.2)
        inside = [r for c, (_, r) in zip(calibrated, points, strict=True) if low <= c < high]
        if inside:
            print(
                f"  [{low:.2f}, {min(high, 1.0):.2f}): {len(inside):4}"
                f" {sum(inside) / len(inside):.3f}"
            )


def plot(results: dict[str, tuple[list[Scores], Scores]], path: Path, split: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.8))
    for name, (points, chosen) in results.items():
        line = axes.plot([p.recall for p in points], [p.precision for p in points], label=name)
        axes.plot([chosen.recall], [chosen.precision], "o", color=line[0].get_color())
    axes.axhline(TARGET_PRECISION, color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_xlim(0, 1)
    axes.set_ylim(0.5, 1.005)
    axes.set_title(f"Pirate names to works, eval/titles.jsonl ({split} split)")
    axes.legend(loc="lower left")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=Path, default=ROOT / "eval" / "works.csv")
    parser.add_argument("--titles", type=Path, default=ROOT / "eval" / "titles.jsonl")
    parser.add_argument("--split", choices=("calib", "test", "all"), default="test")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "img" / "pr-titles.png")
    parser.add_argument("--fit", action="store_true", help="refit calibration on calib")
    parser.add_argument("--errors", action="store_true", help="list wrong and missed names")
    parser.add_argument(
        "--open-world",
        action="store_true",
        help="measure on the bundled works with a fifth held out (bench/eval_titles_open.py)",
    )
    args, rest = parser.parse_known_args(argv)
    if args.open_world:
        import eval_titles_open  # beside this script: bench/ is on sys.path

        eval_titles_open.main(rest)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")

    started = time.perf_counter()
    matcher = WorkMatcher.build(read_works(args.works))
    built = time.perf_counter() - started
    all_items = load_items(args.titles)
    chosen = [i for i, item in enumerate(all_items) if args.split in ("all", item.split)]
    items = [all_items[i] for i in chosen]
    methods: dict[str, Callable[[], list[Answer]]] = {
        "castwatch": lambda: castwatch_answers(matcher, all_items),
        "rapidfuzz WRatio": lambda: rapidfuzz_answers(all_items, args.works, parsed=False),
        "rapidfuzz + parser": lambda: rapidfuzz_answers(all_items, args.works, parsed=True),
    }
    print(f"{len(matcher)} works indexed in {built:.2f} s; {len(items)} names ({args.split} split)")
    print(
        f"{'method':<20} {'cut-off':>7} {'precision':>9} {'recall':>7} {'answered':>8}"
        f" {'names/s':>8}"
    )
    results: dict[str, tuple[list[Scores], Scores]] = {}
    every: dict[str, list[Answer]] = {}
    best_recall: dict[str, str] = {}
    for name, run in methods.items():
        started = time.perf_counter()
        answers = run()
        rate = len(all_items) / (time.perf_counter() - started)
        every[name] = answers
        mine = [answers[i] for i in chosen]
        threshold = matcher.threshold if name == "castwatch" else BASELINE_CUTOFF
        at = scores(items, mine, threshold)
        results[name] = (curve(items, mine), at)
        reachable = [p for p in results[name][0] if p.precision >= TARGET_PRECISION and p.answered]
        best_recall[name] = (
            f"{max(p.recall for p in reachable):.3f}" if reachable else "never reaches it"
        )
        print(
            f"{name:<20} {threshold:>7.2f} {at.precision:>9.3f} {at.recall:>7.3f} "
            f"{at.answered:>8} {rate:>8.0f}"
        )
    print(f"best recall at precision >= {TARGET_PRECISION} (cut-off chosen on this split itself):")
    print("  " + "; ".join(f"{name} {value}" for name, value in best_recall.items()))
    plot(results, args.plot, args.split)
    print(f"precision-recall curves: {args.plot}")
    if args.fit:
        fit(all_items, every["castwatch"])
    if args.errors:
        _errors(matcher, items, [every["castwatch"][i] for i in chosen])


def _errors(matcher: WorkMatcher, items: Sequence[Item], answers: Sequence[Answer]) -> None:
    for item, answer in zip(items, answers, strict=True):
        answered = answer.candidate is not None and answer.confidence >= matcher.threshold
        if (answer.candidate if answered else None) == item.work_id:
            continue
        what = "WRONG" if answered else "MISSED"
        found = matcher.match(item.title, item.kind, item.year, item.tmdb)
        print(
            f"{what:6} {item.title!r} kind={item.kind} year={item.year} -> "
            f"{answer.candidate} ({answer.confidence:.2f} {found.why['rule']}) "
            f"truth={item.work_id} parsed={found.why['parsed']['title']!r} {item.note}"
        )


if __name__ == "__main__":
    main()
