"""Identification quality on the held-out half of the eval set, against a rapidfuzz baseline.

    .venv/bin/python bench/eval_identify.py [--registry DIR] [--fit] [--no-baseline] [--no-real]

Two sections: the pirate-style eval set below, then real guide names with site-disjoint
cross-validation (``bench/eval_channels_real.py``, PR curve ``docs/img/pr-channels-real.png``).

Channels (``eval/channels.jsonl``, see ``eval/README.md``): every line is identified by
castwatch's :class:`~castwatch.identify.channels.matcher.ChannelMatcher` against the full iptv-org
registry, and by the open baseline, rapidfuzz ``process.extractOne`` (WRatio) over every
channel name and alt name. Lines are split in two by a hash of the name: the *calibration*
half fits the confidence calibration (``--fit``) and chooses the baseline's cutoff; every
figure printed is measured on the other, *test* half.

* precision: right answers / answers; recall: right answers / lines that have a true id;
  unknown abstained: lines with no true id that got no answer / such lines.
* ``--fit`` refits the logistic calibration and the abstain threshold (the lowest one with
  precision >= 0.98 on the calibration half, and never below 0.5) and prints the constants
  to paste into ``castwatch/identify/channels/ranking.py``; the test figures then use it.
* The precision-recall curves of both go to ``docs/img/pr-channels.png``.

A ``titles`` section (works matching) can be added as another ``_section_*`` function that
returns rows for ``_tables.print_table``, next to :func:`channels_section`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _tables import RapidfuzzBaseline, pr_axes, pr_points, print_table  # noqa: E402

from castwatch.identify.channels.matcher import ChannelMatcher  # noqa: E402
from castwatch.identify.channels.ranking import Calibration  # noqa: E402
from castwatch.identify.registries.iptv_org import IptvOrgData, load_iptv_org  # noqa: E402

EVAL_CHANNELS = ROOT / "eval" / "channels.jsonl"
PR_PLOT = ROOT / "docs" / "img" / "pr-channels.png"
DEFAULT_REGISTRY = ROOT.parent / "shared" / "data" / "iptv-org"
TARGET_PRECISION = 0.98
MIN_THRESHOLD = 0.5


@dataclass(slots=True)
class Outcome:
    """One eval line as a contender saw it: its best guess and how sure it was."""

    truth: str | None
    guess: str | None
    confidence: float
    split: str
    source: str
    kind: str
    feed_truth: str | None = None
    feed_guess: str | None = None
    score: float = 0.0
    margin: float = 0.0
    tied: int = 1


def split_of(line: dict[str, Any]) -> str:
    """``calibration`` or ``test``, fixed by a hash of the name."""
    return "test" if zlib.crc32(line["name"].encode()) % 2 else "calibration"


def read_lines(path: Path = EVAL_CHANNELS) -> list[dict[str, Any]]:
    """The eval set's lines."""
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines() if text]


def build_matcher(data: IptvOrgData) -> tuple[ChannelMatcher, float]:
    """The matcher over the whole registry, and the seconds it took to build."""
    start = time.perf_counter()
    regions = {code: region.countries for code, region in data.regions.items()}
    matcher = ChannelMatcher.build(data.channels, data.countries, regions=regions)
    return matcher, time.perf_counter() - start


def run_castwatch(matcher: ChannelMatcher, lines: Sequence[dict[str, Any]]) -> list[Outcome]:
    """castwatch's answer for every line (the best guess is kept when it abstains)."""
    outcomes = []
    for line in lines:
        result = matcher.match(line["name"], line.get("country"), None, line.get("group"))
        why = result.why
        outcomes.append(
            Outcome(
                line["truth"],
                why.get("best"),
                result.confidence,
                split_of(line),
                line["source"],
                line.get("kind") or ("known" if line["truth"] else line["source"]),
                line.get("feed"),
                result.feed_id,
                why.get("score", 0.0),
                why.get("margin", 0.0),
                why.get("tied_count", 1),
            )
        )
    return outcomes


def run_rapidfuzz(data: IptvOrgData, lines: Sequence[dict[str, Any]]) -> list[Outcome]:
    """The baseline: extractOne (WRatio) over every name and alt name, choices preprocessed."""
    baseline = RapidfuzzBaseline(data)
    outcomes = []
    for line in lines:
        guess, score = baseline.best(line["name"])
        outcomes.append(
            Outcome(
                line["truth"],
                guess,
                score / 100.0,
                split_of(line),
                line["source"],
                line.get("kind") or ("known" if line["truth"] else line["source"]),
            )
        )
    return outcomes


