"""My activity and the supervisor's Dip checks show the alerts, the ASB triggers and the queries past 72 hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.analytics.alerts_fixture import build_alerts_store
from tests.pages.test_pages import open_page


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("alert_pages") / "store"
    build_alerts_store(root, now=dt.datetime.now().replace(second=0, microsecond=0))
    return root


@pytest.fixture(autouse=True)
def _store(fixture_root, monkeypatch) -> None:
    monkeypatch.setenv("BEATBOOK_STORE", str(fixture_root))
    monkeypatch.delenv("BEATBOOK_DEMO_USER", raising=False)


def _grid(at: AppTest, column: str):
    """The grid holding `column` (AppTest does not give a grid's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_an_officer_sees_the_alerts_for_them_on_my_activity():
    at = open_page("pages/my_activity.py", "P1")
    grid = _grid(at, "title")
    # and qc's, while it is due within 12 hours
    assert {"ASB Case Review trigger", "Priority going stale"} <= set(grid["condition"])
    assert any("ASB Case Review threshold (3 in six months) reached" in t for t in grid["title"])
    assert any(w.value.startswith("Alerts for you:") for w in at.warning)
    assert not any("Your area:" in e.value for e in at.error)  # the area's flags are the supervisor's


def test_a_supervisor_sees_the_areas_flags_on_dip_checks_and_my_activity():
    at = open_page("pages/dip_checks.py", "S1")
    complaints = _grid(at, "kind")
    assert list(complaints["kind"]) == ["CCR", "CCR", "Query"]
    assert list(complaints["place"].fillna("")) == ["Place c1", "Place c2", ""]
    late = _grid(at, "hours_open")
    assert "Anti-social behaviour" in set(late["topic"]) and "summary" not in late.columns
    others = _grid(at, "title")
    assert {"No engagement", "Priority going stale"} <= set(others["condition"])
    assert set(others["ward_code"].dropna()) <= {"W1", "W2"}  # A1 only
    mine = open_page("pages/my_activity.py", "S1")
    assert any(e.value.startswith("Your area:") for e in mine.error)
    assert len(_grid(mine, "title")) >= 5
