"""Playlist ingest: castwatch's M3U parser against m3u-ipytv and m3u-parser, in one run.

    .venv/bin/python bench/ingest.py [--entries 206000] [--json] [--peer-limit 60] [--repeat 5]
    .venv/bin/python bench/ingest.py --memory [--sizes 206000,1000000,5000000] [--json]
    .venv/bin/python bench/ingest.py --whole-process [--entries 206000] [--repeat 5]

Generates a pirate-style ``get.php`` playlist with the simulator (``castwatch.sim``: live
channels, films, episodes, ``#EXTVLCOPT`` lines, quoted titles) and parses it with each
contender, every run in a fresh subprocess so that none inherits another's heap:

* timed runs, the fastest of ``--repeat`` kept (wall clock around the parse only, imports
  excluded; peak RSS of the process above its RSS after imports, and of ipytv's workers);
* a traced run under ``tracemalloc``, whose peak is the memory figure compared: Python
  allocations only, so the interpreter's baseline and allocator slack count for no one.

castwatch runs twice: streaming (entries counted, then dropped) and materialised (all kept,
as the peers keep them). ipytv runs as shipped (above 30,000 rows it forks one worker per
core; tracemalloc cannot see those, so its memory is taken from the one-process run) and
forced to one process. m3u-parser runs with ``check_live=False`` (no network). A contender
whose run would pass ``--peer-limit`` seconds (estimated from a 10,000-entry pilot) is
measured on a prefix of the playlist and its figures are marked as extrapolated.

A second table feeds each parser the small edge cases of ``docs/protocols.md`` and says how
many entries came back against the number expected, and whether titles and URLs are right.

``--memory`` measures instead the peak resident memory (``ru_maxrss`` of the child, from
``wait4``) of the real commands, ``castwatch inspect`` and ``castwatch ingest`` (into a
fresh SQLite home), on generated playlists of each ``--sizes`` entry count, and prints it
with the memory per entry. ``inspect`` keeps counters, not entries: its peak should be flat
across sizes; ``ingest`` keeps the inventory and grows with it.

``--whole-process`` times what a user waits for: the whole ``castwatch inspect FILE --json``
command (interpreter start, imports, parse, summary) against ``python -c`` loading the same
file with ipytv (``playlist.loadf``, as shipped: it forks its workers), each a fresh process,
best of ``--repeat`` by wall clock, and prints the ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

#: Share of each kind in the simulator's default 206,000-entry catalog.
_DEFAULT = {"live": 6000, "films": 120_000, "series": 5000, "episodes": 80_000}
PILOT_ENTRIES = 10_000
#: How much slower a run is under tracemalloc, for the time estimate (measured: 2 to 8).
TRACE_SLOWDOWN = 3.0


def _chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as file:
        while chunk := file.read(1 << 18):
            yield chunk


def _castwatch_stream(path: str) -> int:
    from castwatch.sources.clients.m3u import M3UParser, decode

    parser = M3UParser()
    count = 0
    for text in decode(_chunks(path)):
        count += len(parser.feed(text))
    return count + len(parser.close())


def _castwatch_list(path: str) -> int:
    from castwatch.sources.clients.m3u import decode, parse_m3u

    return len(list(parse_m3u(decode(_chunks(path)))))


def _ipytv(path: str, one_process: bool = False) -> int:
    from ipytv import playlist  # type: ignore[import-untyped]

    if one_process:
        # ipytv reads this table to decide when to fork a pool; make it never do so.
        huge = 10**12
        playlist._PARALLEL_PARSING_MIN_ROWS = {"fork": huge, "forkserver": huge, "spawn": huge}
    return int(playlist.loadf(path).length())


def _m3u_parser(path: str) -> int:
    import logging

    from m3u_parser import M3uParser  # type: ignore[import-untyped]

    logging.disable(logging.INFO)
    parser = M3uParser()
    parser.parse_m3u(path, check_live=False)
    return len(parser.get_list())


#: name -> (label, parse function, traced run meaningful)
CONTENDERS: dict[str, tuple[str, Callable[[str], int], bool]] = {
    "castwatch-stream": ("castwatch, streaming", _castwatch_stream, True),
    "castwatch-list": ("castwatch, all kept", _castwatch_list, True),
    "ipytv": (f"ipytv {version('m3u-ipytv')}, as shipped", _ipytv, False),
    "ipytv-1proc": ("ipytv, one process", lambda path: _ipytv(path, one_process=True), True),
    "m3u-parser": (f"m3u-parser {version('m3u-parser')}", _m3u_parser, True),
}


_LIBRARIES = {"castwatch": "castwatch.sources.clients.m3u", "ipytv": "ipytv.playlist"}
_LIBRARIES["m3u"] = "m3u_parser"


def _status_kib(field: str) -> int:
    # /proc rather than ru_maxrss: a forked child inherits its parent's ru_maxrss, VmHWM is
    # this process's own peak since exec.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def worker(name: str, path: str, trace: bool) -> None:
    """Run one contender once and print its figures as one JSON line (subprocess side)."""
    parse = CONTENDERS[name][1]
    # The contender's own library only, imported before the clock starts.
    __import__(_LIBRARIES[name.split("-")[0]])
    baseline = _status_kib("VmRSS")
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    entries = parse(path)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    own = _status_kib("VmHWM")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures = {"entries": entries, "seconds": seconds, "traced_peak": peak}
    figures |= {"baseline_kib": baseline, "maxrss_kib": own, "children_maxrss_kib": children}
    print(json.dumps(figures))


def measure(name: str, path: str, trace: bool) -> dict[str, float]:
    """Figures of one fresh-process run."""
    command = [sys.executable, __file__, "--worker", name, "--path", path]
    done = subprocess.run(
        command + (["--trace"] if trace else []), capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def write_playlist(entries: int, path: Path) -> None:
    """The simulator's playlist with ``entries`` entries, kinds in the default proportions."""
    from castwatch.sim import generate_catalog, iter_m3u

    total = sum(v for k, v in _DEFAULT.items() if k != "series")
    live = max(1, entries * _DEFAULT["live"] // total)
    films = entries * _DEFAULT["films"] // total
    series = max(1, entries * _DEFAULT["series"] // total)
    catalog = generate_catalog(0, live, films, series, entries - live - films)
    with path.open("w", encoding="utf-8") as file:
        file.writelines(iter_m3u(catalog, "http://panel.example:8080", "demo", "s3cret-pass"))


def write_prefix(source: Path, entries: int, target: Path) -> None:
    """The first ``entries`` entries of ``source`` (header and directives included)."""
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line)
            if not line.startswith("#"):
                entries -= 1
                if not entries:
                    return


def fastest(name: str, path: str, repeat: int, limit: float) -> dict[str, float]:
    """The fastest of ``repeat`` timed runs, fewer when they would pass ``limit`` seconds.

    The fastest run is the one least disturbed by the rest of the machine (timeit's rule).
    """
    best = measure(name, path, trace=False)
    spent = best["seconds"]
    for _ in range(repeat - 1):
        if spent + best["seconds"] > limit:
            break
        again = measure(name, path, trace=False)
        spent += again["seconds"]
        best = min(best, again, key=lambda figures: figures["seconds"])
    return best


def run_contender(
    name: str, path: Path, entries: int, limit: float, repeat: int, workdir: Path
) -> dict[str, object]:
    """Timed and traced runs of one contender, on a prefix when a full run would be too long."""
    pilot = Path(workdir, "pilot.m3u")
    if not pilot.exists():
        write_prefix(path, min(PILOT_ENTRIES, entries), pilot)
    trial = measure(name, str(pilot), trace=False)
    rate = trial["entries"] / max(trial["seconds"], 1e-9)
    row: dict[str, object] = {"name": name, "label": CONTENDERS[name][0]}
    for trace in (False, True):
        if trace and not CONTENDERS[name][2]:
            continue
        size = min(entries, int(rate * limit / (TRACE_SLOWDOWN if trace else 1.0)))
        target = path
        if size < entries:
            target = Path(workdir, f"prefix-{size}.m3u")
            if not target.exists():
                write_prefix(path, size, target)
        figures = (
            measure(name, str(target), trace)
            if trace
            else fastest(name, str(target), repeat, limit)
        )
        scale = entries / size
        if trace:
            row["traced_mib"] = figures["traced_peak"] * scale / 2**20
            row["traced_extrapolated_from"] = size if size < entries else None
        else:
            row["entries"] = int(figures["entries"])
            row["seconds"] = figures["seconds"]
            row["entries_per_s"] = figures["entries"] / figures["seconds"]
            row["timed_on"] = size
            row["maxrss_mib"] = figures["maxrss_kib"] / 1024
            row["rss_growth_mib"] = (figures["maxrss_kib"] - figures["baseline_kib"]) / 1024
            row["workers_maxrss_mib"] = figures["children_maxrss_kib"] / 1024
    return row


# Edge cases -------------------------------------------------------------------------------

_TWO = "#EXTINF:-1,A\nhttp://cdn.example.com/1.ts\n#EXTINF:-1,B\nhttp://cdn.example.com/2.ts\n"
_AB = [("A", "http://cdn.example.com/1.ts"), ("B", "http://cdn.example.com/2.ts")]
_SCHEMES = [
    "udp://@239.0.0.1:1234",
    "rtmp://cdn.example.com/live/x",
    "rtsp://cdn.example.com:554/x",
    "srt://cdn.example.com:9000",
]
#: (case, playlist text, expected (title, URL) pairs, #EXTVLCOPT lines expected on entry 1)
CASES: list[tuple[str, str, list[tuple[str, str]], int]] = [
    ("BOM", "\ufeff#EXTM3U\n" + _TWO, _AB, 0),
    ("missing #EXTM3U", _TWO, _AB, 0),
    ("CRLF line ends", ("#EXTM3U\n" + _TWO).replace("\n", "\r\n"), _AB, 0),
    (
        "two #EXTVLCOPT lines",
        "#EXTM3U\n#EXTINF:-1,A\n#EXTVLCOPT:http-user-agent=UA\n"
        "#EXTVLCOPT:http-referrer=http://cdn.example.com/\nhttp://cdn.example.com/1.ts\n",
        _AB[:1],
        2,
    ),
    (
        "quoted commas",
        '#EXTM3U\n#EXTINF:-1 tvg-name="Film, The (2019)" group-title="VOD, FR",Film, The\n'
        "http://cdn.example.com/1.mkv\n",
        [("Film, The", "http://cdn.example.com/1.mkv")],
        0,
    ),
    (
        "quotes in title",
        '#EXTM3U\n#EXTINF:-1 tvg-id="x",Le "Film" (Director\'s Cut)\nhttp://cdn.example.com/1.mkv\n',
        [('Le "Film" (Director\'s Cut)', "http://cdn.example.com/1.mkv")],
        0,
    ),
    (
        "concatenated playlists",
        "#EXTM3U\n" + _TWO + "#EXTM3U\n" + _TWO.replace("cdn.", "cdn2."),
        _AB + [(t, u.replace("cdn.", "cdn2.")) for t, u in _AB],
        0,
    ),
    (
        "udp/rtmp/rtsp/srt URLs",
        "#EXTM3U\n" + "".join(f"#EXTINF:-1,{n}\n{u}\n" for n, u in enumerate(_SCHEMES)),
        [(str(n), u) for n, u in enumerate(_SCHEMES)],
        0,
    ),
    (
        "blank lines",
        "#EXTM3U\n\n#EXTINF:-1,A\n\nhttp://cdn.example.com/1.ts\n\n\n"
        + _TWO[_TWO.index("#EXTINF:-1,B") :],
        _AB,
        0,
    ),
    ("#EXTINF without URL", "#EXTM3U\n#EXTINF:-1,Lost\n" + _TWO, _AB, 0),
]


def _read_castwatch(path: str) -> list[tuple[str, str, int]]:
    from castwatch.sources.clients.m3u import decode, parse_m3u

    return [(i.title, i.url, len(i.vlcopts)) for i in parse_m3u(decode(_chunks(path)))]


def _read_ipytv(path: str) -> list[tuple[str, str, int]]:
    from ipytv import playlist

    channels = playlist.loadf(path).get_channels()
    return [(c.name, c.url, sum(x.startswith("#EXTVLCOPT") for x in c.extras)) for c in channels]


def _read_m3u_parser(path: str) -> list[tuple[str, str, int]]:
    import logging

    from m3u_parser import M3uParser

    logging.disable(logging.INFO)
    parser = M3uParser()
    parser.parse_m3u(path, check_live=False)
    # m3u-parser keeps no #EXTVLCOPT option: count none.
    return [(row["name"], row["url"], 0) for row in parser.get_list()]


_READERS = {
    "castwatch": _read_castwatch,
    "ipytv": _read_ipytv,
    "m3u-parser": _read_m3u_parser,
}


def run_case(case: tuple[str, str, list[tuple[str, str]], int], workdir: Path) -> dict[str, object]:
    """What each parser makes of one edge case: a cell such as ``2/2 ✓`` or ``error``."""
    name, text, expected, options = case
    path = workdir / "case.m3u"
    path.write_text(text, encoding="utf-8", newline="")
    results: list[dict[str, object]] = []
    for label, read in _READERS.items():
        try:
            got = read(str(path))
        except Exception as exc:  # a peer's failure is a result here, not a crash
            results.append(
                {"label": label, "entries": None, "cell": f"error ({type(exc).__name__})"}
            )
            continue
        right = [(title, url) for title, url, _ in got] == expected
        right = right and (not options or got[0][2] == options)
        cell = f"{len(got)}/{len(expected)} {'✓' if right else '✗'}"
        results.append({"label": label, "entries": len(got), "right": right, "cell": cell})
    return {"case": name, "expected": len(expected), "results": results}


def _report(results: dict[str, object]) -> str:
    rows: list[dict[str, float]] = results["contenders"]  # type: ignore[assignment]
    lines = [
        f"Ingest: {results['entries']:,}-entry playlist ({results['megabytes']:.1f} MB), "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
        "",
        f"{'parser':<28}{'entries':>9}{'seconds':>9}{'entries/s':>11}"
        f"{'traced peak':>13}{'RSS growth':>12}{'workers':>9}",
    ]
    for row in rows:
        traced = (
            f"{row['traced_mib']:.1f} MiB" + ("≈" if row.get("traced_extrapolated_from") else "")
            if "traced_mib" in row
            else "(workers)"
        )
        note = "" if row["timed_on"] == results["entries"] else f"  [timed on {row['timed_on']:,}]"
        workers = f"{row['workers_maxrss_mib']:.0f} MiB" if row["workers_maxrss_mib"] else "-"
        lines.append(
            f"{row['label']:<28}{row['entries']:>9,}{row['seconds']:>9.2f}"
            f"{row['entries_per_s']:>11,.0f}{traced:>13}{row['rss_growth_mib']:>8.0f} MiB"
            f"{workers:>9}{note}"
        )
    lines += ["", "castwatch vs each peer (speed: streaming; memory: streaming / all kept):"]
    stream, kept = rows[0], rows[1]
    for row in rows[2:]:
        speed = stream["entries_per_s"] / row["entries_per_s"]
        memory = ""
        if "traced_mib" in row:
            memory = (
                f", {row['traced_mib'] / stream['traced_mib']:.0f}x / "
                f"{row['traced_mib'] / kept['traced_mib']:.1f}x less memory"
            )
        lines.append(f"  {row['label']:<28} {speed:5.1f}x the entries/s{memory}")
    lines += ["", "Edge cases (entries returned / expected; ✓ titles and URLs right):"]
    cases: list[dict[str, Any]] = results["edge_cases"]  # type: ignore[assignment]
    names = [row["label"] for row in cases[0]["results"]]
    width = 2 + max(len(r["cell"]) for case in cases for r in case["results"])
    lines.append(f"{'case':<28}" + "".join(f"{n:>{width}}" for n in names))
    for case in cases:
        cells = "".join(f"{r['cell']:>{width}}" for r in case["results"])
        lines.append(f"{case['case']:<28}{cells}")
    return "\n".join(lines)


def one_process(path: Path, entries: int) -> str:
    """Every contender in this one process, one after another: entries/s, traced peak, ratios.

    The default mode's fresh subprocesses keep one contender's heap out of the next one's
    figures; this mode trades that isolation for a literal side-by-side run in one process.
    """
    for library in _LIBRARIES.values():
        __import__(library)
    rows = []
    for name, (label, parse, _traceable) in CONTENDERS.items():
        # Timed untraced: tracemalloc slows allocation-heavy code far more than the rest, so
        # a traced clock would flatter whoever allocates least. Memory from a second, traced run.
        gc.collect()
        start = time.perf_counter()
        parsed = parse(str(path))
        seconds = time.perf_counter() - start
        gc.collect()
        tracemalloc.start()
        parse(str(path))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((name, label, parsed, parsed / seconds, peak))
    stream_rate = rows[0][3]
    lines = [f"{'contender (one process)':<34}{'entries':>9}{'entries/s':>12}"
             f"{'peak MiB':>10}{'castwatch x':>13}"]  # fmt: skip
    for _name, label, parsed, rate, peak in rows:
        ratio = stream_rate / rate
        lines.append(f"{label:<34}{parsed:>9,}{rate:>12,.0f}{peak / 2**20:>10.1f}{ratio:>12.1f}x")
    lines.append(
        f"({entries:,} entries expected; speed from an untraced run, peak from a traced one; "
        "ipytv as shipped forks workers tracemalloc cannot see)"
    )
    return "\n".join(lines)


def write_large_playlist(entries: int, path: Path) -> None:
    """An Xtream-style ``get.php`` playlist of ``entries`` entries, written as it is generated.

    The simulator builds its catalog in memory first; at 5 million entries that would be the
    benchmark's own memory problem, so large lists are written line by line instead, in the
    simulator's proportions of live channels, films and episodes.
    """
    total = sum(v for k, v in _DEFAULT.items() if k != "series")
    live = max(1, entries * _DEFAULT["live"] // total)
    films = entries * _DEFAULT["films"] // total
    base = "http://panel.example:8080"
    with path.open("w", encoding="utf-8") as out:
        out.write('#EXTM3U url-tvg="http://panel.example:8080/xmltv.php"\n')
        for n in range(entries):
            if n < live:
                group, kind, ext = f"FR | Live {n % 40}", "live", "ts"
                title = f"FR: Channel {n} HD"
            elif n < live + films:
                group, kind, ext = f"VOD | Films {n % 60}", "movie", "mkv"
                title = f"Film {n} (20{n % 25:02d})"
            else:
                group, kind, ext = f"SERIES | Show {n % 500}", "series", "mp4"
                title = f"Show {n % 500} S{n % 9 + 1:02d}E{n % 20 + 1:02d}"
            out.write(
                f'#EXTINF:-1 tvg-id="c{n % 5000}.fr" tvg-name="{title}" '
                f'tvg-logo="{base}/logo/{n % 997}.png" group-title="{group}",{title}\n'
                f"{base}/{kind}/demo/s3cret-pass/{n}.{ext}\n"
            )


def peak_of_command(args: list[str], home: Path) -> tuple[int, float, str]:
    """Exit status, peak RSS (MiB) and the tail of stderr of one ``castwatch`` run."""
    env = {**os.environ, "CASTWATCH_HOME": str(home)}
    env.pop("CASTWATCH_DB", None)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "castwatch", *args],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        # wait4: this child's own peak, not the largest of every child so far.
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        tail = errors.read()[-500:].decode(errors="replace")
    return child.returncode, usage.ru_maxrss / 1024, tail


def memory_report(
    sizes: list[int], commands: tuple[str, ...] = ("inspect", "ingest")
) -> dict[str, Any]:
    """Peak RSS of each of ``commands`` (``inspect``, ``ingest``) on each size."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="castwatch-bench-mem-") as scratch:
        workdir = Path(scratch)
        for entries in sizes:
            playlist = workdir / f"playlist-{entries}.m3u"
            write_large_playlist(entries, playlist)
            row: dict[str, Any] = {"entries": entries, "megabytes": playlist.stat().st_size / 1e6}
            for command in commands:
                home = workdir / f"home-{command}-{entries}"
                start = time.perf_counter()
                code, peak, tail = peak_of_command(
                    [command, str(playlist), "--kind", "m3u", "--json"], home
                )
                row[command] = {
                    "exit": code,
                    "peak_mib": round(peak, 1),
                    "bytes_per_entry": round(peak * 2**20 / entries),
                    "seconds": round(time.perf_counter() - start, 1),
                }
                if code:
                    row[command]["error"] = tail
                print(f"measured {command} on {entries:,} entries", file=sys.stderr)
            playlist.unlink()
            rows.append(row)
    return {"memory": rows}


def _memory_table(report: dict[str, Any]) -> str:
    lines = [
        f"{'entries':>10}{'MB':>8}{'inspect MiB':>13}{'B/entry':>9}{'ingest MiB':>12}"
        f"{'B/entry':>9}{'ingest s':>10}"
    ]
    missing = {"peak_mib": float("nan"), "bytes_per_entry": 0, "seconds": float("nan")}
    for row in report["memory"]:
        inspect, ingest = row.get("inspect", missing), row.get("ingest", missing)
        lines.append(
            f"{row['entries']:>10,}{row['megabytes']:>8.0f}{inspect['peak_mib']:>13.1f}"
            f"{inspect['bytes_per_entry']:>9,}{ingest['peak_mib']:>12.1f}"
            f"{ingest['bytes_per_entry']:>9,}{ingest['seconds']:>10.1f}"
        )
        for command in ("inspect", "ingest"):
            if command in row and row[command]["exit"]:
                lines.append(f"  {command} failed: {row[command].get('error', '')[-200:]}")
    lines.append("(peak RSS of each command's process, wait4 ru_maxrss; B/entry = peak / entries)")
    return "\n".join(lines)


_IPYTV_SCRIPT = (
    "import sys; from ipytv import playlist; print(playlist.loadf(sys.argv[1]).length())"
)


def _best_wall(command: list[str], repeat: int, env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def whole_process(entries: int, repeat: int) -> dict[str, Any]:
    """Wall time of ``castwatch inspect`` and of ipytv's whole process on one playlist."""
    with tempfile.TemporaryDirectory(prefix="castwatch-bench-whole-") as scratch:
        workdir = Path(scratch)
        playlist = workdir / "playlist.m3u"
        write_playlist(entries, playlist)
        env = {**os.environ, "CASTWATCH_HOME": str(workdir / "home")}
        castwatch = [sys.executable, "-m", "castwatch", "inspect", str(playlist), "--json"]
        ipytv = [sys.executable, "-c", _IPYTV_SCRIPT, str(playlist)]
        # One untimed run each: bytecode caches and the page cache warm for both alike.
        _best_wall(castwatch, 1, env)
        _best_wall(ipytv, 1, env)
        ours = _best_wall(castwatch, repeat, env)
        theirs = _best_wall(ipytv, repeat, env)
    return {
        "entries": entries,
        "castwatch_inspect_s": round(ours, 3),
        "ipytv_loadf_s": round(theirs, 3),
        "ratio": round(theirs / ours, 2),
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    """Generate, measure every contender, print the tables (or JSON)."""
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--entries", type=int, default=206_000)
    options.add_argument("--json", action="store_true", help="print the figures as JSON")
    options.add_argument("--peer-limit", type=float, default=60.0, help="seconds per run, at most")
    options.add_argument("--repeat", type=int, default=5, help="timed runs, the fastest kept")
    options.add_argument(
        "--one-process", action="store_true", help="run every contender in this one process"
    )
    options.add_argument(
        "--memory", action="store_true", help="peak RSS of castwatch inspect and ingest"
    )
    options.add_argument(
        "--sizes",
        default="206000,1000000,5000000",
        help="with --memory: comma-separated entry counts",
    )
    options.add_argument(
        "--commands",
        default="inspect,ingest",
        help="with --memory: which commands to measure (inspect, ingest)",
    )
    options.add_argument(
        "--whole-process",
        action="store_true",
        help="castwatch inspect against ipytv, each a whole process, wall clock",
    )
    options.add_argument("--worker", help=argparse.SUPPRESS)
    options.add_argument("--path", help=argparse.SUPPRESS)
    options.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.worker:
        worker(args.worker, args.path, args.trace)
        return
    if args.whole_process:
        report = whole_process(args.entries, args.repeat)
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(
                f"{report['entries']:,} entries, best of {args.repeat},"
                f" load {report['load_average']:.1f}:"
                f"\n  castwatch inspect (whole process)  {report['castwatch_inspect_s']:8.3f} s"
                f"\n  ipytv loadf (whole process)        {report['ipytv_loadf_s']:8.3f} s"
                f"\n  castwatch is {report['ratio']:.2f}x faster"
            )
        return
    if args.memory:
        sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
        commands = tuple(c.strip() for c in args.commands.split(",") if c.strip())
        if not set(commands) <= {"inspect", "ingest"}:
            options.error("--commands takes inspect and/or ingest")
        report = memory_report(sizes, commands)
        print(json.dumps(report, indent=2) if args.json else _memory_table(report))
        return
    with tempfile.TemporaryDirectory(prefix="castwatch-bench-") as scratch:
        workdir = Path(scratch)
        playlist = workdir / "playlist.m3u"
        write_playlist(args.entries, playlist)
        if args.one_process:
            print(one_process(playlist, args.entries))
            return
        results: dict[str, object] = {
            "entries": args.entries,
            "megabytes": playlist.stat().st_size / 1e6,
            "contenders": [],
        }
        for name in CONTENDERS:
            row = run_contender(name, playlist, args.entries, args.peer_limit, args.repeat, workdir)
            results["contenders"].append(row)  # type: ignore[attr-defined]
            print(f"measured {row['label']}", file=sys.stderr)
        results["edge_cases"] = [run_case(case, workdir) for case in CASES]
    print(json.dumps(results, indent=2) if args.json else _report(results))


if __name__ == "__main__":
    main()
