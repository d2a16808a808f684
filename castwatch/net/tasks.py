"""Running requests side by side: every result, or the first failure as itself.

A task group raises an exception group; callers of the network layer want the one
:mod:`castwatch.errors` error that stopped the work (its message names the URL), so
:func:`gather_all` and :func:`first_error` unwrap it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


async def gather_all(calls: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run coroutines concurrently (the HttpClient bounds requests in flight); on the first
    failure cancel the rest and raise that failure, not an exception group."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    return [task.result() for task in tasks]


def first_error(errors: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first real exception inside a (possibly nested) task-group failure."""
    for error in errors.exceptions:
        if isinstance(error, BaseExceptionGroup):
            return first_error(error)
        return error
    return errors
