"""Start-up: ``castwatch --help`` against ``python -c 'import typer'``, in one run.

    .venv/bin/python bench/startup.py [--repeat 5] [--json] [--cold]

Each contender runs ``--repeat`` times as a fresh process and the fastest run is kept (as
``timeit`` does: on a shared machine the fastest run is the least disturbed one), with the
compiled bytecode cached (in a temporary ``PYTHONPYCACHEPREFIX``, after one warm-up run), as an
installed castwatch runs; ``--cold`` also measures without bytecode (every module compiled
from source on every start, as under ``PYTHONDONTWRITEBYTECODE=1`` with an editable install).
The peer is the floor any Typer command line pays: an interpreter that imports Typer and
exits. The ratio says how much of castwatch's start is castwatch's own. The machine's load
average is printed beside the figures, since a loaded machine slows every contender, and CPU
time beside wall clock, since load disturbs it less.

The rule that keeps this fast (no command module imports its stage at start) is a test:
``tests/cli/test_startup.py``. This script only measures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The ``castwatch`` script next to this interpreter (a virtual environment's bin/).
_SCRIPT = Path(sys.executable).with_name("castwatch")


def _contenders() -> dict[str, list[str]]:
    castwatch = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "castwatch"]
    return {
        "castwatch --help": [*castwatch, "--help"],
        "castwatch ingest --help": [*castwatch, "ingest", "--help"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
    }


def _environment(pycache: str | None) -> dict[str, str]:
    # COLUMNS fixed so that the help text (and the time to lay it out) is the same everywhere.
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _best_of(argv: list[str], repeat: int, pycache: str | None) -> tuple[float, float]:
    """The fastest wall-clock and the least CPU time (user + system) of ``repeat`` runs."""
    best_wall = best_cpu = float("inf")
    env = _environment(pycache)
    if pycache is not None:  # the warm-up run that writes the bytecode
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                       check=True)  # fmt: skip
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                       check=True)  # fmt: skip
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per contender (best kept).")
    parser.add_argument("--json", action="store_true", help="The figures as one JSON document.")
    parser.add_argument("--cold", action="store_true", help="Also measure without bytecode.")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="castwatch-bench-pyc-") as pycache:
        runs = {name: _best_of(argv, args.repeat, pycache) for name, argv in _contenders().items()}
        if args.cold:
            for name, argv in _contenders().items():
                runs[f"{name} (no bytecode)"] = _best_of(argv, args.repeat, None)
    load_after = os.getloadavg()
    seconds = {name: wall for name, (wall, _) in runs.items()}
    # CPU time is what a loaded machine disturbs least: reported beside the wall clock.
    cpu_seconds = {name: cpu for name, (_, cpu) in runs.items()}
    peer = seconds["python -c 'import typer'"]
    figures = {
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_average_1min": {"before": load_before[0], "after": load_after[0]},
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "ratio_to_import_typer": {name: s / peer for name, s in seconds.items()},
        "target_seconds": 0.4,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    width = max(len(name) for name in seconds)
    print(f"best of {args.repeat}; {os.cpu_count()} CPUs; load average (1 min) "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after")  # fmt: skip
    print(f"{'contender':<{width}}  {'seconds':>8}  {'x import typer':>14}  {'CPU s':>6}")
    for name, value in seconds.items():
        print(f"{name:<{width}}  {value:8.3f}  {value / peer:14.2f}  {cpu_seconds[name]:6.3f}")
    verdict = "under" if seconds["castwatch --help"] < 0.4 else "over"
    print(f"castwatch --help is {verdict} the 0.4 s target")


if __name__ == "__main__":
    main()
