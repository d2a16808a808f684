"""Monitoring capacity: probes per core-second and per hour, embedded engine against Celery.

    .venv/bin/python bench/monitor.py                  # 40 channels, 2 measured passes each
    .venv/bin/python bench/monitor.py --channels 20 --passes 1 --skip-celery   # a quick look
    .venv/bin/python bench/monitor.py --profile 20     # where one check-stream's CPU goes
    .venv/bin/python bench/monitor.py --json

One run, side by side: the embedded engine (the default: worker processes on the job table,
no broker) with 2 workers, and Celery on the RabbitMQ broker of 127.0.0.1 with 1 and 2
workers (skipped, saying why, when no broker answers). Every contender checks the same
simulated service: ``--channels`` live channels, a tenth of them carrying another channel
than their name says, against clean live references captured from the simulator's own
reference feeds (``references_url``), through the real ``check-stream`` job (HLS or MPEG-TS
fetch, keyframe decode, hashes, index lookup, verification stored).

**The simulator's cost is set apart.** The simulated panel runs in its own process with its
live clock frozen, so every probe asks for the same segments, which it encodes once and then
serves from its cache (a warm-up pass fills it before anything is measured). Its CPU time
during the measured passes is reported apart from castwatch's: the *share* column. The
broker's own CPU (RabbitMQ is not a child of this script) is not counted for Celery.

**What is measured.** Workers are started once per contender and kept (a long-running
``castwatch worker``, not a ``run-once`` that pays process start and library load each
pass); after the warm-up pass, ``--passes`` passes are queued one after the other. CPU time
is read from ``/proc`` for every process under this script (workers, their job children,
this script's own polling), minus the simulator's; peak memory is the largest sum of their
resident sizes sampled every 0.2 s. *probes/core-s* is probes over that CPU time;
*probes/h (2 cores)* is what both cores sustain at that cost, the figure for a machine that
does nothing else; *probes/h (seen)* is probes over the wall clock of this run, on a machine
shared with the simulator and whatever else runs. Timing on a shared machine is noisy: the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CASTWATCH_ALLOW_PRIVATE_NETWORKS", "1")

from castwatch.config import Settings  # noqa: E402
from castwatch.jobs.engine import EngineOptions, new_stop_event, start_workers  # noqa: E402
from castwatch.jobs.monitor import queue_pass, tally  # noqa: E402
from castwatch.jobs.queue import list_jobs, pending_count  # noqa: E402
from castwatch.storage.db import Store  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
CORES = os.cpu_count() or 1
SERVICE = "bench-panel"

#: The simulated panel in a process of its own, its live clock frozen (segments cached).
SIM_SCRIPT = """
import json, sys, time
from castwatch.sim.config import SimConfig
from castwatch.sim.server import SimServer
config = SimConfig(live=int(sys.argv[1]), films=20, series=2, episodes=4,
                   swapped=int(sys.argv[2]), frozen_clock=float(sys.argv[3]))
server = SimServer(config).start()
print(json.dumps(server.urls), flush=True)
sys.stdin.read()
server.stop()
"""


# --- process accounting ---


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, resident bytes) of ``pid``, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * PAGE


def _tree(root: int) -> dict[int, tuple[float, int]]:
    """Every live process under ``root`` (itself included): CPU seconds and resident bytes."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))) is not None:
            stats[int(entry)] = found
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu, _rss) in stats.items():
        children.setdefault(parent, []).append(pid)
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            out[pid] = stats[pid][1:]
        todo += children.get(pid, [])
    return out


