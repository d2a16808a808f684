"""What every simulated server shares: a with-block that starts and stops it, and a signal wait.

:class:`Started` gives :class:`~castwatch.sim.server.SimServer`,
:class:`~castwatch.sim.process.SimProcess` and
:class:`~castwatch.sim.ecosystem.runner.Ecosystem` their context-manager protocol;
:class:`SimPanel` is what the two panel runners are made from (config, host, port);
:func:`until_signal` is how the ``serve`` functions wait for Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Self, Unpack

from castwatch.sim.config import SimConfig, SimOptions, loopback_host


class Started(ABC):
    """Something ``start`` brings up and ``stop`` takes down; a with-block does both.

    A subclass defines :meth:`start` (returning itself, so ``with X() as x:`` works) and
    :meth:`stop` (safe to call twice); the with-block stops it however the block ends.
    """

    @abstractmethod
    def start(self) -> Self:
        """Bring the thing up and return it once it answers."""

    @abstractmethod
    def stop(self) -> object:
        """Take the thing down; harmless when it is down already."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class SimPanel(Started):
    """A simulated panel, served in this process or a child: its config and where it listens.

    Keyword options override fields of ``config`` (default: ``SimConfig()``); ``host`` must
    be a loopback address (refused here, early, otherwise); ``port`` 0 picks a free one. A
    subclass sets up what else it keeps in :meth:`_prepare`.
    """

    def __init__(
        self,
        config: SimConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        **options: Unpack[SimOptions],
    ) -> None:
        self.config = dataclasses.replace(config or SimConfig(), **options)
        self.host = loopback_host(host)
        self._requested_port = port
        self._prepare()

    def _prepare(self) -> None:
        """Set the subclass's own state before the first start (nothing by default)."""


@contextmanager
def until_signal() -> Iterator[threading.Event]:
    """An event that SIGINT or SIGTERM sets while the block runs; old handlers come back after.

    Call from the main thread: that is where Python delivers signals.
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