@dataclass(slots=True)
class Metrics:
    """Precision, recall and abstention of one contender at one threshold."""

    threshold: float
    precision: float
    recall: float
    unknown_abstained: float
    answered: int
    lines: int


def metrics(outcomes: Sequence[Outcome], threshold: float) -> Metrics:
    """Figures for ``outcomes`` when answers below ``threshold`` become abstentions."""
    answered = [o for o in outcomes if o.guess is not None and o.confidence >= threshold]
    right = sum(1 for o in answered if o.guess == o.truth)
    known = sum(1 for o in outcomes if o.truth is not None)
    unknown = [o for o in outcomes if o.truth is None]
    abstained = sum(1 for o in unknown if o.guess is None or o.confidence < threshold)
    return Metrics(
        threshold,
        right / len(answered) if answered else 1.0,
        right / known if known else 0.0,
        abstained / len(unknown) if unknown else 1.0,
        len(answered),
        len(outcomes),
    )


def fit_calibration(outcomes: Sequence[Outcome], base: Calibration) -> Calibration:
    """Logistic fit of P(best is right) on (score, capped margin); threshold for 98 %."""
    import numpy as np

    # Ties share their probability by construction (Calibration.confidence): not fitted.
    usable = [o for o in outcomes if o.guess is not None and o.tied == 1]
    features = np.array([[o.score, min(o.margin, base.margin_cap), 1.0] for o in usable])
    labels = np.array([1.0 if o.guess == o.truth else 0.0 for o in usable])
    weights = np.zeros(3)
    ridge = np.diag([1e-3, 1e-3, 0.0])
    for _ in range(50):  # Newton steps (IRLS) with a little ridge: it converges in a few
        p = 1.0 / (1.0 + np.exp(-features @ weights))
        gradient = features.T @ (labels - p) - ridge @ weights
        hessian = (features.T * (p * (1 - p))) @ features + ridge
        step = np.linalg.solve(hessian, gradient)
        weights += step
        if float(np.abs(step).max()) < 1e-8:
            break
    score_weight, margin_weight, bias = (round(float(w), 3) for w in weights)
    fitted = replace(base, weight_score=score_weight, weight_margin=margin_weight, bias=bias)
    for o in outcomes:
        o.confidence = fitted.confidence(o.score, o.margin, o.tied) if o.guess else 0.0
    candidates = sorted({round(o.confidence, 3) for o in outcomes if o.guess is not None})
    threshold = next(
        (t for t in candidates if metrics(outcomes, t).precision >= TARGET_PRECISION), 1.0
    )
    # Never answer below even odds, whatever the cumulative precision allows.
    return replace(fitted, threshold=max(MIN_THRESHOLD, threshold))


def reliability(outcomes: Sequence[Outcome]) -> list[list[str]]:
    """Rows of (confidence bin, answers, mean confidence, share right): is it calibrated?"""
    rows = []
    for low in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97):
        high = {0.0: 0.1, 0.1: 0.3, 0.3: 0.5, 0.5: 0.7, 0.7: 0.9, 0.9: 0.97, 0.97: 1.01}[low]
        part = [o for o in outcomes if o.guess is not None and low <= o.confidence < high]
        if part:
            mean = sum(o.confidence for o in part) / len(part)
            right = sum(o.guess == o.truth for o in part) / len(part)
            rows.append([f"[{low:.2f}, {min(high, 1.0):.2f})", str(len(part)), f"{mean:.3f}",
                         f"{right:.3f}"])  # fmt: skip
    return rows


def best_cutoff(outcomes: Sequence[Outcome]) -> float:
    """The baseline's cutoff with the best F1 on ``outcomes`` (the calibration half)."""

    def f1(cutoff: float) -> float:
        m = metrics(outcomes, cutoff)
        return 2 * m.precision * m.recall / (m.precision + m.recall or 1.0)

    return max((c / 100.0 for c in range(0, 101)), key=f1)


def pr_curve(outcomes: Sequence[Outcome]) -> tuple[list[float], list[float]]:
    """(recall, precision) points as the threshold falls through every confidence."""
    ranked = sorted((o for o in outcomes if o.guess is not None), key=lambda o: -o.confidence)
    known = sum(1 for o in outcomes if o.truth is not None)
    return pr_points((o.guess == o.truth for o in ranked), known)


def plot(curves: dict[str, tuple[list[float], list[float]]], marks: dict[str, Metrics]) -> None:
    """Write the precision-recall curves to :data:`PR_PLOT`."""
    title = "Channel identification, held-out half of eval/channels.jsonl"
    points = {label: (mark.recall, mark.precision) for label, mark in marks.items()}
    xlabel = "recall (right answers / names with a true id)"
    with pr_axes(PR_PLOT, title, xlabel, curves, points) as axes:
        lowest = min((min(p) for _, p in curves.values() if p), default=0.5)
        axes.set_ylim(max(0.0, min(0.5, lowest) - 0.02), 1.005)


