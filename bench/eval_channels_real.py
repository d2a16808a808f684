"""Channel identification on real guide names, with site-disjoint cross-validation.

Used by ``bench/eval_identify.py`` (its ``--real`` section); runnable alone too:

    .venv/bin/python bench/eval_channels_real.py [--registry DIR] [--folds 5] [--no-baseline]

The dev set (``../shared/data/epg-names/epg_names_dev.tsv``, see its SOURCE.md) holds 10,915
names as 102 TV-guide sites write them, each with the iptv-org id the guide's maintainers
gave it. Sites are dealt into folds (largest first, each to the lightest fold), so that no
site is both fitted on and measured. Each site is identified as one service: the site's
``lang`` column is every name's language hint, and the market hint
(:func:`castwatch.identify.channels.market.market_hint`) is read off the site's own names.
Everything fitted (the logistic calibration over score, margin and evidence, the threshold
that reaches the precision target, rapidfuzz's cutoff) is fitted on a fold's training sites
and measured on its held-out sites; the figures pool the held-out answers of every fold.

* accuracy: right answers / names; precision: right answers / answers. Right: the answer's
  channel id equals the label's part before ``@``; feed-aware: the feed too (no feed named:
  the channel's main feed).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _tables import RapidfuzzBaseline, pr_axes, pr_points, print_table  # noqa: E402

from castwatch.identify.channels.market import identify_with_market  # noqa: E402
from castwatch.identify.channels.matcher import ChannelMatcher, ChannelQuery  # noqa: E402
from castwatch.identify.channels.ranking import EVIDENCE, Calibration  # noqa: E402
from castwatch.identify.registries.iptv_org import IptvOrgData, load_iptv_org  # noqa: E402

DEV_SET = ROOT.parent / "shared" / "data" / "epg-names" / "epg_names_dev.tsv"
PR_PLOT = ROOT / "docs" / "img" / "pr-channels-real.png"
DEFAULT_REGISTRY = ROOT.parent / "shared" / "data" / "iptv-org"
TARGET_PRECISION = 0.97
MIN_THRESHOLD = 0.5


@dataclass(slots=True)
class Named:
    """One dev-set name, castwatch's best guess for it and what its confidence is made of."""

    site: str
    name: str
    truth: str
    truth_feed: str
    guess: str | None
    feed_guess: str | None
    score: float
    margin: float
    tied: int
    evidence: tuple[float, ...]
    confidence: float = 0.0


def read_dev(path: Path = DEV_SET) -> list[dict[str, str]]:
    """The dev set's rows (site, lang, xmltv_id, site_name)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def folds_of(rows: Sequence[dict[str, str]], folds: int) -> dict[str, int]:
    """Each site's fold: sites by size, largest first, each to the fold with fewest names."""
    sizes: dict[str, int] = defaultdict(int)
    for row in rows:
        sizes[row["site"]] += 1
    load = [0] * folds
    out: dict[str, int] = {}
    for site in sorted(sizes, key=lambda s: (-sizes[s], s)):
        fold = min(range(folds), key=lambda f: (load[f], f))
        out[site] = fold
        load[fold] += sizes[site]
    return out


def run_castwatch(matcher: ChannelMatcher, rows: Sequence[dict[str, str]]) -> list[Named]:
    """castwatch on every site as one service (language from ``lang``, market from names)."""
    by_site: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_site[row["site"]].append(row)
    out: list[Named] = []
    for site, site_rows in by_site.items():
        queries = [ChannelQuery(r["site_name"], language=r["lang"] or None) for r in site_rows]
        found, _ = identify_with_market(matcher, queries)
        for row, result in zip(site_rows, found, strict=True):
            why = result.why
            truth, _, feed = row["xmltv_id"].partition("@")
            named = why.get("evidence", {})
            out.append(
                Named(
                    site,
                    row["site_name"],
                    truth,
                    feed,
                    why.get("best"),
                    result.feed_id,
                    why.get("score", 0.0),
                    why.get("margin", 0.0),
                    why.get("tied_count", 1),
                    tuple(float(named.get(k, 0.0)) for k in EVIDENCE),
                    result.confidence,
                )
            )
    return out


