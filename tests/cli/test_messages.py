"""Error and warning lines: one line each whatever the width, and never eaten as markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from castwatch.cli.output import error_line, warning_line
from castwatch.config import Settings
from castwatch.storage.db import Store
from tests.conftest import CliRunner
from tests.storage.helpers import make_inventory

#: A folder name longer than any terminal: rich would fold it at 80 columns.
LONG = "a-very-long-folder-name-" * 6 + "end"


def _unknown_layout(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    works = folder / "works.csv"
    works.write_text("name,year\nA,1999\n", encoding="utf-8")
    return works


def test_an_error_naming_a_long_path_is_one_line(cli: CliRunner, tmp_path: Path) -> None:
    works = _unknown_layout(tmp_path / LONG)
    assert len(LONG) > 140
    result = cli("registry", "import-works", str(works))
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {works}: no recognisable header")


def test_bracketed_words_in_an_error_are_printed(cli: CliRunner, tmp_path: Path) -> None:
    # "[sender]" or "[1]" in a path or a message is text, not rich markup.
    works = _unknown_layout(tmp_path / "[sender]" / "[bold]copy[/bold]")
    result = cli("registry", "import-works", str(works))
    assert result.code == 1
    assert result.stderr.startswith(f"error: {works}: ")
    assert "[sender]/[bold]copy[/bold]/works.csv" in result.stderr


def test_the_missing_sender_message_names_its_table(cli: CliRunner) -> None:
    with Store.open(Settings.resolve()) as store:
        from castwatch.catalog.store import save_inventory

        save_inventory(store, make_inventory(3), "panel-one")
    assert cli("case", "open", "op-heron", "--service", "panel-one").code == 0
    drafted = cli("notice", "draft", "op-heron", "--kind", "dmca")
    assert drafted.code == 1
    assert "set it under [sender] in $CASTWATCH_HOME/enforce.toml" in drafted.stderr
    assert len(drafted.stderr.splitlines()) == 1


@pytest.mark.parametrize("columns", ["20", "80", "300"])
def test_message_lines_ignore_the_terminal_width(
    columns: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    message = "cannot read " + "/x" * 120 + " [sender] " + " ".join(["word"] * 40)
    error_line(message)
    warning_line(message)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"error: {message}", f"warning: {message}"]
