"""One registry type for every extension point, and discovery of plugins from outside.

Sources, fingerprinters, notice templates, collectors and exporters are each a small
abstract class with one :class:`Registry` of implementations by name. A built-in registers
exactly as an outside package would, through the extension point's own decorator
(``@register_source``, ``@register``, ``@register_template``, ``@register_collector``,
``@register_exporter``); a registry imports its built-in modules the first time it is asked
for anything, so a command that needs none of them never pays for them.

An outside package becomes a plugin with one entry point in the ``castwatch.plugins`` group
(datasette loads ``DEFAULT_PLUGINS`` and setuptools entry points the same way)::

    [project.entry-points."castwatch.plugins"]
    my_source = "my_package.my_source"

Each entry point names a module whose import registers its classes. The group is read once,
lazily, the first time any registry is asked for its names or for a name it does not hold
(asking for a built-in by name never scans the installed packages). A name is taken once:
a second class under a taken name is refused with :class:`~castwatch.errors.DuplicatePlugin`
naming both, and an unknown name raises :class:`~castwatch.errors.UnknownPlugin` listing
what exists. Writing a plugin: docs/architecture.md, "Writing a plugin".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from castwatch.errors import CastwatchError, DuplicatePlugin, PluginLoadError, UnknownPlugin

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = ["ENTRY_POINT_GROUP", "Registry", "discover_plugins"]

#: The entry-point group outside packages declare their plugin modules in.
ENTRY_POINT_GROUP = "castwatch.plugins"

T = TypeVar("T")

_discovered = False
_loaded_entry_points: set[tuple[str, str]] = set()


class Registry(Generic[T]):
    """Implementations of one extension point by name, in the order they registered.

    ``what`` names a registered thing in messages ("source kind", "export format");
    ``builtins`` are the modules whose import registers the built-in implementations;
    ``key`` reads an implementation's registry name (``cls.name``, or ``cls.kind`` for
    notice templates). To add an extension point, make one module-level ``Registry`` and a
    typed decorator that calls :meth:`register`.
    """

    def __init__(self, what: str, key: Callable[[T], str], builtins: Sequence[str] = ()) -> None:
        self.what = what
        self._key = key
        self._builtins = tuple(builtins)
        self._builtins_loaded = not self._builtins
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        """Add ``item`` under its name; the same item again is a no-op, another is refused."""
        name = self._key(item)
        existing = self._items.get(name)
        if existing is not None and existing is not item:
            raise DuplicatePlugin(self.what, name, _describe(existing), _describe(item))
        self._items[name] = item
        return item

    def unregister(self, name: str) -> None:
        """Forget ``name`` (a test's temporary plugin); unknown names are ignored."""
        self._items.pop(name, None)

    def get(self, name: str) -> T:
        """The implementation registered as ``name``; raises UnknownPlugin listing the others."""
        self._load_builtins()
        if name not in self._items:
            # Only an unknown name pays for scanning installed packages.
            _discover_once()
        try:
            return self._items[name]
        except KeyError:
            raise UnknownPlugin(self.what, name, sorted(self._items)) from None

    def names(self) -> list[str]:
        """Every registered name, in the order of :meth:`items`."""
        return list(self.items())

    def items(self) -> dict[str, T]:
        """Every registered implementation by name: built-ins first, in the order of
        ``builtins`` (whatever order they were imported in), then outside plugins."""
        self._load_builtins()
        _discover_once()
        rank = {module: position for position, module in enumerate(self._builtins)}
        # sorted() is stable: one module's classes keep their registration order.
        ordered = sorted(
            self._items.items(),
            key=lambda pair: rank.get(getattr(pair[1], "__module__", ""), len(rank)),
        )
        return dict(ordered)

    def registered(self) -> dict[str, T]:
        """What is registered so far, loading nothing (for checks made while registering)."""
        return dict(self._items)

    def _load_builtins(self) -> None:
        if self._builtins_loaded:
            return
        # Set first: a built-in module that asks its own registry must not import itself again.
        self._builtins_loaded = True
        for module in self._builtins:
            importlib.import_module(module)


def discover_plugins() -> None:
    """Import every ``castwatch.plugins`` entry point not imported yet (each registers itself).

    The registries call this once, lazily; call it again after installing a package into a
    running process. A plugin that fails to import raises PluginLoadError naming it.
    """
    # Imported here: reading package metadata is the cost only discovery should pay.
    from importlib.metadata import entry_points

    global _discovered
    _discovered = True
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        identity = (entry.name, entry.value)
        if identity in _loaded_entry_points:
            continue
        _loaded_entry_points.add(identity)
        _load(entry)


def _discover_once() -> None:
    if not _discovered:
        discover_plugins()


def _load(entry: EntryPoint) -> None:
    distribution = entry.dist.name if entry.dist is not None else "an unknown package"
    try:
        entry.load()
    except CastwatchError:
        raise  # already says what went wrong (a duplicate name, a bad setting)
    except Exception as exc:
        # Outside code can fail in any way; the user must learn which plugin to remove.
        raise PluginLoadError(
            f"the castwatch plugin {entry.name!r} ({entry.value}, from {distribution}) failed "
            f"to load: {type(exc).__name__}: {exc}; upgrade or uninstall {distribution}"
        ) from exc


def _describe(item: object) -> str:
    module = getattr(item, "__module__", "?")
    return f"{module}.{getattr(item, '__qualname__', repr(item))}"
