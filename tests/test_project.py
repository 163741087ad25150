"""Project-wide promises: the README stays true to the schema, and the code is lint-clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data.docs import tables_markdown
from data.schema import TABLES

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
