"""Run a simulated panel in a child process: what benchmarks use, so that client and server
do not share one interpreter (and one GIL).

The child is ``python -m castwatch.sim --json``; its first stdout line carries the URLs.
"""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
import time
from typing import IO, Self

from castwatch.sim.config import SimConfig
from castwatch.sim.lifecycle import SimPanel


def command_line(config: SimConfig, port: int = 0, python: str = sys.executable) -> list[str]:
    """The ``python -m castwatch.sim`` command that serves ``config``."""
    argv = [python, "-m", "castwatch.sim", "--json", "--port", str(port)]
    argv += ["--seed", str(config.seed), "--live", str(config.live), "--films", str(config.films)]
    argv += ["--series", str(config.series), "--episodes", str(config.episodes)]
    argv += ["--page-size", str(config.page_size), "--slow-delay", str(config.slow_delay)]
    argv += ["--username", config.username, "--password", config.password, "--mac", config.mac]
    if config.fault is not None:
        argv += ["--fault", str(config.fault)]
    return argv


class SimProcess(SimPanel):
    """A simulated panel in a child process; a context manager like :class:`SimServer`."""

    def _prepare(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.urls: dict[str, str] = {}

    def start(self, timeout: float = 60.0) -> Self:
        """Start the child and wait for its URL line (generation of a big catalog included)."""
        self._process = subprocess.Popen(
            command_line(self.config, self._requested_port), stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        line = _read_line(self._process.stdout, timeout)
        if not line:
            code = self._process.poll()
            self.stop()
            raise RuntimeError(f"the simulated panel process did not start (exit code {code})")
        self.urls = json.loads(line)
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        """Interrupt the child as Ctrl-C would, wait for it, and return its exit code."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode


def _read_line(stream: IO[str], timeout: float) -> str:
    """One line from a pipe, or "" if none came within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if selector.select(left):
                # The child prints the whole line at once and flushes, so this does not block.
                return stream.readline()
    return ""
