"""Project-wide promises: the README stays true to the schema, the layers import one way, the code is lint-clean."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data.docs import tables_markdown
from data.schema import TABLES
from forms.ui.navigation import PAGES

ROOT = Path(__file__).resolve().parents[1]


def test_readme_documents_every_table_and_column_as_the_schema_defines_them():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- tables:start -->\n")[1].split("<!-- tables:end -->")[0]
    assert section == tables_markdown()
    for table, model in TABLES.items():
        assert f"#### `{table}`" in section
        for column in model.model_fields:
            assert f"| `{column}` |" in section


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff") or pytest.skip("ruff is not installed (pip install -r requirements-dev.txt)")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            if line and not line.startswith(("#", "-r")):
                assert "==" in line, f"{name}: {line} is not pinned"
    assert sys.version_info >= (3, 11)


def _imported(path: Path) -> set[str]:
    """The top-level packages a file imports, wherever in the file the import is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_ui_imports_streamlit():
    """data/ and analytics/ never draw; forms/ holds Streamlit-free use cases, and its widgets live in forms/ui/."""
    files = [*(ROOT / "data").rglob("*.py"), *(ROOT / "analytics").rglob("*.py"), *(ROOT / "forms").rglob("*.py")]
    drawing = sorted(str(f.relative_to(ROOT)) for f in files
                     if "streamlit" in _imported(f) and (ROOT / "forms" / "ui") not in f.parents)
    assert drawing == []


def test_every_page_opens_with_the_capabilities_the_menu_lists():
    """Each page script starts with `open_page(...)` naming the capabilities its registry entry has."""
    assert sorted(entry.script for entry in PAGES) == sorted(p.relative_to(ROOT).as_posix()
                                                             for p in (ROOT / "pages").glob("[!_]*.py"))
    for entry in PAGES:
        calls = re.findall(r"^\w+, store, user = open_page\(([^)]*)\)$", (ROOT / entry.script).read_text(), re.M)
        assert [tuple(re.findall(r'"(\w+)"', call)) for call in calls] == [entry.capabilities], entry.script