def run_rapidfuzz(data: IptvOrgData, rows: Sequence[dict[str, str]]) -> list[Named]:
    """The baseline: rapidfuzz ``extractOne`` (WRatio) over every registry name."""
    baseline = RapidfuzzBaseline(data)
    out = []
    seen: dict[str, tuple[str | None, float]] = {}  # guides repeat names: each scored once
    for row in rows:
        name = row["site_name"]
        if name not in seen:
            guess, score = baseline.best(name)
            seen[name] = (guess, score / 100.0)
        guess, score = seen[name]
        truth, _, feed = row["xmltv_id"].partition("@")
        out.append(Named(row["site"], name, truth, feed, guess, None, score, 0.0, 1, (), score))
    return out


def features(named: Named, margin_cap: float) -> list[float]:
    """What the calibration weighs, in :class:`Calibration`'s order, bias last."""
    return [named.score, min(named.margin, margin_cap), *named.evidence, 1.0]


def fit_calibration(train: Sequence[Named], base: Calibration) -> Calibration:
    """Logistic fit of P(best guess is right) on :func:`features` (IRLS, a little ridge)."""
    import numpy as np

    usable = [n for n in train if n.guess is not None and n.tied == 1]
    x = np.array([features(n, base.margin_cap) for n in usable])
    y = np.array([1.0 if n.guess == n.truth else 0.0 for n in usable])
    size = x.shape[1]
    ridge = np.eye(size) * 1e-2
    ridge[-1, -1] = 0.0
    w = np.zeros(size)
    for _ in range(60):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (y - p) - ridge @ w
        hessian = (x.T * (p * (1 - p))) @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        w += step
        if float(np.abs(step).max()) < 1e-8:
            break
    weights = [round(float(v), 3) for v in w]
    return replace(
        base,
        weight_score=weights[0],
        weight_margin=weights[1],
        weight_evidence=tuple(weights[2:-1]),
        bias=weights[-1],
    )


def recalibrate(named: Sequence[Named], calibration: Calibration) -> None:
    """Every guess's confidence under ``calibration``."""
    for n in named:
        n.confidence = (
            calibration.confidence(n.score, n.margin, n.tied, n.evidence) if n.guess else 0.0
        )


@dataclass(slots=True)
class Figures:
    """Accuracy and precision of one contender at one threshold."""

    threshold: float
    accuracy: float
    precision: float
    answered: int
    names: int
    feed_accuracy: float = 0.0


def right(n: Named) -> bool:
    """The answer names the label's channel."""
    return n.guess == n.truth


def figures(named: Sequence[Named], threshold: float, main_feeds: dict[str, str] | None = None
            ) -> Figures:  # fmt: skip
    """Figures when guesses below ``threshold`` are abstentions."""
    answered = [n for n in named if n.guess is not None and n.confidence >= threshold]
    good = sum(1 for n in answered if right(n))
    feeds = 0
    if main_feeds is not None:
        feeds = sum(
            1 for n in answered
            if right(n) and (n.feed_guess or main_feeds.get(n.guess or "", "")) == n.truth_feed
        )  # fmt: skip
    total = len(named) or 1
    return Figures(threshold, good / total, good / len(answered) if answered else 1.0,
                   len(answered), len(named), feeds / total)  # fmt: skip


