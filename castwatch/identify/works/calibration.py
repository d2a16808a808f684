"""From a decision's raw score to the probability that it is right, and the abstain threshold.

The decision rules (:mod:`castwatch.identify.works.rules`) give every answer a raw score in
the same scale whichever rule decided; this module maps it through one logistic curve,
fitted on the calibration half of ``eval/titles.jsonl`` by ``bench/eval_titles.py --fit``
(which prints the two constants to paste here). Refit after changing any rule's raw score.
"""

from __future__ import annotations

import math

#: Logistic map from raw score to the probability of being right: (slope, intercept), fitted
#: on the calibration half of eval/titles.jsonl by ``bench/eval_titles.py --fit``.
CALIBRATION: tuple[float, float] = (11.614, -3.077)
#: Below this calibrated confidence the matcher abstains (``target_id`` is ``None``).
DEFAULT_THRESHOLD = 0.62


def calibrate(raw: float) -> float:
    """The probability that a decision of raw score ``raw`` is right (:data:`CALIBRATION`)."""
    if raw <= 0.0:
        return 0.0  # no candidate at all
    slope, intercept = CALIBRATION
    return 1.0 / (1.0 + math.exp(-(slope * raw + intercept)))