def _row(name: str, m: Metrics) -> list[str]:
    return [name, f"{m.threshold:.3f}", f"{m.precision:.3f}", f"{m.recall:.3f}",
            f"{m.unknown_abstained:.3f}", f"{m.answered}/{m.lines}"]  # fmt: skip


def channels_section(args: argparse.Namespace, data: IptvOrgData) -> None:
    """Channels: castwatch and the baseline on the test half, and the PR plot."""
    lines = read_lines()
    matcher, build_seconds = build_matcher(data)
    print(f"registry: {len(data.channels):,} channels; matcher built in {build_seconds:.1f} s")
    ours = run_castwatch(matcher, lines)
    calibration = matcher.calibration
    if args.fit:
        calibration = fit_calibration([o for o in ours if o.split == "calibration"], calibration)
        print(f"fitted on the calibration half: {calibration}")
        for o in ours:
            o.confidence = calibration.confidence(o.score, o.margin, o.tied) if o.guess else 0.0
    test = [o for o in ours if o.split == "test"]
    ours_m = metrics(test, calibration.threshold)
    rows = [_row("castwatch (default threshold)", ours_m)]
    for source in ("generated", "handwritten"):
        part = [o for o in test if o.source == source]
        rows.append(_row(f"  castwatch, {source} lines", metrics(part, calibration.threshold)))
    feeds = [o for o in test if o.feed_truth and o.guess == o.truth]
    curves = {"castwatch": pr_curve(test)}
    marks = {f"castwatch at {calibration.threshold:.2f}": ours_m}
    if not args.no_baseline:
        theirs = run_rapidfuzz(data, lines)
        cutoff = best_cutoff([o for o in theirs if o.split == "calibration"])
        their_test = [o for o in theirs if o.split == "test"]
        their_m = metrics(their_test, cutoff)
        rows.append(_row("rapidfuzz extractOne WRatio (best-F1 cutoff)", their_m))
        rows.append(_row("rapidfuzz, no cutoff (top-1 always answered)", metrics(their_test, 0.0)))
        for source in ("generated", "handwritten"):
            part = [o for o in their_test if o.source == source]
            rows.append(_row(f"  rapidfuzz, {source} lines", metrics(part, cutoff)))
        curves["rapidfuzz extractOne (WRatio)"] = pr_curve(their_test)
        marks[f"rapidfuzz at cutoff {cutoff:.2f}"] = their_m
    header = ["contender (test half)", "threshold", "precision", "recall", "unknown abst.",
              "answered"]  # fmt: skip
    print_table("Channels, held-out half of eval/channels.jsonl", header, rows)
    kinds = sorted({o.kind for o in test if o.truth is None})
    abstain = []
    for kind in kinds:
        part = [o for o in test if o.kind == kind]
        share = metrics(part, calibration.threshold).unknown_abstained
        abstain.append([kind, f"{share:.3f}", str(len(part))])
    print_table("castwatch abstention on unknown names, by kind", ["kind", "abstained", "n"],
                 abstain)  # fmt: skip
    print_table("castwatch calibration on the test half (best guesses, answered or not)",
                 ["confidence", "n", "mean conf.", "right"], reliability(test))  # fmt: skip
    sweep = [_row(f"castwatch at {t:.2f}", metrics(test, t)) for t in (0.2, 0.5, 0.8, 0.95)]
    print_table("castwatch at other thresholds (test half)", header, sweep)
    if feeds:
        right = sum(1 for o in feeds if o.feed_guess == o.feed_truth)
        print(f"\nfeeds: {right}/{len(feeds)} right where a feed is implied and the channel is")
    plot(curves, marks)
    print(f"\nprecision-recall curves: {PR_PLOT.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=DEFAULT_REGISTRY)
    parser.add_argument("--fit", action="store_true", help="refit calibration and threshold")
    parser.add_argument("--no-baseline", action="store_true", help="skip rapidfuzz (slow)")
    parser.add_argument("--no-real", action="store_true", help="skip the real guide names")
    parser.add_argument("--folds", type=int, default=5, help="site folds for the real names")
    args = parser.parse_args()
    data = load_iptv_org(args.registry)
    channels_section(args, data)
    if not args.no_real:
        from eval_channels_real import real_section

        matcher, _ = build_matcher(data)
        real_section(data, matcher, args.folds, not args.no_baseline)


if __name__ == "__main__":
    main()
