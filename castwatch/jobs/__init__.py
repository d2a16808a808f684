"""The job engine: every unit of monitoring work as a job in the database, run by workers.

A job is one stage-service function on one target for one schedule slot (``kinds.py``: the
:class:`JobKind` registry; ``builtin.py``: ``check-stream`` and ``ingest``). Jobs live in the
``job`` table (``queue.py``: queueing, the atomic claim with a token and a lease, retries with
backoff, ``dead`` after the last attempt). ``engine.py`` is the embedded engine: N worker
processes on the configured database, each running its jobs in a child process it kills past
the job's time limit. ``monitor.py`` is a monitoring pass over one service.
"""
