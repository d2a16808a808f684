"""Channel identification speed: castwatch against rapidfuzz extractOne, in one run.

    .venv/bin/python bench/identify.py [--names 6000] [--peer-sample 600 | --peer-all]

Workload: ``--names`` channel names, made of every line of ``eval/channels.jsonl`` (the
labelled part: true iptv-org id or none) topped up with live-channel names and group titles
of the simulated panel (``castwatch.sim``, seed 0: brands in several qualities, filler
channels, events, 24/7 loops). Both contenders identify them against the full iptv-org
registry (every channel name and alt name, about 62,000 strings).

* castwatch: the matcher is built from the registry (timed), serialised and loaded back
  (timed: what a run pays when the cache is warm), then a freshly loaded matcher runs
  ``match_many`` over the whole workload, as shipped (repeated names and names that
  normalise alike are scored once), and once more ``match`` by ``match`` with every cache
  emptied before each name (the worst case: every name new).
* rapidfuzz: ``process.extractOne`` with its default scorer WRatio over the preprocessed
  names and alt names, with the cutoff that ``bench/eval_identify.py`` found best (F1 on the
  calibration half). At about 50 ms a name it runs on a seeded sample of ``--peer-sample``
  names unless ``--peer-all``; names/s is measured on what it ran.

``--whole-process N`` measures instead what a user runs: ``castwatch identify names FILE``
on N real guide names (the first N of a seeded shuffle of ``../shared/data/epg-names``),
as a whole process with a warm matcher cache (registry imported into a scratch home first,
one run to fill the cache), against a stand-alone script that loads the same iptv-org tables
and runs rapidfuzz ``extractOne`` (WRatio) over every name and alt name, also whole-process.

Accuracy is on the labelled names (right id, or no answer for a name in no registry), for
castwatch on all of them and for both on the labelled names of rapidfuzz's sample.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _tables import RapidfuzzBaseline  # noqa: E402

from castwatch.identify.channels import names as channel_names  # noqa: E402
from castwatch.identify.channels.matcher import ChannelMatcher, ChannelQuery  # noqa: E402
from castwatch.identify.registries.iptv_org import IptvOrgData, load_iptv_org  # noqa: E402

DEFAULT_REGISTRY = ROOT.parent / "shared" / "data" / "iptv-org"
EVAL_CHANNELS = ROOT / "eval" / "channels.jsonl"
#: The baseline's best-F1 cutoff on the calibration half (bench/eval_identify.py prints it).
PEER_CUTOFF = 0.92


def workload(count: int) -> tuple[list[ChannelQuery], dict[int, str | None]]:
    """The names, and the true id of each labelled one by position."""
    from castwatch.sim.catalog import generate_catalog

    queries: list[ChannelQuery] = []
    truth: dict[int, str | None] = {}
    for text in EVAL_CHANNELS.read_text(encoding="utf-8").splitlines()[:count]:
        line = json.loads(text)
        truth[len(queries)] = line["truth"]
        queries.append(ChannelQuery(line["name"], line.get("country"), None, line.get("group")))
    missing = count - len(queries)
    if missing > 0:
        catalog = generate_catalog(seed=0, live=missing, films=0, series=0, episodes=0)
        for channel in catalog.live:
            group = catalog.category_names[channel.category_id]
            queries.append(ChannelQuery(channel.name, None, None, group))
    return queries, truth


def time_castwatch(
    data: IptvOrgData, queries: list[ChannelQuery]
) -> tuple[dict[str, float], list[str | None]]:
    """Build, serialise, load, and match; seconds for each step, and the answers."""
    figures: dict[str, float] = {}
    start = time.perf_counter()
    regions = {code: region.countries for code, region in data.regions.items()}
    built = ChannelMatcher.build(data.channels, data.countries, regions=regions)
    figures["build_s"] = time.perf_counter() - start
    start = time.perf_counter()
    blob = built.serialize()
    figures["serialize_s"] = time.perf_counter() - start
    figures["serialized_mb"] = len(blob) / 1e6
    del built
    start = time.perf_counter()
    matcher = ChannelMatcher.deserialize(blob)
    figures["load_s"] = time.perf_counter() - start
    channel_names._normalize.cache_clear()
    start = time.perf_counter()
    answers = [result.target_id for result in matcher.match_many(queries)]
    figures["match_s"] = time.perf_counter() - start
    cold = ChannelMatcher.deserialize(blob)
    start = time.perf_counter()
    for query in queries:
        channel_names._normalize.cache_clear()
        cold._scorer._memo.clear()
        cold.match(*query)
    figures["match_cold_s"] = time.perf_counter() - start
    return figures, answers


def time_rapidfuzz(
    data: IptvOrgData, queries: list[ChannelQuery], cutoff: float
) -> tuple[float, list[str | None]]:
    """Seconds for extractOne over ``queries``, and its answers (None below the cutoff)."""
    baseline = RapidfuzzBaseline(data)
    answers: list[str | None] = []
    start = time.perf_counter()
    for query in queries:
        guess, score = baseline.best(query.name)
        answers.append(guess if guess and score >= cutoff * 100 else None)
    return time.perf_counter() - start, answers


def accuracy(answers: dict[int, str | None], truth: dict[int, str | None]) -> tuple[float, int]:
    """Share of labelled positions answered right, and how many there were."""
    labelled = [i for i in answers if i in truth]
    right = sum(1 for i in labelled if answers[i] == truth[i])
    return (right / len(labelled) if labelled else 0.0), len(labelled)


_PEER_SCRIPT = """
import csv, gzip, os, sys
from rapidfuzz import fuzz, process, utils
choices, owners = [], []
path = os.path.join(sys.argv[1], "channels.csv")
opener = open if os.path.exists(path) else gzip.open
with opener(path if opener is open else path + ".gz", "rt", encoding="utf-8") as handle:
    for row in csv.DictReader(handle):
        for name in [row["name"], *filter(None, row["alt_names"].split(";"))]:
            choices.append(utils.default_process(name))
            owners.append(row["id"])
