"""Who may import whom: the surfaces call stage services, the stages never call a surface.

Checked on the source, by AST, over every import statement of every module, those inside
functions included (the CLI imports its stage inside each command, to start fast): a
surface that reached into the tables or SQLAlchemy would be doing a stage's work, and a
stage that imported the CLI would tie every other surface to it.
"""

from __future__ import annotations

import ast
import importlib
import re
import types
from collections.abc import Iterator
from pathlib import Path

import castwatch

PACKAGE = Path(castwatch.__file__).parent
#: Surfaces: parse input, call a stage function, render its result.
SURFACES = ("cli",)
#: What a surface must leave to the stages' store functions.
STORE_ONLY = ("sqlalchemy", "castwatch.storage.tables")
#: What only a surface (or an entry point starting one) may import: stage services are
#: called by the CLI, the job engine and the HTTP API alike, so none of them may draw.
SURFACE_ONLY = ("typer", "rich", "click")


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every module ``path`` imports, ``from X import Y`` giving X.Y too
    (``from castwatch.storage import tables`` imports the tables module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _within(module: str, roots: tuple[str, ...]) -> bool:
    return any(module == root or module.startswith(root + ".") for root in roots)


def _store_internal(module: str) -> bool:
    """SQLAlchemy itself, or any stage's row classes (``castwatch.<stage>.tables``)."""
    parts = module.split(".")
    return _within(module, STORE_ONLY) or (parts[0] == "castwatch" and "tables" in parts)


_DATABASE_HINTS = re.compile(r"\b(Session|Connection|Engine|Select)\b")


def _is_sqlalchemy(value: object) -> bool:
    """A mapped row class, a session, an engine, a statement, or a function that takes or
    gives a session or connection: what a surface must not hold."""
    if isinstance(value, type):
        return any(base.__module__.split(".")[0] == "sqlalchemy" for base in value.__mro__)
    if callable(value) and getattr(value, "__annotations__", None):
        hinted = " ".join(str(hint) for hint in value.__annotations__.values())
        if _DATABASE_HINTS.search(hinted):
            return True
    return type(value).__module__.split(".")[0] == "sqlalchemy"


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_the_rule_sees_function_local_and_from_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from castwatch.storage import tables\n    import sqlalchemy.orm\n"
    )
    found = [name for _, name in _imports(module) if _store_internal(name)]
    assert found == ["castwatch.storage.tables", "sqlalchemy.orm"]


def test_the_rule_sees_every_stage_tables_module_and_session_functions() -> None:
    from castwatch.storage.base import Base
    from castwatch.storage.db import Store

    assert _store_internal("castwatch.enforce.tables.CaseRow")
    assert not _store_internal("castwatch.enforce.cases")

    def takes_a_session(session: Session) -> None: ...  # noqa: F821

    def takes_a_store(store: Store) -> None: ...

    assert _is_sqlalchemy(Base)
    assert _is_sqlalchemy(takes_a_session)
    assert not _is_sqlalchemy(takes_a_store)
    assert not _is_sqlalchemy(Store)
    assert _DATABASE_HINTS.search("EngineOptions | None") is None  # a job engine's options


def test_surfaces_never_import_tables_or_sqlalchemy() -> None:
    offences = sorted(
        {
            f"{path.relative_to(PACKAGE.parent)}:{line}"
            for surface in SURFACES
            for path in _modules(PACKAGE / surface)
            for line, name in _imports(path)
            if _store_internal(name)
        }
    )
    assert not offences, "a surface reads the database itself:\n" + "\n".join(offences)


def test_surfaces_take_no_sqlalchemy_object_from_a_stage() -> None:
    """A name a surface imports from a stage (a store module's too) is a stage service or a
    model type: never a row class, a session, or a function that wants a session."""
    offences = []
    for surface in SURFACES:
        for path in _modules(PACKAGE / surface):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.ImportFrom)
                    and node.level == 0
                    and (node.module or "").startswith("castwatch.")
                ):
                    continue
                module = importlib.import_module(node.module or "")
                for alias in node.names:
                    value = getattr(module, alias.name, None)
                    if value is None:  # ``from package import submodule``
                        value = importlib.import_module(f"{node.module}.{alias.name}")
                    if not isinstance(value, types.ModuleType) and _is_sqlalchemy(value):
                        where = path.relative_to(PACKAGE.parent)
                        offences.append(f"{where}:{node.lineno} {node.module}.{alias.name}")
    assert not offences, "a surface holds a database object:\n" + "\n".join(offences)


def _stage_imports_of(roots: tuple[str, ...]) -> list[str]:
    """``path:line module`` wherever a stage imports one of ``roots``."""
    return sorted(
        {
            f"{path.relative_to(PACKAGE.parent)}:{line} {name}"
            for path in _modules(PACKAGE)
            # ``python -m castwatch`` (and ``castwatch.sim``) start the CLI: entry points may.
            if path.relative_to(PACKAGE).parts[0] not in SURFACES and path.name != "__main__.py"
            for line, name in _imports(path)
            if _within(name, roots)
        }
    )


def test_stages_never_draw() -> None:
    """Stage services return results; only a surface prints them with typer or rich."""
    offences = _stage_imports_of(SURFACE_ONLY)
    assert not offences, "a stage imports a surface library:\n" + "\n".join(offences)


def test_stages_never_import_a_surface() -> None:
    offences = _stage_imports_of(tuple(f"castwatch.{surface}" for surface in SURFACES))
    assert not offences, "a stage depends on a surface:\n" + "\n".join(offences)


#: Modules outside ``store*.py``, ``tables.py`` and ``storage/`` that still import SQLAlchemy,
#: each with its reason; every other module leaves the database to a store module.
SQLALCHEMY_ELSEWHERE = {
    # The job engine (issue 14, in progress in parallel): its queue is the claim protocol
    # over the ``job`` rows (row locks, leases), and the engines open the sessions it takes.
    "jobs/queue.py": "the job queue's claim protocol (its store)",
    "jobs/schedule.py": "monitor and event rows (its store)",
    "jobs/engine.py": "hands sessions to the queue",
    "jobs/celery_engine.py": "hands sessions to the queue",
    "jobs/celery_app.py": "hands sessions to the queue",
    "jobs/builtin.py": "hands sessions to the queue",
    "jobs/kinds.py": "job kinds typed on a session",
    "alerts/detect.py": "alert detection runs in the caller's transaction",
    # Read services behind ``services``/``show``/``export``/``diff``: a store in all but name.
    "sources/inventory_views.py": "the inventory read services (catalog's read store)",
}


def _may_touch_sqlalchemy(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return (
        relative.parts[0] == "storage" or path.name == "tables.py" or path.name.startswith("store")
    )


def _sqlalchemy_users() -> set[str]:
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in _modules(PACKAGE)
        if not _may_touch_sqlalchemy(path)
        and any(_within(name, ("sqlalchemy",)) for _, name in _imports(path))
    }


def test_only_store_and_tables_modules_touch_sqlalchemy() -> None:
    """Each stage keeps its queries in ``store*.py`` and its rows in ``tables.py``; nothing
    else imports SQLAlchemy, except the modules listed above with their reasons."""
    offences = sorted(_sqlalchemy_users() - set(SQLALCHEMY_ELSEWHERE))
    assert not offences, "SQLAlchemy outside a store module:\n" + "\n".join(offences)


def test_the_list_of_exceptions_is_not_stale() -> None:
    stale = sorted(set(SQLALCHEMY_ELSEWHERE) - _sqlalchemy_users())
    assert not stale, "no longer imports SQLAlchemy, drop it from the list:\n" + "\n".join(stale)
