"""`python -m forms import priorities`: load a data.police.uk priorities file as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import point_commands_at

REPO = Path(__file__).resolve().parents[2]
PRIORITIES = [
    {"issue": "<p>Speeding on <b>London Road</b></p>", "issue-date": "2026-01-05T00:00:00",
     "action": "<p>Speed checks every week</p>", "action-date": "2026-02-01T00:00:00"},
    {"issue": "Fly-tipping behind the parade", "issue-date": "2026-03-01T00:00:00", "action": None,
     "action-date": None},
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "forms", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_import_priorities_loads_once_and_refuses_officers(any_store, tmp_path, monkeypatch):
    store = any_store
    point_commands_at(store, monkeypatch, tmp_path)
    path = tmp_path / "priorities.json"
    path.write_text(json.dumps(PRIORITIES))
    before = store.snapshot("ysywd").rows
    common = ("import", "priorities", str(path), "--store", store.root, "--area", "ST-STA")
    refused = run(*common, "--user", "u0001")  # an officer
    assert refused.returncode == 1 and "may not import" in refused.stderr
    no_area = run(*common[:-2], "--user", "u0005")
    assert no_area.returncode == 1 and "--area" in no_area.stderr
    loaded = run(*common, "--user", "u0005")  # an analyst
    assert loaded.returncode == 0, loaded.stderr
    assert "priorities.json: 2 priorities read, 2 added, 0 already loaded" in loaded.stdout
    again = run(*common)  # as the command line's own analyst
    assert again.returncode == 0, again.stderr
    assert "priorities.json: 2 priorities read, 0 added, 2 already loaded" in again.stdout
    assert store.snapshot("ysywd").rows == before + 2
