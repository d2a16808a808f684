"""Run the real ``castwatch`` command in-process, against real servers and databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from castwatch.cli.app import main
from castwatch.sim import SimServer


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return orjson.loads(self.stdout)


CliRunner = Callable[..., Result]


@pytest.fixture()
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> CliRunner:
    """``cli("ingest", url, "--json")`` runs castwatch's entry point and captures its output."""

    def run(*args: str) -> Result:
        monkeypatch.setattr("sys.argv", ["castwatch", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main()
        out, err = capsys.readouterr()
        code = exit_info.value.code
        return Result(code if isinstance(code, int) else 1, out, err)

    return run


@pytest.fixture(scope="module")
def small_sim() -> Iterator[SimServer]:
    with SimServer(seed=7, live=40, films=120, series=10, episodes=60) as sim:
        yield sim