class Meter:
    """CPU time of this script's process tree (castwatch) and of the simulator, and the
    tree's peak resident memory, over one measured window.

    Processes that end inside the window take their CPU time with them; the contenders'
    workers live through it, and their job children are killed only past a time limit.
    """

    def __init__(self, sim_pid: int) -> None:
        self.sim_pid = sim_pid
        self.peak_rss = 0
        self._stop = threading.Event()
        self._cpu: dict[int, float] = {}
        self._start: dict[int, float] = {}
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _read(self) -> tuple[dict[int, float], int]:
        tree = _tree(os.getpid())
        sim = set(_tree(self.sim_pid))
        ours = {pid: cpu for pid, (cpu, _) in tree.items() if pid not in sim}
        rss = sum(rss for pid, (_, rss) in tree.items() if pid not in sim)
        return ours, rss

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            cpu, rss = self._read()
            self._cpu |= cpu
            self.peak_rss = max(self.peak_rss, rss)

    def __enter__(self) -> Meter:
        self._start, self.peak_rss = self._read()
        self._sim_start = _tree(self.sim_pid).get(self.sim_pid, (0.0, 0))[0]
        self._cpu = dict(self._start)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        cpu, rss = self._read()
        self._cpu |= cpu
        self.peak_rss = max(self.peak_rss, rss)
        sim_end = _tree(self.sim_pid).get(self.sim_pid, (0.0, 0))[0]
        self.castwatch_cpu = sum(c - self._start.get(pid, 0.0) for pid, c in self._cpu.items())
        self.sim_cpu = sim_end - self._sim_start


# --- the setting ---


@dataclass(slots=True)
class Row:
    contender: str
    probes: int = 0
    confirmed: int = 0
    contradicted: int = 0
    other: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    sim_cpu_s: float = 0.0
    peak_mib: float = 0.0
    note: str = ""
    verdicts: dict[str, int] = field(default_factory=dict)

    @property
    def per_core_s(self) -> float:
        return self.probes / self.cpu_s if self.cpu_s else 0.0

    @property
    def per_hour_cores(self) -> float:
        return self.per_core_s * CORES * 3600

    @property
    def per_hour_seen(self) -> float:
        return self.probes / self.wall_s * 3600 if self.wall_s else 0.0

    @property
    def sim_share(self) -> float:
        total = self.cpu_s + self.sim_cpu_s
        return self.sim_cpu_s / total if total else 0.0


