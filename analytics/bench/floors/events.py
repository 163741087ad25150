"""Floors of the Engagement activity, Events completed and Event outcomes pages.

Each page's breakdowns of the same events come from one scan grouped by `GROUPING SETS`;
each list column is unnested once (officers per officer, communities, issues).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from wordcloud import STOPWORDS

from analytics.bench.floors import Window, dates, run, sources, when

TOP_OFFICERS = 20
COMPLETED_ROWS = 500
VALUE_GAINED_ROWS = 10
TOP_ISSUES = 5
TOP_WORDS = 200
WORD_PATTERN = "[A-Za-z][A-Za-z'-]{2,}"
WORD_EDGES = "'-"
STOP_WORDS = sorted({w.lower() for w in STOPWORDS} | {"street", "road", "people", "also", "lot", "lots", "area"})
DONE = "status = 'completed'"
PLACE_SETS = "(area_code), (ward_code)"


def _places(grouped: pd.DataFrame, area: int, ward: int) -> dict[str, pd.DataFrame]:
    """by_area and by_ward (events, attendees) from a GROUPING SETS result's `level`s."""
    level = grouped["level"]
    return {f"by_{name}": grouped.loc[(level == code) & grouped[f"{name}_code"].notna(),
                                      [f"{name}_code", "events", "attendees"]]
            for name, code in (("area", area), ("ward", ward))}


def _officers(ev: str, where: str, params: list) -> tuple[str, list]:
    """Events, completed events and their attendees per attending officer: one unnest."""
    return ("SELECT o AS officer_id, count(*) AS events, count(*) FILTER (WHERE completed) AS completed,"
            " coalesce(sum(attendees) FILTER (WHERE completed), 0) AS attendees"
            f" FROM (SELECT unnest(officers_attending) AS o, {DONE} AS completed, attendees FROM {ev} WHERE {where})"
            " GROUP BY o", params)


# -- engagement activity ------------------------------------------------------------


def engagement_activity(paths: dict[str, str], window: Window) -> dict[str, Any]:
    ev = sources(paths)["events"]
    w, p = when("start", window)
    live = f"{w} AND status <> 'cancelled'"
    # GROUPING(day, event_type, area_code, ward_code): 7 day, 11 type, 13 area, 14 ward, 15 all.
    grouped, officers = run(
        ("SELECT GROUPING(day, event_type, area_code, ward_code) AS level, day, event_type, area_code, ward_code,"
         f" count(*) AS events, coalesce(sum(attendees) FILTER (WHERE {DONE}), 0) AS attendees,"
         f" coalesce(sum(officers_involved) FILTER (WHERE {DONE}), 0) AS officer_attendances"
         " FROM (SELECT CAST(start AS DATE) AS day, event_type, area_code, ward_code, status, attendees,"
         f" officers_involved FROM {ev} WHERE {live})"
         f" GROUP BY GROUPING SETS ((day), (event_type), {PLACE_SETS}, ())", p),
        _officers(ev, live, p),
    )
    level = grouped["level"]
    total = grouped[level == 15]
    top = officers.sort_values(["events", "officer_id"], ascending=[False, True], na_position="last")
    return {
        "headline": {"events_booked": int(total["events"].sum()),
                     "officer_attendances": int(total["officer_attendances"].sum()),
                     "distinct_officers": int((officers["completed"].gt(0) & officers["officer_id"].notna()).sum())},
        "by_date": grouped.loc[level == 7, ["day", "events"]],
        "by_type": grouped.loc[level == 11, ["event_type", "events"]],
        "by_officer": top.head(TOP_OFFICERS),
        **_places(grouped, 13, 14),
    }


# -- events completed ----------------------------------------------------------------


