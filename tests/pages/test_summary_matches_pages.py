"""What each dashboard shows equals `python -m analytics summary --json` for the same filters.

On the demo fixture store, for several filter sets (all time, a period, one area,
two areas, one ward), every headline figure a dashboard page shows that the
summary also reports is compared with the command line's JSON, run in its own
process as an analyst would run it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import ccr_dash, events_dash, queries, trends
from analytics.filters import Filters
from data import reference
from data.store import Store
from tests.conftest import ANALYST

REPO = Path(__file__).resolve().parents[2]

# page -> (function giving the page's headline figures, {page figure: summary key})
PAGES = {
    "events_overview": (lambda s, f: queries.events_overview(s, f, user=ANALYST).headline, {
        "events_booked": "events_booked", "events_completed": "events_completed", "attendees": "attendees",
        "officer_attendances": "officer_attendances", "distinct_officers": "distinct_officers"}),
    "events_completed": (lambda s, f: events_dash.events_completed(s, f, user=ANALYST).headline, {
        "events_completed": "events_completed", "attendees": "attendees",
        "officer_attendances": "officer_attendances"}),
    "event_outcomes": (lambda s, f: _with_top(events_dash.event_outcomes(s, f, user=ANALYST)), {
        "intel_submissions": "intel_submissions", "events_completed": "events_completed",
        "top_issues": "top_issues"}),
    "engagement_activity": (lambda s, f: events_dash.engagement_activity(s, f, user=ANALYST).headline, {
        "events_booked": "events_booked", "officer_attendances": "officer_attendances",
        "distinct_officers": "distinct_officers"}),
    "ccr_outcomes": (lambda s, f: ccr_dash.ccr_outcomes(s, f, user=ANALYST).headline, {
        "ccrs": "ccrs", "ccrs_diversity_consent": "ccrs_diversity_consent",
        "smart_alert_signups": "smart_alert_signups"}),
    "ccr_activity": (lambda s, f: ccr_dash.ccr_activity(s, f, user=ANALYST).headline, {"ccrs": "ccrs"}),
    "change_over_time": (lambda s, f: trends.totals(trends.daily_activity(s, f, user=ANALYST)), {
        "events_completed": "events_completed", "ccrs": "ccrs"}),
}


def _with_top(outcomes) -> dict:
    return {**outcomes.headline, "top_issues": outcomes.top_issues}


def filter_sets(store: Store) -> dict[str, Filters]:
    today = dt.date.today()
    wards = reference.list_wards(store)
    areas = sorted(wards["area_code"].unique())
    by_ward = queries.events_overview(store, Filters(), user=ANALYST).by_ward
    busiest = by_ward.sort_values(["completed", "ward_code"], ascending=[False, True]).iloc[0]
    last_90 = (today - dt.timedelta(days=89), today)
    return {
        "all time": Filters(),
        "last 90 days": Filters(start=last_90[0], end=last_90[1]),
        "one area, this year": Filters(start=dt.date(today.year, 1, 1), end=today, areas=(areas[0],)),
        "two areas, last 90 days": Filters(start=last_90[0], end=last_90[1], areas=(areas[1], areas[2])),
        "busiest ward, all time": Filters(areas=(busiest["area_code"],), wards=(busiest["ward_code"],)),
    }


def cli_summary(store: Store, filters: Filters) -> dict:
    args = ["--store", str(store.root), "--json"]
    if filters.start:
        args += ["--start", filters.start.isoformat()]
    if filters.end:
        args += ["--end", filters.end.isoformat()]
    for area in filters.areas:
        args += ["--area", area]
    for ward in filters.wards:
        args += ["--ward", ward]
    done = subprocess.run([sys.executable, "-m", "analytics", "summary", *args], cwd=REPO, capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def demo_store(demo_store_root) -> Store:
    return Store(demo_store_root)


@pytest.fixture(scope="module")
def summaries(demo_store) -> dict[str, tuple[Filters, dict]]:
    return {name: (filters, cli_summary(demo_store, filters)) for name, filters in filter_sets(demo_store).items()}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_headline_equals_the_cli_summary(demo_store, summaries, page):
    headline_of, pairs = PAGES[page]
    for name, (filters, summary) in summaries.items():
        shown = headline_of(demo_store, filters)
        for figure, key in pairs.items():
            assert shown[figure] == summary[key], f"{page} {figure} for {name}"


def test_the_filter_sets_are_not_empty(summaries):
    for name, (_, summary) in summaries.items():
        assert summary["events_completed"] > 0 and summary["ccrs"] > 0, name
    assert summaries["busiest ward, all time"][1]["ccrs"] < summaries["all time"][1]["ccrs"]