def threshold_for(named: Sequence[Named], target: float = TARGET_PRECISION) -> float:
    """The lowest threshold at which ``named`` (training sites) reach ``target`` precision."""
    ranked = sorted((n for n in named if n.guess is not None), key=lambda n: -n.confidence)
    good = 0
    best = 1.0
    for count, n in enumerate(ranked, 1):
        good += right(n)
        nxt = ranked[count].confidence if count < len(ranked) else -1.0
        if nxt == n.confidence:
            continue  # a threshold cannot split equal confidences
        if good / count >= target:
            best = n.confidence
    return max(MIN_THRESHOLD, best) if ranked else 1.0


def cross_validate(
    named: Sequence[Named],
    fold_of: dict[str, int],
    folds: int,
    fit: Callable[[Sequence[Named]], float],
) -> tuple[list[Named], list[float]]:
    """Held-out guesses of every fold, with ``fit`` run on its training sites; thresholds."""
    held: list[Named] = []
    thresholds: list[float] = []
    for fold in range(folds):
        train = [replace(n) for n in named if fold_of[n.site] != fold]
        test = [replace(n) for n in named if fold_of[n.site] == fold]
        threshold = fit(train)
        thresholds.append(threshold)
        for n in test:
            n.confidence = n.confidence if n.guess else 0.0
        held.extend(_thresholded(test, threshold))
    return held, thresholds


def _thresholded(test: list[Named], threshold: float) -> list[Named]:
    # Confidences are rescaled so that every fold's threshold sits at 0.5: the pooled
    # held-out set is then read at one threshold, and its PR curve is meaningful.
    for n in test:
        c = n.confidence
        n.confidence = 0.5 * c / threshold if c < threshold else 0.5 + 0.5 * (c - threshold) / (
            1.0 - threshold or 1.0)  # fmt: skip
    return test


def pr_curve(named: Sequence[Named]) -> tuple[list[float], list[float]]:
    """(accuracy, precision) points as the threshold falls through every confidence."""
    ranked = sorted((n for n in named if n.guess is not None), key=lambda n: -n.confidence)
    return pr_points((right(n) for n in ranked), len(named))


def reach_at(xs: Sequence[float], ys: Sequence[float], level: float) -> float:
    """The highest accuracy of a PR curve whose precision is at least ``level``."""
    return max((x for x, y in zip(xs, ys, strict=True) if y >= level), default=0.0)


def plot(curves: dict[str, tuple[list[float], list[float]]], marks: dict[str, Figures]) -> None:
    """Write the curves to :data:`PR_PLOT`."""
    title = "Real guide names (epg-names dev), held-out sites of 5 folds"
    points = {label: (mark.accuracy, mark.precision) for label, mark in marks.items()}
    with pr_axes(PR_PLOT, title, "accuracy (right answers / names)", curves, points) as axes:
        axes.axhline(0.97, color="grey", lw=0.6, ls="--")
        axes.axvline(0.80, color="grey", lw=0.6, ls="--")
        axes.set_ylim(0.5, 1.005)


def _row(label: str, f: Figures) -> list[str]:
    return [label, f"{f.accuracy:.3f}", f"{f.precision:.3f}", f"{f.feed_accuracy:.3f}",
            f"{f.answered}/{f.names}"]  # fmt: skip


