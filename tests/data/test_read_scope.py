"""Every read function, every role: who may call it, and that a team role reads its own area only.

The role x function matrix of `test_access.py` covers the officer app's reads;
this module covers the rest, and first checks that no public read function in
`analytics/` is left out of either: a new one must be added here (or to the
short list of reads that hold no personal data, with the reason).

The dashboard queries take the acting user and narrow the filters to the
user's area in the data layer (`analytics.filters.within_scope`), so a
supervisor's view of any dashboard is exactly an analyst's view of that
supervisor's area, and naming another area is refused, whatever the page or
the URL asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import pkgutil
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import analytics
from analytics import (
    activity,
    admin,
    alerts,
    audit,
    calendar,
    calendar_feed,
    ccr_dash,
    disclosure,
    events_dash,
    guarantee,
    pack,
    period_export,
    problems,
    quality,
    search,
    trends,
    wordcloud,
)
from analytics import ysywd as ysywd_reads
from analytics.filters import Filters
from data import db, reference
from data.access import NotAllowed
from data.store import Store
from forms.identity import USER_KEY
from forms.ui.widgets import user_text
from tests.conftest import user_of_role

ROOT = Path(__file__).resolve().parents[2]
STA, STK = "ST-STA", "ST-STK"
WHO = ("officer", "supervisor", "commander", "analyst", "admin", "stk_officer", "stk_supervisor", "inactive")
TEAM_STA = {"officer", "supervisor"}
TEAM = TEAM_STA | {"stk_officer", "stk_supervisor"}
EVERYONE = set(WHO) - {"inactive"}
READERS = {"supervisor", "stk_supervisor", "commander", "analyst"}  # read_aggregates
QUALITY = {"supervisor", "stk_supervisor", "commander", "analyst"}
PROBLEM_READERS = {"officer", "supervisor", "commander", "analyst"}  # problem_read, in Stafford



def _last_month() -> dt.date:
    return (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# Public reads that hold no personal data and so take no user, each with why.
NO_USER = {
    "activity.list_news": "force news, shown to every signed-in user",
    "activity.list_settings": "configuration values (quick links, force name)",
    "quality.dip_check_shares": "the configured dip-check sample shares",
    "alerts.alert_settings": "the configured ASB trigger threshold and coverage gap",
    "search.creators_relation": "builds SQL text; reads nothing",
    "disclosure.publish": "writes the closed months' published cells and returns only how many",
    "disclosure.publishable_months": "which months may be published, from the retention settings",
    "queries.summary": "area totals only (no record, no officer); read by the operator's command line"
                       " (`python -m analytics summary`, with the store's own credentials) and by"
                       " `pack.build_area_pack` after it has checked the user's area",
}


def _public_reads() -> dict[str, Callable]:
    found = {}
    for info in pkgutil.iter_modules(analytics.__path__):
        if info.ispkg or info.name in ("bench", "__main__"):
            continue
        module = importlib.import_module(f"analytics.{info.name}")
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters and parameters[0] == "store":
                found[f"{info.name}.{name}"] = function
    return found


PUBLIC_READS = _public_reads()
DASHBOARDS = {name: f for name, f in PUBLIC_READS.items() if getattr(f, "capability", None) == "read_aggregates"}


def _a_stafford(store: Store, table: str) -> dict:
    """One current record of `table` in Stafford."""
    (record_id,) = db.row(
        f"SELECT record_id FROM {store.relation(table)} WHERE area_code = ? ORDER BY record_id LIMIT 1",
        [STA])
    return store.get(table, record_id)


# name: (call as user u on store s, who may); the record-level reads beside the dashboards.
OTHER_READS: dict[str, tuple[Callable[[Store, dict, Any], object], set[str]]] = {
    "activity.list_my_activity": (lambda s, u, t: activity.list_my_activity(s, user=u, limit=5), TEAM),
    "activity.list_returned": (lambda s, u, t: activity.list_returned(s, user=u), TEAM),
    "activity.count_my_contributions_by_week": (
        lambda s, u, t: activity.count_my_contributions_by_week(s, user=u), TEAM),
    "activity.count_my_activity_by_ward": (lambda s, u, t: activity.count_my_activity_by_ward(s, user=u), TEAM),
    "activity.list_my_feedback": (lambda s, u, t: activity.list_my_feedback(s, user=u), EVERYONE),
    "admin.list_records": (lambda s, u, t: admin.list_records(s, table="users", user=u), {"admin"}),
    "admin.find_record": (lambda s, u, t: admin.find_record(s, table="users", column="role", value="admin", user=u),
                          {"admin"}),
    "admin.record_history": (lambda s, u, t: admin.record_history(s, table="areas", record_id=STA, user=u),
                             {"admin"}),
    "audit.search_audit": (lambda s, u, t: audit.search_audit(s, u, limit=5), {"admin"}),
    "calendar.list_upcoming_events": (lambda s, u, t: calendar.list_upcoming_events(
        s, user=u, area_code=STA, now=dt.datetime.now()), TEAM_STA),
    "calendar.list_recent_events": (lambda s, u, t: calendar.list_recent_events(
        s, user=u, area_code=STA, today=dt.date.today()), TEAM_STA),
    "calendar.list_events_to_update": (lambda s, u, t: calendar.list_events_to_update(
        s, user=u, area_code=STA, now=dt.datetime.now()), TEAM_STA),
    "disclosure.diversity_counts": (lambda s, u, t: disclosure.diversity_counts(s, Filters(areas=(STA,)), user=u),
                                    READERS - {"stk_supervisor"}),
    "ccr_dash.ccr_details": (lambda s, u, t: ccr_dash.ccr_details(s, Filters(areas=(STA,)), user=u), TEAM_STA - {
        "officer"} | {"commander", "analyst"}),
    "period_export.export_period": (lambda s, u, t: period_export.export_period(
        s, t, user=u, start=dt.date.today() - dt.timedelta(days=7), areas=(STA,), tables=("patrols",)),
        {"supervisor", "commander", "analyst"}),
    "quality.list_queue": (lambda s, u, t: quality.list_queue(s, user=u), {"supervisor", "stk_supervisor"}),
    "quality.get_check_record": (lambda s, u, t: quality.get_check_record(
        s, user=u, table="ccrs", record_id=_a_stafford(s, "ccrs")["record_id"]), {"supervisor"}),
    "quality.list_reviews": (lambda s, u, t: quality.list_reviews(
        s, user=u, table="ccrs", record_id=_a_stafford(s, "ccrs")["record_id"]), {"supervisor"}),
    "quality.quality_by_area_month": (lambda s, u, t: quality.quality_by_area_month(
        s, user=u, start=dt.date.today() - dt.timedelta(days=90), end=dt.date.today(), areas=(STA,)),
        QUALITY - {"stk_supervisor"}),
    "quality.count_faults": (lambda s, u, t: quality.count_faults(
        s, user=u, start=dt.date.today() - dt.timedelta(days=90), end=dt.date.today(), areas=(STA,)),
        QUALITY - {"stk_supervisor"}),
    "quality.list_team_submissions": (lambda s, u, t: quality.list_team_submissions(
        s, user=u, start=dt.date.today() - dt.timedelta(days=7), end=dt.date.today()),
        {"supervisor", "stk_supervisor"}),
    "search.search": (lambda s, u, t: search.search(s, user=u, limit=5), TEAM),
    "search.get_record": (lambda s, u, t: search.get_record(
        s, table="ccrs", record_id=_a_stafford(s, "ccrs")["record_id"], user=u), TEAM),
    "search.list_good_practice": (lambda s, u, t: search.list_good_practice(s, user=u), EVERYONE),
    "search.list_useful_info": (lambda s, u, t: search.list_useful_info(s, user=u), EVERYONE),
    "search.list_info_folders": (lambda s, u, t: search.list_info_folders(s, user=u), EVERYONE),
    "trends.before_after": (lambda s, u, t: trends.before_after(
        s, Filters(areas=(STA,)), user=u, pivot=dt.date.today() - dt.timedelta(days=20), days=14),
        READERS - {"stk_supervisor"}),
    "wordcloud.issues_word_cloud": (lambda s, u, t: wordcloud.issues_word_cloud(
        s, Filters(areas=(STA,)), user=u, width=60, height=40), READERS - {"stk_supervisor"}),
    "problems.problems_by_stage": (lambda s, u, t: problems.problems_by_stage(s, Filters(areas=(STA,)), user=u),
                                   PROBLEM_READERS),
    "problems.list_problems": (lambda s, u, t: problems.list_problems(s, Filters(areas=(STA,)), user=u),
                               PROBLEM_READERS),
    "problems.problems_for_item": (lambda s, u, t: problems.problems_for_item(
        s, _a_stafford(s, "ysywd")["record_id"], user=u), PROBLEM_READERS | {"stk_officer", "stk_supervisor"}),
    "problems.problem_analysis": (lambda s, u, t: problems.problem_analysis(s, _a_stafford(s, "problems"), user=u),
                                  PROBLEM_READERS),
    "problems.assessment": (lambda s, u, t: problems.assessment(s, _a_stafford(s, "problems"), user=u),
                            PROBLEM_READERS),
    "calendar_feed.list_officer_events": (lambda s, u, t: calendar_feed.list_officer_events(s, user=u), TEAM),
    # An area's calendar: its own officers and supervisors, and those who read its dashboards.
    "calendar_feed.list_area_events": (lambda s, u, t: calendar_feed.list_area_events(s, user=u, area_code=STA),
                                       TEAM_STA | {"commander", "analyst"}),
    "calendar_feed.list_public_events": (lambda s, u, t: calendar_feed.list_public_events(
        s, user=u, area_code=STA), TEAM_STA | {"commander", "analyst"}),
    "calendar_feed.make_calendar": (lambda s, u, t: calendar_feed.make_calendar(s, user=u, area_code=STA),
                                    TEAM_STA | {"commander", "analyst"}),
    "pack.list_coverage_gaps": (lambda s, u, t: pack.list_coverage_gaps(s, Filters(areas=(STA,)), user=u),
                                READERS - {"stk_supervisor"}),
    "pack.pack_areas": (lambda s, u, t: pack.pack_areas(s, user=u, areas=(STA,)), READERS - {"stk_supervisor"}),
    # A pack needs read_aggregates and export in the area: supervisors (their own), commanders and analysts.
    "pack.build_area_pack": (lambda s, u, t: pack.build_area_pack(s, user=u, area_code=STA, month=_last_month()),
                             READERS - {"stk_supervisor"}),
    "pack.make_pack_file": (lambda s, u, t: pack.make_pack_file(s, user=u, area_code=STA, month=_last_month(),
                                                                fmt="html"), READERS - {"stk_supervisor"}),
    "pack.write_packs": (lambda s, u, t: pack.write_packs(s, t, user=u, month=_last_month(), areas=(STA,)),
                         READERS - {"stk_supervisor"}),
    "guarantee.list_my_open_queries": (lambda s, u, t: guarantee.list_my_open_queries(s, user=u), TEAM),
    "alerts.list_my_alerts": (lambda s, u, t: alerts.list_my_alerts(s, user=u), TEAM),
    "alerts.list_sent_alerts": (lambda s, u, t: alerts.list_sent_alerts(s, user=u), {"commander", "analyst"}),
    "guarantee.list_ward_officers": (lambda s, u, t: guarantee.list_ward_officers(s, user=u, area_code=STA),
                                     EVERYONE - {"stk_officer", "stk_supervisor"}),
    "ysywd.list_board": (lambda s, u, t: ysywd_reads.list_board(s, user=u, area_code=STA), EVERYONE - {
        "stk_officer", "stk_supervisor"}),
    "ysywd.count_board": (lambda s, u, t: ysywd_reads.count_board(s, user=u, area_code=STA), EVERYONE - {
        "stk_officer", "stk_supervisor"}),
    "ysywd.list_linkable_sources": (lambda s, u, t: ysywd_reads.list_linkable_sources(
        s, user=u, item=_a_stafford(s, "ysywd")), EVERYONE - {"stk_officer", "stk_supervisor"}),
    "ysywd.list_raise_sources": (lambda s, u, t: ysywd_reads.list_raise_sources(
        s, user=u, area_code=STA, table="ccrs"), EVERYONE - {"stk_officer", "stk_supervisor"}),
    "ysywd.list_linked_sources": (lambda s, u, t: ysywd_reads.list_linked_sources(
        s, user=u, item=_a_stafford(s, "ysywd")), EVERYONE - {"stk_officer", "stk_supervisor"}),
    "ysywd.ysywd_overview": (lambda s, u, t: ysywd_reads.ysywd_overview(s, Filters(areas=(STA,)), user=u),
                             EVERYONE - {"stk_officer", "stk_supervisor"}),
    "ysywd.list_publishable": (lambda s, u, t: ysywd_reads.list_publishable(
        s, user=u, area_code=STA, start=dt.date.today() - dt.timedelta(days=90), end=dt.date.today()),
        EVERYONE - {"stk_officer", "stk_supervisor"}),
}


def test_every_public_read_function_is_in_the_matrix():
    covered = set(DASHBOARDS) | set(OTHER_READS) | set(NO_USER)
    assert set(PUBLIC_READS) - covered == set(), "add the new read function to this matrix"
    assert covered - set(PUBLIC_READS) == set(), "a function in the matrix no longer exists"
    for name in set(PUBLIC_READS) - set(NO_USER):
        assert "user" in inspect.signature(PUBLIC_READS[name]).parameters, f"{name} must take the acting user"
    assert len(DASHBOARDS) >= 12


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("read", sorted(OTHER_READS))
def test_who_may_call_each_read(world, read, who, tmp_path):
    store, users = world
    run, allowed = OTHER_READS[read]
    if who in allowed:
        run(store, users[who], tmp_path)
    else:
        with pytest.raises(NotAllowed):
            run(store, users[who], tmp_path)


def _same(a: Any, b: Any) -> bool:
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and _same(vars(a), vars(b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, pd.DataFrame):
        return isinstance(b, pd.DataFrame) and a.reset_index(drop=True).equals(b.reset_index(drop=True))
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # NaN is NaN




def _year() -> Filters:
    return Filters(start=dt.date.today() - dt.timedelta(days=365), end=dt.date.today())



@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_dashboards_by_role_and_a_supervisor_sees_exactly_their_area(world, name):
    store, users = world
    query = DASHBOARDS[name]
    year = _year()
    for who in sorted(set(WHO) - READERS):
        with pytest.raises(NotAllowed):
            query(store, year, user=users[who])
    analysts_stafford = query(store, dataclasses.replace(year, areas=(STA,)), user=users["analyst"])
    assert _same(query(store, year, user=users["supervisor"]), analysts_stafford)
    assert _same(query(store, dataclasses.replace(year, areas=(STA,)), user=users["supervisor"]), analysts_stafford)
    for asked in ((STK,), (STA, STK)):
        with pytest.raises(NotAllowed, match=f"{STK}.* outside your area"):
            query(store, dataclasses.replace(year, areas=asked), user=users["supervisor"])


def test_a_supervisors_filters_cannot_reach_another_areas_wards_or_officers(world):
    store, users = world
    year = _year()
    stk_ward, stk_officer = db.row(
        f"SELECT ward_code, organiser FROM {store.relation('events')} WHERE area_code = ? AND status = 'completed'"
        " AND start >= ? AND start < ? LIMIT 1", [STK, year.start, year.end])
    events = events_dash.events_completed
    for narrowed in (Filters(wards=(stk_ward,)), Filters(officers=(stk_officer,))):
        seen = events(store, dataclasses.replace(year, wards=narrowed.wards, officers=narrowed.officers),
                      user=users["supervisor"])
        assert seen.events.empty and seen.headline["events_completed"] == 0
        analyst = events(store, dataclasses.replace(year, wards=narrowed.wards, officers=narrowed.officers),
                         user=users["analyst"])
        assert analyst.headline["events_completed"] > 0, "the filter does match Stoke-on-Trent's events"


def test_the_filter_bar_offers_only_the_supervisors_area_and_a_link_to_another_is_refused(app_store, demo_store_root):
    shutil.rmtree(app_store.root, ignore_errors=True)
    shutil.copytree(demo_store_root, app_store.root)
    store = Store(app_store.root)
    supervisor = user_of_role(store, "supervisor", STA)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[USER_KEY] = supervisor["user_id"]
    at.query_params["area"] = STK
    at.query_params["period"] = "this_year"
    at.run()
    at.switch_page("pages/events_completed.py")
    at.query_params["area"] = STK
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(user_text(STK) in w.value and "outside your area" in w.value for w in at.warning)
    areas = next(m for m in at.multiselect if m.label == "Areas")
    assert len(areas.options) == 1 and areas.value == []
    table = next(d for d in at.dataframe if "area" in d.value.columns)
    assert set(table.value["area"]) == {reference.area_names(store)[STA]}, "only Stafford's completed events"
