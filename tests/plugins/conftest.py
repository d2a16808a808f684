"""Install the fake outside plugin package (``installed/``) for the tests of this folder.

``installed/`` holds ``castwatch_fake/`` and its ``castwatch_fake-0.1.dist-info`` (METADATA
and ``entry_points.txt``), laid out as pip leaves a package in site-packages: on
``sys.path``, :func:`importlib.metadata.entry_points` finds its ``castwatch.plugins`` group
and the registries load it the way they load any installed plugin. No pip, no network.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from castwatch import plugins
from castwatch.attribute.collectors.base import COLLECTORS
from castwatch.attribute.exports import EXPORTERS
from castwatch.enforce.notices.base import TEMPLATES
from castwatch.fingerprint.base import FINGERPRINTERS
from castwatch.plugins import Registry
from castwatch.sources.base import SOURCES

# The fingerprint battery's restream parametrization, and the simulator's fixtures for the
# source battery: the contracts below need what their own folders' conftest files give.
from tests.fingerprint.conftest import pytest_generate_tests  # noqa: F401
from tests.sources.conftest import (  # noqa: F401
    sim,
    sim_config,
    sim_credentials,
    sim_options,
    sim_secrets,
)

INSTALLED = Path(__file__).parent / "installed"

#: The name the fake package registers in each registry.
FAKE_NAMES: dict[str, tuple[Registry[Any], str]] = {
    "source": (SOURCES, "fake-m3u"),
    "fingerprinter": (FINGERPRINTERS, "fake-soundtrack"),
    "notice": (TEMPLATES, "fake-letter"),
    "collector": (COLLECTORS, "fake-roll"),
    "exporter": (EXPORTERS, "edge-list"),
}


def forget_fake_plugins() -> None:
    """As if the fake package had never been imported: unregistered, modules dropped."""
    for registry, name in FAKE_NAMES.values():
        registry.unregister(name)
    for module in [m for m in sys.modules if m.split(".")[0] == "castwatch_fake"]:
        del sys.modules[module]


@pytest.fixture(scope="module", autouse=True)
def fake_plugin_installed() -> Iterator[Path]:
    """The fake package on ``sys.path``, entry points unread (as in a new process)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(INSTALLED))
        patch.setattr(plugins, "_discovered", False)
        patch.setattr(plugins, "_loaded_entry_points", set())
        yield INSTALLED
        forget_fake_plugins()
