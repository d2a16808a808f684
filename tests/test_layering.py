"""Who may import whom: the surfaces call stage services, the stages never call a surface.

Checked on the source, by AST, over every import statement of every module, those inside
functions included (the CLI imports its stage inside each command, to start fast): a
surface that reached into the tables or SQLAlchemy would be doing a stage's work, and a
stage that imported the CLI would tie every other surface to it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import castwatch

PACKAGE = Path(castwatch.__file__).parent
#: Surfaces: parse input, call a stage function, render its result.
SURFACES = ("cli",)
#: What a surface must leave to the stages' store functions.
STORE_ONLY = ("sqlalchemy", "castwatch.storage.tables")


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


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_the_rule_sees_function_local_and_from_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from castwatch.storage import tables\n    import sqlalchemy.orm\n"
    )
    found = [name for _, name in _imports(module) if _within(name, STORE_ONLY)]
    assert found == ["castwatch.storage.tables", "sqlalchemy.orm"]


def test_surfaces_never_import_tables_or_sqlalchemy() -> None:
    offences = sorted(
        {
            f"{path.relative_to(PACKAGE.parent)}:{line}"
            for surface in SURFACES
            for path in _modules(PACKAGE / surface)
            for line, name in _imports(path)
            if _within(name, STORE_ONLY)
        }
    )
    assert not offences, "a surface reads the database itself:\n" + "\n".join(offences)


def test_stages_never_import_a_surface() -> None:
    surfaces = tuple(f"castwatch.{surface}" for surface in SURFACES)
    offences = sorted(
        {
            f"{path.relative_to(PACKAGE.parent)}:{line}"
            for path in _modules(PACKAGE)
            # ``python -m castwatch`` (and ``castwatch.sim``) start the CLI: entry points may.
            if path.relative_to(PACKAGE).parts[0] not in SURFACES and path.name != "__main__.py"
            for line, name in _imports(path)
            if _within(name, surfaces)
        }
    )
    assert not offences, "a stage depends on a surface:\n" + "\n".join(offences)
