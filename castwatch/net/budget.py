"""One memory budget for the bytes of every answer in flight in this process.

The per-body cap (``--max-bytes``, 512 MiB) stops one enormous answer, but not eight of them
at once: sixteen gzip bombs answered concurrently each inflated to nearly the cap and took
an ingest to 3.5 GB before it failed. Every :class:`~castwatch.net.client.HttpClient`
therefore also draws the decoded bytes it holds from one process-wide :class:`ByteBudget`;
the answer that would pass it fails with :class:`~castwatch.errors.ResponseTooLarge`, and its
bytes go back to the budget at once so the others carry on.

The budget is 1 GiB unless ``CASTWATCH_MAX_BYTES_IN_FLIGHT`` (bytes) says otherwise.
"""

from __future__ import annotations

import os
import threading

__all__ = ["BUDGET_ENV", "ByteBudget", "Hold", "process_budget"]

BUDGET_ENV = "CASTWATCH_MAX_BYTES_IN_FLIGHT"
DEFAULT_BUDGET = 1 << 30


class ByteBudget:
    """A counter of bytes held, with a ceiling; thread-safe (readers may run in threads)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        #: The most bytes ever held at once (for tests and benchmarks).
        self.peak = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        """Hold ``size`` more bytes if the ceiling allows; False (nothing held) otherwise."""
        with self._lock:
            if self.held + size > self.limit:
                return False
            self.held += size
            self.peak = max(self.peak, self.held)
            return True

    def give(self, size: int) -> None:
        """Return ``size`` held bytes."""
        with self._lock:
            self.held = max(0, self.held - size)

    def hold(self) -> Hold:
        """A context manager that returns everything taken through it on exit."""
        return Hold(self)


class Hold:
    """Bytes one answer holds; all of them return to the budget when the ``with`` ends."""

    def __init__(self, budget: ByteBudget) -> None:
        self.budget = budget
        self.size = 0

    def take(self, size: int) -> bool:
        if not self.budget.take(size):
            return False
        self.size += size
        return True

    def give(self, size: int) -> None:
        size = min(size, self.size)
        self.size -= size
        self.budget.give(size)

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.give(self.size)

    # Also usable in ``async with``, beside the response it belongs to.
    async def __aenter__(self) -> Hold:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.give(self.size)


def _configured_limit() -> int:
    raw = os.environ.get(BUDGET_ENV, "").strip().replace("_", "")
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return DEFAULT_BUDGET


_PROCESS_BUDGET: ByteBudget | None = None
_SETUP = threading.Lock()


def process_budget() -> ByteBudget:
    """This process's budget, made on first use from ``CASTWATCH_MAX_BYTES_IN_FLIGHT``."""
    global _PROCESS_BUDGET
    with _SETUP:
        if _PROCESS_BUDGET is None:
            _PROCESS_BUDGET = ByteBudget(_configured_limit())
        return _PROCESS_BUDGET