def start_sim(channels: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    swapped = max(1, channels // 10)
    process = subprocess.Popen(
        [sys.executable, "-c", SIM_SCRIPT, str(channels), str(swapped), str(time.time() - 600)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the simulated panel did not start")
    return process, json.loads(line)


def prepare(settings: Settings, urls: dict[str, str], reference_s: float) -> int:
    """Ingest the panel and capture a clean reference of every channel it restreams."""
    from castwatch.jobs.references import capture_all, read_reference_list
    from castwatch.net.policy import FetchOptions
    from castwatch.sources.ingest import ingest

    options = FetchOptions(allow_private_networks=True, timeout=20, deadline=120)
    with Store.open(settings) as store:
        creds = FetchOptions(
            allow_private_networks=True,
            credentials=_credentials(urls["username"], urls["password"]),
        )
        ingest(store, urls["xtream_url"], "xtream", creds, name=SERVICE)
        # Claims come from identification: the bundled iptv-org registry, as the demo does.
        from castwatch.identify.registries import imports as registries
        from castwatch.identify.snapshot import identify_snapshot

        registries.import_iptv_org(store)
        identify_snapshot(store, SERVICE, None)
    items = read_reference_list(urls["references_url"], options)
    captured = capture_all(
        settings,
        urls["references_url"],
        items,
        seconds=reference_s,
        options=options,
        engine=EngineOptions(workers=2),
    )
    if captured.failed:
        print(f"  {len(captured.failed)} reference(s) failed: {list(captured.failed.items())[:2]}")
    return len(captured.captured)


def _credentials(username: str, password: str) -> Any:
    from castwatch.catalog import Credentials

    return Credentials(username, password)


def _wait(store: Store, ids: list[int]) -> None:
    while pending_count(store, ids):
        time.sleep(0.1)


def one_pass(store: Store, slot: str, probe_s: float) -> list[int]:
    return queue_pass(store, SERVICE, slot, streams="all", probe_seconds=probe_s)


def measure_embedded(settings: Settings, sim_pid: int, args: argparse.Namespace) -> Row:
    options = EngineOptions(workers=args.workers, poll_s=0.1)
    stop = new_stop_event()
    workers = start_workers(settings, options, None, stop)
    row = Row(f"embedded, {args.workers} workers")
    try:
        with Store.open(settings) as store:
            _wait(store, one_pass(store, "bench-warm-embedded", args.probe_seconds))
            ids: list[int] = []
            started = time.monotonic()
            with Meter(sim_pid) as meter:
                for n in range(args.passes):
                    batch = one_pass(store, f"bench-embedded-{n}", args.probe_seconds)
                    _wait(store, batch)
                    ids += batch
            row.wall_s = time.monotonic() - started
            jobs = list_jobs(store, job_ids=ids)
    finally:
        stop.set()
        for process in workers:
            process.join(30)
            if process.exitcode is None:
                process.kill()
    return _fill(row, meter, jobs)


def measure_celery(settings: Settings, sim_pid: int, workers: int, args: argparse.Namespace) -> Row:
    from castwatch.jobs.celery_app import make_app
    from castwatch.jobs.celery_engine import (
        check_broker,
        queue_counts,
        run_jobs,
        start_local_workers,
        stop_local_workers,
    )

    row = Row(f"celery, {workers} worker{'s' if workers > 1 else ''}")
    app = make_app(settings)
    try:
        check_broker(app)
    except Exception as exc:  # no broker: the row says why
        row.note = f"skipped: {exc}"
        return row
    if sum(c for _m, c in queue_counts(app).values()):
        row.note = "skipped: other Celery workers consume castwatch's queues on this broker"
        return row
    local = start_local_workers(settings, app, workers)
    options = EngineOptions(workers=workers, poll_s=0.1)
    try:
        deadline = time.monotonic() + 60
        while not sum(c for _m, c in queue_counts(app).values()):
            if time.monotonic() > deadline:
                row.note = "skipped: the Celery workers did not start within 60 s"
                return row
            time.sleep(0.5)
        with Store.open(settings) as store:
            run_jobs(settings, one_pass(store, f"bench-warm-celery{workers}", args.probe_seconds),
                     options)  # fmt: skip
            ids: list[int] = []
            started = time.monotonic()
            with Meter(sim_pid) as meter:
                for n in range(args.passes):
                    batch = one_pass(store, f"bench-celery{workers}-{n}", args.probe_seconds)
                    run_jobs(settings, batch, options)
                    ids += batch
            row.wall_s = time.monotonic() - started
            jobs = list_jobs(store, job_ids=ids)
    finally:
        stop_local_workers(local)
    return _fill(row, meter, jobs)


def _fill(row: Row, meter: Meter, jobs: list[Any]) -> Row:
    outcome = tally(SERVICE, "bench", jobs)
    row.probes = outcome.probed
    row.confirmed = outcome.counts["confirmed"]
    row.contradicted = outcome.counts["contradicted"]
    row.other = outcome.probed - row.confirmed - row.contradicted
    row.verdicts = dict(outcome.counts) | {"errors": outcome.errors}
    row.cpu_s = meter.castwatch_cpu
    row.sim_cpu_s = meter.sim_cpu
    row.peak_mib = meter.peak_rss / 2**20
    return row


# --- the profile ---


def profile(settings: Settings, count: int, probe_s: float) -> str:
    """cProfile of ``count`` check-stream jobs run in this process, the warm library kept."""
    from castwatch.jobs.builtin import CheckStream, check_stream_payload
    from castwatch.jobs.kinds import JobContext

    with Store.open(settings) as store:
        from castwatch.fingerprint.store import stream_targets

        _sid, snapshot, targets = stream_targets(store, SERVICE, None, ("live",))
        context = JobContext(store)
        kind = CheckStream()
        payloads = [check_stream_payload(SERVICE, t.entry_id, snapshot, probe_s) for t in targets]
        kind.run(context, payloads[0])  # warm: library, targets
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        for payload in payloads[1 : count + 1]:
            kind.run(context, payload)
        profiler.disable()
        spent = time.process_time() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(25)
    done = min(count, len(payloads) - 1)
    return (
        f"{done} probes, {spent:.2f} CPU s in this process ({spent / done * 1000:.0f} ms each)\n"
        + out.getvalue()
    )


# --- the report ---


def table(rows: list[Row]) -> str:
    head = (f"{'contender':<22}{'probes':>7}{'confirmed':>10}{'contra':>7}{'other':>6}"
            f"{'wall s':>8}{'CPU s':>8}{'probes/core-s':>14}{'probes/h (2 cores)':>19}"
            f"{'probes/h (seen)':>16}{'peak MiB':>9}{'sim share':>10}")  # fmt: skip
    lines = [head]
    for r in rows:
        if r.note:
            lines.append(f"{r.contender:<22}  {r.note}")
            continue
        lines.append(
            f"{r.contender:<22}{r.probes:>7}{r.confirmed:>10}{r.contradicted:>7}{r.other:>6}"
            f"{r.wall_s:>8.1f}{r.cpu_s:>8.1f}{r.per_core_s:>14.2f}{r.per_hour_cores:>19,.0f}"
            f"{r.per_hour_seen:>16,.0f}{r.peak_mib:>9.0f}{r.sim_share:>10.0%}"
        )
    base = rows[0]
    measured = [r for r in rows[1:] if not r.note and r.per_core_s]
    if base.per_core_s and measured:
        lines.append("")
        lines.append(f"{base.contender} against each peer (probes per core-second):")
        for r in measured:
            lines.append(f"  {r.contender:<20}{base.per_core_s / r.per_core_s:>6.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--channels", type=int, default=40)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--probe-seconds", type=float, default=10.0)
    parser.add_argument("--reference-seconds", type=float, default=16.0)
    parser.add_argument("--workers", type=int, default=2, help="embedded engine workers")
    parser.add_argument("--skip-celery", action="store_true")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N check-stream jobs in-process instead")  # fmt: skip
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary home)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="castwatch-bench-monitor-") as tmp:
        settings = Settings.resolve(home=Path(tmp) / "home", db_url=args.db)
        sim, urls = start_sim(args.channels)
        try:
            started = time.monotonic()
            references = prepare(settings, urls, args.reference_seconds)
            setup_s = time.monotonic() - started
            if not args.json:
                print(f"setup: {args.channels} channels ingested, {references} clean references "
                      f"of {args.reference_seconds:g} s captured in {setup_s:.0f} s")  # fmt: skip
            if args.profile:
                print(profile(settings, args.profile, args.probe_seconds))
                return
            rows = [measure_embedded(settings, sim.pid, args)]
            if not args.skip_celery:
                rows += [measure_celery(settings, sim.pid, n, args) for n in (1, 2)]
        finally:
            assert sim.stdin is not None
            sim.stdin.close()
            sim.wait(30)
    load_after = os.getloadavg()
    if args.json:
        print(json.dumps({
            "channels": args.channels, "passes": args.passes, "probe_seconds": args.probe_seconds,
            "cores": CORES, "load_before": load_before, "load_after": load_after,
            "rows": [asdict(r) | {"probes_per_core_s": r.per_core_s,
                                  "probes_per_hour_cores": r.per_hour_cores,
                                  "probes_per_hour_seen": r.per_hour_seen,
                                  "sim_share": r.sim_share} for r in rows],
        }))  # fmt: skip
        return
    print(f"\nMonitor capacity: {args.channels} channels x {args.passes} pass(es), "
          f"{args.probe_seconds:g} s probes, {CORES} CPUs, "
          f"Python {sys.version.split()[0]}")  # fmt: skip
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
