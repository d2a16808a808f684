"""A name's candidate channels, best first, and how their scores become a confidence.

:class:`Ranking` is what :class:`~castwatch.identify.channel_scoring.Scorer` produces for one
name: every channel that matched, each with the entry and reading that scored best and the
adjustments that made its score (:class:`Scored`). :class:`Calibration` maps the best score,
its margin over the runner-up and the number of tied channels to the probability of being
right (logistic, fitted on the calibration half of ``eval/channels.jsonl`` by
``bench/eval_identify.py --fit``). ``Ranking.explain`` writes the JSON-able ``why``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from castwatch.identify.channel_index import ChannelIndex
from castwatch.identify.hints import Hint
from castwatch.identify.normalize import NormalizedName, Variant

#: Scores this close are a tie: nothing in the name chooses between the channels.
TIE = 0.005


@dataclass(frozen=True, slots=True)
class Calibration:
    """Logistic map from (score, margin) to the probability that the best channel is right.

    Scores are sums of hand-set weights, not probabilities; an investigator needs to know how
    often an answer at a given confidence is right. To change it, refit on the calibration
    half with ``bench/eval_identify.py --fit`` and replace :data:`DEFAULT_CALIBRATION`, or pass
    another instance to :meth:`ChannelMatcher.build` (a stricter ``threshold``, say).
    """

    weight_score: float
    weight_margin: float
    bias: float
    #: Answers below this confidence become abstentions (chosen for precision >= 0.98).
    threshold: float
    #: Margins above this add nothing: a clear winner is clear.
    margin_cap: float = 0.25

    def confidence(self, score: float, margin: float, tied: int = 1) -> float:
        """The calibrated probability for a best score and its margin over the runner-up.

        ``tied`` channels sharing the best score share the probability: with nothing to
        choose between them, each is right at most once in ``tied`` times.
        """
        if score <= 0.0:
            return 0.0
        z = self.weight_score * score + self.weight_margin * min(margin, self.margin_cap)
        return 1.0 / (1.0 + math.exp(-(z + self.bias))) / max(1, tied)


#: Fitted by ``bench/eval_identify.py --fit`` on the calibration half of the eval set.
DEFAULT_CALIBRATION = Calibration(
    weight_score=29.033, weight_margin=23.609, bias=-25.971, threshold=0.5
)


@dataclass(slots=True)
class Scored:
    """One channel's best entry for a name, with what made its score."""

    channel: int
    entry: int
    score: float
    reading: Variant
    area: str | None = None
    adjustments: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Ranking:
    """The channels a name may be, best first, before calibration."""

    normalized: NormalizedName
    hint: Hint
    hint_sources: dict[str, list[str]]
    ranked: list[Scored]
    feed_id: str | None = None
    rewrites: list[str] = field(default_factory=list)
    #: While scoring: the best channel and its score, and the second-best score.
    leader: int = -1
    leader_score: float = -1.0
    floor: float = -1.0

    def offer(self, channel: int, score: float) -> None:
        """Note a channel's improved score, keeping :attr:`floor` the second-best score."""
        if channel == self.leader:
            self.leader_score = max(self.leader_score, score)
        elif score > self.leader_score:
            self.floor = self.leader_score
            self.leader, self.leader_score = channel, score
        elif score > self.floor:
            self.floor = score

    @property
    def best(self) -> Scored | None:
        """The best channel, if any entry matched at all."""
        return self.ranked[0] if self.ranked else None

    @property
    def score(self) -> float:
        """The best channel's score (0 when nothing matched)."""
        return self.ranked[0].score if self.ranked else 0.0

    @property
    def tied(self) -> int:
        """How many channels share the best score (within :data:`TIE`)."""
        if not self.ranked:
            return 0
        best = self.ranked[0].score
        return sum(1 for scored in self.ranked if scored.score >= best - TIE)

    @property
    def margin(self) -> float:
        """How far the best is ahead of the runner-up (the score itself when alone)."""
        if len(self.ranked) < 2:
            return self.score
        return self.ranked[0].score - self.ranked[1].score

    def explain(self, index: ChannelIndex) -> dict[str, Any]:
        """A JSON-able account of the decision, for ``Identification.why``."""
        why: dict[str, Any] = {
            "normalized": " ".join(self.normalized.tokens),
            "notes": list(self.normalized.notes),
            "hints": {
                "countries": sorted(self.hint.countries),
                "regions": sorted(self.hint.regions),
                "languages": sorted(self.hint.languages),
                "from": self.hint_sources,
            },
        }
        if self.rewrites:
            why["rewrites"] = self.rewrites
        best = self.best
        if best is None:
            return why
        why.update(
            best=index.channel_ids[best.channel],
            matched_name=" ".join(index.entry_tokens[best.entry]),
            matched_tokens=sorted(set(best.reading.tokens) & set(index.entry_tokens[best.entry])),
            rules=list(best.reading.rules),
            score=round(best.score, 4),
            adjustments={k: round(v, 3) for k, v in best.adjustments.items()},
            margin=round(self.margin, 4),
        )
        if best.area:
            why["hint_match"] = best.area
        if self.tied > 1:
            why["tied"] = [index.channel_ids[s.channel] for s in self.ranked[: min(self.tied, 8)]]
            why["tied_count"] = self.tied
        if len(self.ranked) > 1:
            runner = self.ranked[1]
            why["runner_up"] = {
                "id": index.channel_ids[runner.channel],
                "score": round(runner.score, 4),
                "matched_name": " ".join(index.entry_tokens[runner.entry]),
            }
        return why