def real_section(data: IptvOrgData, matcher: ChannelMatcher, folds: int, baseline: bool) -> None:
    """Print the cross-validated figures, the per-site table, and write the PR plot."""
    rows = read_dev()
    fold_of = folds_of(rows, folds)
    start = time.perf_counter()
    ours = run_castwatch(matcher, rows)
    print(f"\nreal guide names: {len(rows):,} names, {len(fold_of)} sites, {folds} folds by site;"
          f" castwatch took {time.perf_counter() - start:.1f} s")  # fmt: skip
    main_feeds = {c.id: next((f.feed_id for f in c.feeds if f.is_main), "") for c in data.channels}
    base = matcher.calibration
    untuned = figures(ours, base.threshold, main_feeds)

    def fit_ours(train: Sequence[Named]) -> float:
        calibration = fit_calibration(train, base)
        recalibrate(train, calibration)
        fitted.append(calibration)
        return threshold_for(train)

    fitted: list[Calibration] = []
    # The fold's calibration must score its own test names: refit, then apply per fold.
    held: list[Named] = []
    thresholds: list[float] = []
    for fold in range(folds):
        train = [replace(n) for n in ours if fold_of[n.site] != fold]
        test = [replace(n) for n in ours if fold_of[n.site] == fold]
        threshold = fit_ours(train)
        recalibrate(test, fitted[-1])
        thresholds.append(threshold)
        held.extend(_thresholded(test, threshold))
    ours_cv = figures(held, 0.5, main_feeds)
    header = ["contender (held-out sites)", "accuracy", "precision", "feed-aware acc.",
              "answered"]  # fmt: skip
    table = [
        _row(f"castwatch, shipped calibration (threshold {base.threshold:.2f})", untuned),
        _row("castwatch, calibrated on training sites (precision target 0.97)", ours_cv),
    ]
    curves = {"castwatch (fold-calibrated)": pr_curve(held)}
    marks = {"castwatch at its fold thresholds": ours_cv}
    if baseline:
        start = time.perf_counter()
        theirs = run_rapidfuzz(data, rows)
        seconds = time.perf_counter() - start
        their_held, cutoffs = cross_validate(theirs, fold_of, folds, threshold_for)
        their_cv = figures(their_held, 0.5)
        table.append(_row("rapidfuzz extractOne WRatio, cutoff fitted the same way", their_cv))
        table.append(_row("rapidfuzz, no cutoff (top-1 always answered)", figures(theirs, 0.0)))
        curves["rapidfuzz extractOne (WRatio)"] = pr_curve(their_held)
        marks["rapidfuzz at its fold cutoffs"] = their_cv
        print(f"rapidfuzz took {seconds:.1f} s; cutoffs by fold: "
              + ", ".join(f"{c:.2f}" for c in cutoffs))  # fmt: skip
    print("castwatch thresholds by fold: " + ", ".join(f"{t:.3f}" for t in thresholds))
    print_table("Channels, real guide names (site-disjoint cross-validation)", header, table)
    levels = (0.90, 0.95, 0.97, 0.99)
    curve_rows = [
        [label, *(f"{reach_at(xs, ys, level):.3f}" for level in levels)]
        for label, (xs, ys) in curves.items()
    ]
    print_table("PR curve, pooled held-out sites: accuracy where precision >= ...",
                ["contender", *(f"{level:.2f}" for level in levels)], curve_rows)  # fmt: skip
    by_site: dict[str, list[Named]] = defaultdict(list)
    for n in held:
        by_site[n.site].append(n)
    site_rows = []
    for site in sorted(by_site, key=lambda s: -len(by_site[s])):
        f = figures(by_site[site], 0.5)
        site_rows.append([site, str(fold_of[site]), str(f.names), f"{f.accuracy:.3f}",
                          f"{f.precision:.3f}", str(f.answered)])  # fmt: skip
    print_table("Per site (held out in its fold)", ["site", "fold", "names", "accuracy",
           "precision", "answered"], site_rows)  # fmt: skip
    plot(curves, marks)
    print(f"\nprecision-accuracy curves: {PR_PLOT.relative_to(ROOT)}")
    final = fit_calibration(ours, base)
    recalibrate(ours, final)
    final = replace(final, threshold=round(threshold_for(ours), 3))
    print(f"calibration fitted on every dev site (for GUIDE_CALIBRATION): {final}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=DEFAULT_REGISTRY)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true", help="skip rapidfuzz (slow)")
    args = parser.parse_args()
    data = load_iptv_org(args.registry)
    regions = {code: region.countries for code, region in data.regions.items()}
    matcher = ChannelMatcher.build(data.channels, data.countries, regions=regions)
    real_section(data, matcher, args.folds, not args.no_baseline)


if __name__ == "__main__":
    main()
