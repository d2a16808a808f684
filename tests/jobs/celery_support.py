"""What the Celery and fault tests share: the real broker, queues of their own, real worker
processes, a TCP proxy that cuts connections, and job kinds that take a little time.

The broker is the machine's RabbitMQ (``$CASTWATCH_TEST_BROKER`` or 127.0.0.1:5672,
guest/guest). Where none answers the tests skip with the reason, unless
``CASTWATCH_REQUIRE_BROKER=1`` (set by ``.ci/run``) makes that a failure. Each test gets
queues of its own (a unique ``CASTWATCH_QUEUE_PREFIX``), deleted afterwards; the shared
broker itself is never stopped: a "broker restart" is a :class:`TcpProxy` in front of it that
drops every connection, exactly what clients see when a broker goes away, and then lets them
in again.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from kombu import Connection

from castwatch.config import Settings
from castwatch.jobs.celery_app import JOB_CLASSES, make_app, queue_name
from castwatch.jobs.celery_engine import queue_counts, start_local_workers, stop_local_workers
from castwatch.jobs.kinds import JobContext, register_job_kind
from tests.jobs.fake_kinds import _Recorded, _started

BROKER_URL = os.environ.get("CASTWATCH_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
#: Imported by every worker process: the engine tests' kinds and these.
IMPORTS = ("tests.jobs.fake_kinds", "tests.jobs.celery_support")


@register_job_kind
class Nap(_Recorded):
    """Takes ``seconds`` (a short real job), then done."""

    name = "test-nap"

    def run(self, context: JobContext, payload: dict[str, Any]) -> Any:
        _started(payload)
        time.sleep(float(payload.get("seconds", 0.2)))
        return {"pid": os.getpid()}


def wait_for(condition: Callable[[], object], what: str, limit: float = 120.0) -> None:
    """Poll ``condition``; fail (not hang) past a generous ``limit``."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def broker_server() -> str:
    """The URL of a reachable broker, or a skip (a failure under CI)."""
    try:
        with Connection(BROKER_URL, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        reason = f"RabbitMQ not reachable at {BROKER_URL.split('@')[-1]}: {exc}"
        if os.environ.get("CASTWATCH_REQUIRE_BROKER") == "1":
            pytest.fail(reason + " (CASTWATCH_REQUIRE_BROKER=1)")
        pytest.skip(reason)
    return BROKER_URL


@pytest.fixture()
def broker(broker_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The broker, with queues of this test's own (deleted at the end)."""
    prefix = f"cwtest-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CASTWATCH_BROKER_URL", broker_server)
    monkeypatch.setenv("CASTWATCH_QUEUE_PREFIX", prefix)
    monkeypatch.setenv("CASTWATCH_ALLOW_PRIVATE_NETWORKS", "1")
    yield broker_server
    with Connection(broker_server) as connection:
        channel = connection.channel()
        for name in JOB_CLASSES:
            with contextlib.suppress(Exception):
                channel.queue_delete(f"{prefix}.{name}")
                channel.exchange_delete(f"{prefix}.{name}")


class Workers:
    """Real ``castwatch worker --engine celery`` processes on one database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = make_app(settings)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, count: int) -> list[subprocess.Popen[bytes]]:
        started = start_local_workers(self.settings, self.app, count, IMPORTS)
        self.processes += started
        wanted = len([p for p in self.processes if p.poll() is None])
        wait_for(
            lambda: queue_counts(self.app)["checks"][1] >= wanted,
            f"{wanted} worker(s) to consume {queue_name(self.app.castwatch_celery, 'checks')}",
        )
        return started

    def stop(self) -> None:
        stop_local_workers(self.processes, grace_s=10)

    def log(self) -> str:
        logs = self.settings.home / "logs"
        return "\n".join(path.read_text(errors="replace") for path in sorted(logs.glob("*.log")))


@pytest.fixture()
def workers() -> Iterator[Callable[[Settings], Workers]]:
    """``workers(settings).start(2)``: worker processes, stopped at the end of the test."""
    made: list[Workers] = []

    def make(settings: Settings) -> Workers:
        made.append(Workers(settings))
        return made[-1]

    yield make
    for group in made:
        group.stop()


class TcpProxy:
    """A TCP proxy on 127.0.0.1 in front of ``target``; :meth:`cut` drops every connection
    and refuses new ones (a server that went away), :meth:`restore` lets clients in again."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url_for(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's."""
        parts = urlsplit(url)
        auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        return urlunsplit(parts._replace(netloc=f"{auth}127.0.0.1:{self.port}"))

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in selector.select(timeout=1.0):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for end in (client, upstream):
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self) -> None:
        self.open = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    end.close()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.stopping = True
        self.cut()
        self.listener.close()


@pytest.fixture()
def proxy() -> Iterator[Callable[[str], TcpProxy]]:
    """``proxy(url)``: a :class:`TcpProxy` in front of ``url``'s host and port."""
    made: list[TcpProxy] = []

    def make(url: str) -> TcpProxy:
        parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
        made.append(TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432))
        return made[-1]

    yield make
    for each in made:
        each.close()


def started(folder: Path) -> list[Path]:
    return sorted(folder.glob("started-*"))
