"""Arrows point one way: `forms/` and `analytics/` may import `data/`, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
UPPER_LAYERS = ("analytics", "forms", "pages", "app", "streamlit")
ENTRY_POINT = DATA / "__main__.py"
"""`python -m data`, imported by nothing: its `alerts` command alone hands over to `forms.alerts`."""


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
             for path in modules if path != ENTRY_POINT}
    assert {path: layers for path, layers in wrong.items() if layers} == {}


def _upper_imports(tree: ast.AST) -> list[tuple[str, str]]:
    """(function, module) of each upper-layer import, by the function it sits in ('' at the top)."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inside = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            names = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            found.extend((inside, name) for name in names if name.split(".")[0] in UPPER_LAYERS)
            visit(child, inside)

    visit(tree, "")
    return found


def test_the_entry_point_hands_only_the_alerts_command_to_forms():
    tree = ast.parse(ENTRY_POINT.read_text(encoding="utf-8"))
    assert _upper_imports(tree) == [("run_alerts", "forms.alerts")]


def test_nothing_imports_the_entry_point():
    root = DATA.parent
    layers = ("data", "forms", "analytics", "pages")
    for path in [*root.glob("*.py"), *(p for d in layers for p in (root / d).rglob("*.py"))]:
        assert "data.__main__" not in imported_modules(path), path


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found
