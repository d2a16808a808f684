"""A name's candidate channels, best first, and how their scores become a confidence.

:class:`Ranking` is what :class:`~castwatch.identify.channels.scoring.Scorer` produces for one
name: every channel that matched, each with the entry and reading that scored best and the
adjustments that made its score (:class:`Scored`). :class:`Calibration` maps the best score,
its margin over the runner-up and the number of tied channels to the probability of being
right (logistic, fitted on the calibration half of ``eval/channels.jsonl`` by
``bench/eval_identify.py --fit``). ``Ranking.explain`` writes the JSON-able ``why``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from castwatch.identify.channels.hints import Hint
from castwatch.identify.channels.index import ChannelIndex
from castwatch.identify.channels.names import NormalizedName, Variant

#: Scores this close are a tie: nothing in the name chooses between the channels.
TIE = 0.005
#: Channels scoring within this of the best are its rivals (see :meth:`Ranking.evidence`).
RIVAL = 0.25
#: What :meth:`Ranking.evidence` measures, in order; ``why["evidence"]`` shows it by name.
EVIDENCE = (
    "hint: country",
    "hint: region",
    "hint: language",
    "hint: none matches",
    "rivals (log)",
    "same name elsewhere (log)",
    "family members (log)",
    "short name",
    "family member chosen",
    "call sign",
)


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
    #: Weights of :meth:`Ranking.evidence` (same order as :data:`EVIDENCE`); none: all 0.
    weight_evidence: tuple[float, ...] = ()

    def confidence(
        self, score: float, margin: float, tied: int = 1, evidence: Sequence[float] = ()
    ) -> float:
        """The calibrated probability for a best score and its margin over the runner-up.

        ``tied`` channels sharing the best score share the probability: with nothing to
        choose between them, each is right at most once in ``tied`` times. ``evidence`` is
        :meth:`Ranking.evidence`: what else says whether the answer can be trusted.
        """
        if score <= 0.0:
            return 0.0
        z = self.weight_score * score + self.weight_margin * min(margin, self.margin_cap)
        z += sum(w * x for w, x in zip(self.weight_evidence, evidence, strict=False))
        return 1.0 / (1.0 + math.exp(-(z + self.bias))) / max(1, tied)


#: Fitted by ``bench/eval_identify.py --fit`` on the calibration half of the eval set.
DEFAULT_CALIBRATION = Calibration(
    weight_score=29.033, weight_margin=23.609, bias=-25.971, threshold=0.5
)

#: For guide-style names (no panel decorations, a language per name, a market per service):
#: fitted with evidence weights on every site of the epg-names dev set by
#: ``bench/eval_channels_real.py``, threshold for precision 0.97 there. Site-disjoint
#: cross-validation of the same fit reaches 0.43 accuracy at 0.97 precision on held-out sites
#: (docs/identify.md); it is not the default because pirate-style names score lower and its
#: threshold would drop their recall.
GUIDE_CALIBRATION = Calibration(
    weight_score=4.358,
    weight_margin=11.401,
    bias=-5.691,
    threshold=0.941,
    weight_evidence=(2.055, 1.676, 1.486, 0.934, 0.15, 0.501, -0.591, -0.192, 0.388, 2.78),
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

    def evidence(self, index: ChannelIndex | None = None) -> tuple[float, ...]:
        """Features beside score and margin that the calibration weighs (:data:`EVIDENCE`).

        Real guide names fail in a few ways that score and margin do not see: the right name
        in the wrong country (the hint matched nothing), a name many channels bear (rivals),
        a short name (``TNT``, ``ONE``) that is a family's parent or another brand.
        """
        best = self.best
        if best is None:
            return (0.0,) * len(EVIDENCE)
        area = best.area
        hinted = bool(self.hint)
        floor = best.score - RIVAL
        rivals = sum(1 for s in self.ranked[1:64] if s.score >= floor)
        key = "".join(self.normalized.tokens)
        homonyms = family = 0
        if index is not None:
            # Other channels that bear the answer's very name (HGTV in six countries), and
            # those whose names hold every word of it (CNN: CNN International, CNN Chile).
            channel_of = index.entry_channel
            homonyms = len({channel_of[e] for e in index.keys.get(index.entry_key[best.entry],
                            ())} - {best.channel})  # fmt: skip
            wanted = set(index.entry_stems[best.entry])
            family = sum(1 for s in self.ranked[1:64] if wanted <= set(index.entry_stems[s.entry]))
        return (
            float(area == "country"),
            float(area == "region"),
            float(area == "language"),
            float(hinted and area is None),
            math.log1p(rivals),
            math.log1p(homonyms),
            math.log1p(family),
            float(len(key) <= 4),
            float("family member matches the hint" in best.adjustments),
            float("call sign" in best.adjustments),
        )

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
            evidence={
                k: round(v, 3) for k, v in zip(EVIDENCE, self.evidence(index), strict=True) if v
            },
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
