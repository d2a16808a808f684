"""Real HTTP servers on 127.0.0.1 for tests: any ASGI app on a free port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serve_asgi(
    app: Any, log_level: str = "warning", on_stop: Callable[[], None] | None = None
) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free 127.0.0.1 port; yields the base URL.

    ``on_stop`` runs first at shutdown: an app with endless responses ends them there.
    """
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level=log_level,
        log_config=None,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        if on_stop is not None:
            on_stop()
        server.should_exit = True
        thread.join(10)
        sock.close()
