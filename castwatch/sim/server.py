"""Run a simulated panel: :class:`SimServer` in a background thread, :func:`serve` in front.

The server binds its own socket on 127.0.0.1 (port 0 picks a free one) before uvicorn
starts, so the address is known, and put in every URL the panel hands out, from the start.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Self

import uvicorn

from castwatch.sim.app import SimApp
from castwatch.sim.catalog import cached_catalog
from castwatch.sim.config import Fault, SimConfig
from castwatch.sim.faults import expect_cut_responses
from castwatch.sim.hls import LiveFeed
from castwatch.sim.lifecycle import SimPanel, until_signal
from castwatch.sim.truth import REFERENCES_PATH

#: Faults whose responses end short on purpose (uvicorn would log each one as an error).
_CUTTING_FAULTS = frozenset({Fault.TRUNCATED, Fault.ENORMOUS, Fault.ENDLESS})


class SimServer(SimPanel):
    """One simulated panel on 127.0.0.1, served by uvicorn from a daemon thread.

    Use it as a context manager: ``with SimServer(live=50, fault=Fault.SLOW) as sim:``, then
    ``sim.urls``. Keyword options override fields of ``config`` (default: ``SimConfig()``).
    The catalog is generated once per process for each seed and size and shared.
    """

    def _prepare(self) -> None:
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app: SimApp | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def urls(self) -> dict[str, str]:
        """The three ways in and the account: what ``castwatch sim --json`` prints."""
        config = self.config
        return {
            "m3u_url": (
                f"{self.base_url}/get.php?username={config.username}"
                f"&password={config.password}&type=m3u_plus&output=ts"
            ),
            "xtream_url": f"{self.base_url}/",
            "stalker_url": f"{self.base_url}/stalker_portal/c/",
            "username": config.username,
            "password": config.password,
            "mac": config.mac,
            # The clean feed of every channel the panel restreams (castwatch ref capture-all).
            "references_url": f"{self.base_url}{REFERENCES_PATH}",
        }

    def truth(self) -> dict[str, Any]:
        """What each live stream really carries: :func:`castwatch.sim.truth.pirate_truth`."""
        if self.app is None:
            raise RuntimeError("start the SimServer before asking for its truth")
        return self.app.media.truth()

    def live_feed(self, stream_id: int) -> LiveFeed:
        """Where live entry ``stream_id`` plays, its channel key and reference feed URL."""
        if self.app is None:
            raise RuntimeError("start the SimServer before asking for its feeds")
        return self.app.media.live_feed(stream_id)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 30.0) -> Self:
        """Generate (or reuse) the catalog, bind, start serving; return once requests work."""
        if self._thread is not None:
            raise RuntimeError("this SimServer has already been started")
        config = self.config
        catalog = cached_catalog(
            config.seed, config.live, config.films, config.series, config.episodes
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        self._socket = sock
        self.port = sock.getsockname()[1]
        self.app = SimApp(catalog, config, self.base_url)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                loop="auto",
                http="httptools",
                lifespan="off",
                log_level="warning",
                access_log=False,
                # Leave the process's logging alone: this is a library call, not a program.
                log_config=None,
                # Streams end on shutdown by themselves; this bounds anything that does not.
                timeout_graceful_shutdown=3,
            )
        )
        if config.fault in _CUTTING_FAULTS:
            expect_cut_responses(True)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"castwatch-sim-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the simulated panel did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread; safe to call twice."""
        if self.app is not None:
            self.app.stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self.config.fault in _CUTTING_FAULTS:
                expect_cut_responses(False)
            self._thread = None
        if self._socket is not None:
            self._socket.close()  # uvicorn closed it already; closing again is harmless
            self._socket = None


def serve(
    config: SimConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    on_ready: Callable[[SimServer], None] | None = None,
) -> None:
    """Serve a simulated panel until SIGINT or SIGTERM, then stop cleanly and return.

    ``on_ready`` runs once the server answers (the CLI prints the URLs there). Call from the
    main thread: that is where Python delivers signals.
    """
    with until_signal() as stop, SimServer(config, host=host, port=port) as server:
        if on_ready is not None:
            on_ready(server)
        while server.running and not stop.wait(0.2):
            pass
