"""What the eval benches share: the rapidfuzz baseline, the printed table and the PR plot.

Imported by ``bench/eval_identify.py``, ``bench/eval_channels_real.py`` and
``bench/identify.py``; a module of its own so that no bench script imports another's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from castwatch.identify.registries.iptv_org import IptvOrgData


class RapidfuzzBaseline:
    """The open baseline: rapidfuzz ``extractOne`` (WRatio) over every name and alt name."""

    def __init__(self, data: IptvOrgData) -> None:
        from rapidfuzz import utils

        self._choices: list[str] = []
        self._owners: list[str] = []
        for channel in data.channels:
            for name in (channel.name, *channel.alt_names):
                self._choices.append(utils.default_process(name))
                self._owners.append(channel.id)

    def best(self, name: str) -> tuple[str | None, float]:
        """The channel id whose name scores highest against ``name``, and that score (0-100)."""
        from rapidfuzz import fuzz, process, utils

        found = process.extractOne(
            utils.default_process(name), self._choices, scorer=fuzz.WRatio, processor=None
        )
        return (self._owners[found[2]], found[1]) if found else (None, 0.0)


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print ``rows`` under ``header`` in columns as wide as their widest cell."""
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def pr_points(rights: Iterable[bool], total: int) -> tuple[list[float], list[float]]:
    """(right / ``total``, right / answers) as answers, best first, are taken one by one."""
    xs: list[float] = []
    ys: list[float] = []
    good = 0
    for count, is_right in enumerate(rights, 1):
        good += is_right
        xs.append(good / (total or 1))
        ys.append(good / count)
    return xs, ys


@contextmanager
def pr_axes(
    path: Path,
    title: str,
    xlabel: str,
    curves: dict[str, tuple[list[float], list[float]]],
    marks: dict[str, tuple[float, float]],
) -> Iterator[Any]:
    """Axes with ``curves`` and ``marks`` drawn; on leaving, the legend is drawn and saved."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.6), dpi=110)
    for label, (xs, ys) in curves.items():
        axes.plot(xs, ys, label=label)
    for label, (x, y) in marks.items():
        axes.plot([x], [y], "o", label=label)
    yield axes
    axes.set_xlabel(xlabel)
    axes.set_ylabel("precision (right answers / answers)")
    axes.set_title(title)
    axes.set_xlim(0.0, 1.0)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
