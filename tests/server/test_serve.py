"""``castwatch serve`` as a user starts it: a real process answering on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.enforce.notice_fixtures import free_port


def test_serve_answers_openapi_and_docs_then_stops_on_sigint(tmp_path: Path) -> None:
    port = free_port()
    env = os.environ | {"CASTWATCH_HOME": str(tmp_path / "home")}
    env.pop("CASTWATCH_DB", None)
    command = [sys.executable, "-m", "castwatch", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, "castwatch serve exited early"
                assert time.monotonic() < deadline, "castwatch serve did not answer"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["info"]["title"] == "castwatch"
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 200
        assert "server" not in answer.headers
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode in (0, 130), err
    assert f"http://127.0.0.1:{port}/" in err
