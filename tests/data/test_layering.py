"""Arrows point one way: `forms/` and `analytics/` may import `data/`, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
UPPER_LAYERS = ("analytics", "forms", "pages", "app", "streamlit")


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_no_data_module_imports_an_upper_layer():
    modules = sorted(DATA.rglob("*.py"))
    assert len(modules) > 20
    wrong = {str(path.relative_to(DATA.parent)): sorted(imported_packages(path) & set(UPPER_LAYERS))
             for path in modules}
    assert {path: layers for path, layers in wrong.items() if layers} == {}