def events_completed(paths: dict[str, str], window: Window) -> dict[str, Any]:
    ev = sources(paths)["events"]
    w, p = when("start", window)
    done = f"{w} AND {DONE}"
    # GROUPING(event_type, area_code, ward_code): 3 type, 5 area, 6 ward, 7 all.
    grouped, officers, communities, latest = run(
        ("SELECT GROUPING(event_type, area_code, ward_code) AS level, event_type, area_code, ward_code,"
         " count(*) AS events, coalesce(sum(attendees), 0) AS attendees,"
         f" coalesce(sum(officers_involved), 0) AS officer_attendances FROM {ev} WHERE {done}"
         f" GROUP BY GROUPING SETS ((event_type), {PLACE_SETS}, ())", p),
        _officers(ev, done, p),
        ("SELECT community, count(*) AS events FROM"
         f" (SELECT unnest(communities_supported) AS community FROM {ev} WHERE {done})"
         " WHERE community IS NOT NULL GROUP BY community", p),
        (f"SELECT record_id FROM {ev} WHERE {done} ORDER BY start DESC, record_id DESC LIMIT {COMPLETED_ROWS}", p),
    )
    level = grouped["level"]
    total = grouped[level == 7]
    return {
        "headline": {"events_completed": int(total["events"].sum()), "attendees": int(total["attendees"].sum()),
                     "officer_attendances": int(total["officer_attendances"].sum()),
                     "communities_supported": len(communities)},
        "events": latest,
        "by_type": grouped.loc[level == 3, ["event_type", "events", "attendees"]]
        .rename(columns={"events": "completed"}),
        "by_community": communities, "by_officer": officers,
        **_places(grouped, 5, 6),
    }


# -- event outcomes ------------------------------------------------------------------


def event_outcomes(paths: dict[str, str], window: Window) -> dict[str, Any]:
    src = sources(paths)
    ev, cc, ys = src["events"], src["ccrs"], src["ysywd"]
    we, pe = when("start", window)
    wc, pc = when("contact_at", window)
    wa, pa = when("a.date", dates(window))
    done = f"{we} AND {DONE}"
    # GROUPING(area_code, ward_code): 1 area, 2 ward, 3 all.
    grouped, ccrs, officers, issues, words, value, actions = run(
        ("SELECT GROUPING(area_code, ward_code) AS level, area_code, ward_code, count(*) AS events,"
         " coalesce(sum(attendees), 0) AS attendees, coalesce(sum(intel_submissions), 0) AS intel,"
         f" count(*) FILTER (WHERE suitable_for_publishing) AS suitable FROM {ev} WHERE {done}"
         f" GROUP BY GROUPING SETS ({PLACE_SETS}, ())", pe),
        (f"SELECT count(*) FILTER (WHERE info_submitted) AS info FROM {cc} WHERE {wc}", pc),
        _officers(ev, done, pe),
        ("SELECT issue, count(*) AS count FROM"
         f" (SELECT unnest(issues) AS issue FROM {ev} WHERE {done}"
         f"  UNION ALL SELECT unnest(issues) AS issue FROM {cc} WHERE {wc}) GROUP BY issue", pe + pc),
        ("SELECT word, sum(n) AS count FROM (SELECT trim(lower(unnest(regexp_extract_all(t, ?))), ?) AS word, n"
         " FROM (SELECT t, count(*) AS n FROM"
         f" (SELECT issues_text AS t FROM {ev} WHERE {done} UNION ALL SELECT issues_text AS t FROM {cc} WHERE {wc})"
         " WHERE t IS NOT NULL GROUP BY t))"
         " WHERE length(word) > 2 AND NOT list_contains(?::VARCHAR[], word)"
         f" GROUP BY word ORDER BY count DESC, word LIMIT {TOP_WORDS}",
         [WORD_PATTERN, WORD_EDGES, *pe, *pc, STOP_WORDS]),
        (f"SELECT record_id FROM {ev} WHERE {done} AND nullif(trim(value_gained), '') IS NOT NULL"
         f" ORDER BY start DESC, record_id DESC LIMIT {VALUE_GAINED_ROWS}", pe),
        ("SELECT a.action_type AS action_type, count(*) AS actions"
         f" FROM (SELECT unnest(actions) AS a FROM {ys}) WHERE {wa} GROUP BY ALL", pa),
    )
    level = grouped["level"]
    total = grouped[level == 3]
    figures = {"events_completed": int(total["events"].sum()), "event_intel_submissions": int(total["intel"].sum()),
               "suitable_for_publishing": int(total["suitable"].sum()), "ccr_info_submitted": int(ccrs["info"].sum())}
    ranked = issues.sort_values(["count", "issue"], ascending=[False, True]).head(TOP_ISSUES)
    return {
        "headline": {"intel_submissions": figures["event_intel_submissions"] + figures["ccr_info_submitted"],
                     **figures, "actions": int(actions["actions"].sum())},
        "top_issues": [{"issue": r.issue, "count": int(r.count)} for r in ranked.itertuples(index=False)],
        "issue_counts": issues, "issue_words": words, "value_gained": value, "actions_by_type": actions,
        "by_officer": officers, **_places(grouped, 1, 2),
    }
