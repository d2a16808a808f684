"""Score an operator clustering against a ground truth: pairwise precision and recall.

One function for every caller that knows the truth (the demo and ``bench/eval_attribution.py``
both play the simulated ecosystem), so that the figures the demo prints and the figures the
benchmark gates on are computed the same way. A pair of services is "together" when both
have the same operator; precision is the share of the pairs found that are true, recall the
share of the true pairs that were found.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

Pair = tuple[str, str]


def together(groups: Mapping[str, Hashable]) -> set[Pair]:
    """Every (a, b), a < b, of services that ``groups`` puts in the same group."""
    return {(a, b) for a, b in combinations(sorted(groups), 2) if groups[a] == groups[b]}


@dataclass(frozen=True, slots=True)
class ClusteringScore:
    """How a found clustering compares with the true one, over the truth's services."""

    true_pairs: frozenset[Pair]
    found_pairs: frozenset[Pair]
    #: Services of the truth that the clustering never placed (each counted as alone).
    missing: tuple[str, ...]
    #: Decoys (services of no operator of interest) placed together with anything.
    decoys_merged: tuple[str, ...]
    operators_true: int
    operators_found: int
    hits: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hits", len(self.true_pairs & self.found_pairs))

    @property
    def precision(self) -> float:
        return self.hits / len(self.found_pairs) if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.hits / len(self.true_pairs) if self.true_pairs else 1.0

    @property
    def wrong_pairs(self) -> list[Pair]:
        return sorted(self.found_pairs - self.true_pairs)

    @property
    def missed_pairs(self) -> list[Pair]:
        return sorted(self.true_pairs - self.found_pairs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operators_true": self.operators_true,
            "operators_found": self.operators_found,
            "pairs_true": len(self.true_pairs),
            "pairs_found": len(self.found_pairs),
            "precision": self.precision,
            "recall": self.recall,
            "decoys_merged": list(self.decoys_merged),
            "missing": list(self.missing),
        }


def score_clustering(
    found: Mapping[str, Hashable], truth: Mapping[str, Hashable], decoys: Iterable[str] = ()
) -> ClusteringScore:
    """Score ``found`` (service -> operator) against ``truth`` (service -> true operator).

    Only the truth's services count: a found service the truth does not know is ignored, and
    a truth service the clustering never placed counts as an operator of its own.
    """
    missing = tuple(sorted(service for service in truth if service not in found))
    # A tagged tuple cannot collide with any operator id the clustering used.
    placed: dict[str, Hashable] = {
        service: found.get(service, ("missing", service)) for service in truth
    }
    sizes: dict[Hashable, int] = {}
    for operator in placed.values():
        sizes[operator] = sizes.get(operator, 0) + 1
    return ClusteringScore(
        true_pairs=frozenset(together(truth)),
        found_pairs=frozenset(together(placed)),
        missing=missing,
        decoys_merged=tuple(d for d in decoys if d in placed and sizes[placed[d]] > 1),
        operators_true=len(set(truth.values())),
        operators_found=len(sizes),
    )