for line in open(sys.argv[2], encoding="utf-8"):
    found = process.extractOne(utils.default_process(line.strip()), choices,
                               scorer=fuzz.WRatio, processor=None)
    print(owners[found[2]] if found else "")
"""


def whole_process(registry: Path, count: int) -> None:
    """``castwatch identify names`` against a rapidfuzz script, each a whole process."""
    import csv
    import os
    import subprocess
    import tempfile

    dev = ROOT.parent / "shared" / "data" / "epg-names" / "epg_names_dev.tsv"
    with dev.open(encoding="utf-8", newline="") as handle:
        names = [row["site_name"] for row in csv.DictReader(handle, delimiter="\t")]
    random.Random(0).shuffle(names)
    castwatch = Path(sys.executable).with_name("castwatch")
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        names_file = home / "names.txt"
        names_file.write_text("\n".join(names[:count]) + "\n", encoding="utf-8")
        env = {**os.environ, "CASTWATCH_HOME": str(home / "home")}

        def timed(command: list[str]) -> float:
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
            return time.perf_counter() - start

        timed([str(castwatch), "registry", "import-iptv-org", str(registry)])
        first = timed([str(castwatch), "identify", "names", str(names_file)])  # fills cache
        ours = min(timed([str(castwatch), "identify", "names", str(names_file)])
                   for _ in range(2))  # fmt: skip
        peer = timed([sys.executable, "-c", _PEER_SCRIPT, str(registry), str(names_file)])
    print(f"whole process, {count:,} real guide names:")
    print(f"  castwatch identify names, first run (builds the matcher cache) {first:8.2f} s")
    print(f"  castwatch identify names, warm cache                           {ours:8.2f} s")
    print(f"  rapidfuzz extractOne script (loads tables, WRatio)             {peer:8.2f} s")
    print(f"  speed ratio rapidfuzz/castwatch, warm: {peer / ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=DEFAULT_REGISTRY)
    parser.add_argument("--names", type=int, default=6000)
    parser.add_argument("--peer-sample", type=int, default=600)
    parser.add_argument("--peer-all", action="store_true")
    parser.add_argument("--peer-cutoff", type=float, default=PEER_CUTOFF)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--whole-process",
        type=int,
        metavar="N",
        default=0,
        help="time `castwatch identify names` on N names as a whole process",
    )
    args = parser.parse_args()
    if args.whole_process:
        whole_process(args.registry, args.whole_process)
        return
    data = load_iptv_org(args.registry)
    queries, truth = workload(args.names)
    ours, answers = time_castwatch(data, queries)
    positions = list(range(len(queries)))
    if not args.peer_all and args.peer_sample < len(queries):
        positions = sorted(random.Random(1).sample(positions, args.peer_sample))
    peer_seconds, peer_answers = time_rapidfuzz(
        data, [queries[i] for i in positions], args.peer_cutoff
    )
    ours_rate = len(queries) / ours["match_s"]
    cold_rate = len(queries) / ours["match_cold_s"]
    peer_rate = len(positions) / peer_seconds
    ours_all, labelled = accuracy(dict(enumerate(answers)), truth)
    ours_sample, sampled = accuracy({i: answers[i] for i in positions}, truth)
    peer_sample, _ = accuracy(dict(zip(positions, peer_answers, strict=True)), truth)
    print(f"workload: {len(queries):,} names ({labelled:,} labelled from eval/channels.jsonl, "
          f"{len(queries) - labelled:,} from the simulator); registry: {len(data.channels):,} "
          f"channels")  # fmt: skip
    print(f"castwatch build {ours['build_s']:.2f} s, serialise {ours['serialize_s']:.2f} s "
          f"({ours['serialized_mb']:.1f} MB), load {ours['load_s']:.2f} s")  # fmt: skip
    rows = [
        ("castwatch match_many", len(queries), ours["match_s"], ours_rate, ours_all, labelled),
        ("castwatch, every cache emptied", len(queries), ours["match_cold_s"], cold_rate,
         ours_all, labelled),
        ("castwatch on rapidfuzz's sample", len(positions), None, None, ours_sample, sampled),
        (f"rapidfuzz extractOne WRatio >= {args.peer_cutoff:.2f}", len(positions), peer_seconds,
         peer_rate, peer_sample, sampled),
    ]  # fmt: skip
    print(f"\n{'contender':<40} {'names':>6} {'seconds':>8} {'names/s':>9} {'accuracy':>9}")
    for label, count, seconds, rate, right, n in rows:
        sec = f"{seconds:8.2f}" if seconds is not None else f"{'':>8}"
        per = f"{rate:9,.0f}" if rate is not None else f"{'':>9}"
        print(f"{label:<40} {count:>6} {sec} {per} {right:>8.3f} (of {n} labelled)")
    print(f"\nspeed ratio castwatch/rapidfuzz: {ours_rate / peer_rate:,.0f}x as shipped, "
          f"{cold_rate / peer_rate:,.0f}x with every cache emptied")  # fmt: skip
    if args.json:
        figures: dict[str, Any] = {
            **ours,
            "names": len(queries),
            "peer_names": len(positions),
            "peer_seconds": peer_seconds,
            "ours_accuracy": ours_all,
            "ours_sample_accuracy": ours_sample,
            "peer_sample_accuracy": peer_sample,
        }
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
