"""``castwatch --help`` starts at once: no command module imports its heavy stage at start.

Typer builds every command's signature to print the help, so every ``castwatch/cli`` module
is imported; what each command *runs* (PyAV, numpy, Alembic, Jinja2, WeasyPrint ...) must be
imported inside the command. The check looks at ``sys.modules`` of a fresh interpreter after
``--help`` (timing is the benchmark's business: ``bench/startup.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Packages that ``castwatch --help`` must never import (issue 10, item 7).
FORBIDDEN = (
    "av",
    "numpy",
    "alembic",
    "jinja2",
    "matplotlib",
    "weasyprint",
    "networkx",
    "stix2",
    "pymisp",
    "dnslib",
    "trustme",
)
#: Also kept out because they are costly and no help text needs them.
AVOIDED = ("sqlalchemy", "httpx", "rapidfuzz", "cryptography", "yaml", "fastapi", "uvicorn")

_PROBE = """
import json, sys
sys.argv = ["castwatch", *sys.argv[1:]]
from castwatch.cli.app import main
try:
    main()
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
sys.stderr.write("\\nCODE " + json.dumps(code) + "\\n")
"""


def _imported_by(*args: str) -> tuple[set[str], str, int]:
    # A fresh interpreter: this test process has long imported everything.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = done.stderr.splitlines()
    modules = next(line for line in lines if line.startswith("MODULES "))
    code = next(line for line in lines if line.startswith("CODE "))
    return set(json.loads(modules[8:])), done.stdout, int(json.loads(code[5:]) or 0)


def test_help_imports_no_heavy_package() -> None:
    modules, stdout, code = _imported_by("--help")
    assert code == 0
    assert {"castwatch", "typer"} <= modules  # the probe saw a real start
    # Every command is still listed, with its help text.
    for command in ("ingest", "inspect", "verify", "dossier", "sim", "case", "evidence"):
        assert command in stdout
    assert sorted(modules & set(FORBIDDEN)) == []
    assert sorted(modules & set(AVOIDED)) == []


@pytest.mark.parametrize(
    "command",
    [("sim", "--help"), ("ingest", "--help"), ("notice", "contact", "--help")],
)
def test_a_command_s_help_imports_no_heavy_package(command: tuple[str, ...]) -> None:
    modules, _, _ = _imported_by(*command)
    assert sorted(modules & set(FORBIDDEN)) == []


def test_the_help_names_the_contact_roles() -> None:
    # The roles moved to the model so that their help text costs no database layer.
    _, stdout, code = _imported_by("notice", "contact", "--help")
    assert code == 0
    assert "dmca-agent" in stdout
