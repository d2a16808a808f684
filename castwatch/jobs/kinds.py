"""What a job does: the :class:`JobKind` extension point and its registry.

A kind splits its work in two, so that a job run twice stores one result:

- :meth:`JobKind.run` does the slow part (capture, fingerprint, fetch) in the worker's child
  process, which may be killed at the job's time limit. It returns a picklable outcome and
  stores nothing that counts as the job's result.
- :meth:`JobKind.commit` stores that outcome inside the transaction that marks the job done,
  which only the worker still holding the job's claim can commit.

A new kind subclasses :class:`JobKind`, sets ``name``, and registers with
:func:`register_job_kind` (an outside package through the ``castwatch.plugins`` entry points,
like every other extension point).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from sqlalchemy.orm import Session

from castwatch.plugins import Registry
from castwatch.storage.db import Store


@dataclass(slots=True)
class JobContext:
    """What a running job may use: the worker child's store, and a cache that lives as long
    as the child (a reference library, a service's targets), so consecutive jobs share it."""

    store: Store
    cache: dict[str, Any] = field(default_factory=dict)


class JobKind(ABC):
    """One kind of job; see the module docstring for the run/commit split."""

    #: The kind's name in the ``job`` table and on the command line (``check-stream``).
    name: ClassVar[str]

    @abstractmethod
    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        """Do the work for ``payload``; a picklable outcome. Raise to fail the attempt."""

    def commit(self, session: Session, payload: dict[str, Any], outcome: Any) -> dict[str, Any]:
        """Store ``outcome`` in ``session``; the JSON summary kept as the job's result."""
        return dict(outcome) if isinstance(outcome, dict) else {"outcome": outcome}


JOB_KINDS: Registry[type[JobKind]] = Registry(
    "job kind",
    key=lambda cls: cls.name,
    builtins=("castwatch.jobs.builtin", "castwatch.jobs.references"),
)
K = TypeVar("K", bound=type[JobKind])


def register_job_kind(cls: K) -> K:
    """Class decorator: make ``cls`` runnable as jobs of kind ``cls.name``."""
    JOB_KINDS.register(cls)
    return cls


def get_job_kind(name: str) -> JobKind:
    """An instance of the kind registered as ``name``; UnknownPlugin lists the others."""
    return JOB_KINDS.get(name)()
