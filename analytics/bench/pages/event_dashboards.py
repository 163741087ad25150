"""Benchmark entries for the Engagement activity and Events completed pages.

Each page's figures three ways: `analytics.events_dash` on the store,
hand-written DuckDB over one Parquet file per table, and pandas over
DataFrames in memory. Officers are compared by id (names are a join the
other two do not need); wards by those with events.
"""

from __future__ import annotations

import pandas as pd

from analytics import events_dash, sql
from analytics.bench.floor import floor_sources, when
from analytics.bench.in_memory import in_window
from analytics.bench.registry import BenchPage, Window, fields_of, register, sorted_rows, whole_numbers, window_dates
from analytics.wordcloud import word_counts

EVENT_COLUMNS = ("record_id", "start", "status", "event_type", "area_code", "ward_code", "attendees",
                 "officers_involved", "officers_attending", "communities_supported")
REFERENCE = {"wards": ("ward_code", "name", "area_code", "centre_lat", "centre_lon"), "areas": ("area_code", "name"),
             "users": ("user_id", "name", "rank")}


def _places(frame: pd.DataFrame) -> list[tuple]:
    code = "ward_code" if "ward_code" in frame.columns else "area_code"
    return sorted_rows(frame[frame["events"].gt(0)], [code, "events", "attendees"])


def _places_comparable(result: dict) -> dict[str, list[tuple]]:
    return {"by_area": _places(result["by_area"]), "by_ward": _places(result["by_ward"])}


def _by_place(places: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A floor's (area, ward) counts summed to areas and to wards."""
    return {f"by_{level}": places.groupby(f"{level}_code", as_index=False)[["events", "attendees"]].sum()
            for level in ("area", "ward")}


def _officers(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(int(v) if not isinstance(v, str) else v for v in row)
            for row in frame[["officer_id", "events", "completed", "attendees"]].itertuples(index=False)]


# -- engagement activity ------------------------------------------------------------


def activity_comparable(result) -> dict:
    result = fields_of(result)
    by_date = result["by_date"].assign(day=pd.to_datetime(result["by_date"]["day"]))
    return {
        "headline": whole_numbers(result["headline"]),
        "by_date": sorted_rows(by_date, ["day", "events"]),
        "by_type": sorted_rows(result["by_type"], ["event_type", "events"]),
        "by_officer": _officers(result["by_officer"]),
        **_places_comparable(result),
    }


def activity_floor(paths: dict[str, str], window: Window) -> dict:
    ev = floor_sources(paths)["events"]
    w, p = when("start", window)
    live = f"{w} AND status <> 'cancelled'"
    headline, officers, by_date, by_type, by_officer, places = sql.run_many(
        ("SELECT count(*) FILTER (WHERE status <> 'cancelled') AS events_booked,"
         " coalesce(sum(officers_involved) FILTER (WHERE status = 'completed'), 0) AS officer_attendances"
         f" FROM {ev} WHERE {w}", p),
        ("SELECT count(DISTINCT o) AS distinct_officers FROM"
         f" (SELECT unnest(officers_attending) AS o FROM {ev} WHERE {w} AND status = 'completed')", p),
        (f"SELECT CAST(start AS DATE) AS day, count(*) AS events FROM {ev} WHERE {live} GROUP BY day", p),
        (f"SELECT event_type, count(*) AS events FROM {ev} WHERE {live} GROUP BY event_type", p),
        ("SELECT o AS officer_id, count(*) AS events, count(*) FILTER (WHERE status = 'completed') AS completed,"
         " coalesce(sum(attendees) FILTER (WHERE status = 'completed'), 0) AS attendees"
         f" FROM (SELECT unnest(officers_attending) AS o, status, attendees FROM {ev} WHERE {live})"
         f" GROUP BY o ORDER BY events DESC, o LIMIT {events_dash.TOP_OFFICERS}", p),
        ("SELECT area_code, ward_code, count(*) AS events,"
         " coalesce(sum(attendees) FILTER (WHERE status = 'completed'), 0) AS attendees"
         f" FROM {ev} WHERE {live} GROUP BY area_code, ward_code", p),
    )
    return {
        "headline": {**headline.iloc[0].to_dict(), **officers.iloc[0].to_dict()},
        "by_date": by_date, "by_type": by_type, "by_officer": by_officer,
        **_by_place(places),
    }


def _officer_table(ev: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    done = ev["status"].eq("completed")
    rows = pd.DataFrame({"officer_id": ev["officers_attending"], "completed": done.astype("int64"),
                         "attendees": ev["attendees"].where(done, 0).fillna(0)}).explode("officer_id")
    rows = rows.dropna(subset=["officer_id"])
    table = rows.groupby("officer_id").agg(events=("officer_id", "size"), completed=("completed", "sum"),
                                           attendees=("attendees", "sum")).reset_index()
    table = table.sort_values(["events", "officer_id"], ascending=[False, True], ignore_index=True)
    return table.head(limit) if limit else table


def _place_tables(ev: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return _by_place(ev.assign(events=1, attendees=ev["attendees"].where(ev["status"].eq("completed"), 0).fillna(0)))


def activity_pandas(frames: dict[str, pd.DataFrame], window: Window) -> dict:
    ev = in_window(frames["events"], "start", window)
    done = ev[ev["status"].eq("completed")]
    live = ev[ev["status"].ne("cancelled")]
    return {
        "headline": {"events_booked": len(live), "officer_attendances": done["officers_involved"].sum(),
                     "distinct_officers": done["officers_attending"].explode().dropna().nunique()},
        "by_date": live.groupby(live["start"].dt.normalize().rename("day")).size().rename("events").reset_index(),
        "by_type": live.groupby("event_type").size().rename("events").reset_index(),
        "by_officer": _officer_table(live, events_dash.TOP_OFFICERS),
        **_place_tables(live),
    }


# -- events completed ----------------------------------------------------------------


def completed_comparable(result) -> dict:
    result = fields_of(result)
    return {
        "headline": whole_numbers(result["headline"]),
        "events": [str(r) for r in result["events"]["record_id"]],
        "by_type": sorted_rows(result["by_type"], ["event_type", "completed", "attendees"]),
        "by_community": sorted_rows(result["by_community"], ["community", "events"]),
        "by_officer": sorted(_officers(result["by_officer"])),
        **_places_comparable(result),
    }


def _completed_statements(ev: str, done: str, params: list) -> tuple[tuple[str, list], tuple[str, list]]:
    """The floors' completed events per officer and per (area, ward), as statements for `sql.run_many`."""
    return (
        ("SELECT o AS officer_id, count(*) AS events, count(*) AS completed, coalesce(sum(attendees), 0) AS attendees"
         f" FROM (SELECT unnest(officers_attending) AS o, attendees FROM {ev} WHERE {done}) GROUP BY o", params),
        ("SELECT area_code, ward_code, count(*) AS events, coalesce(sum(attendees), 0) AS attendees"
         f" FROM {ev} WHERE {done} GROUP BY area_code, ward_code", params),
    )


def completed_floor(paths: dict[str, str], window: Window) -> dict:
    ev = floor_sources(paths)["events"]
    w, p = when("start", window)
    done = f"{w} AND status = 'completed'"
    officer_sql, places_sql = _completed_statements(ev, done, p)
    headline, communities, latest, by_type, by_officer, places = sql.run_many(
        ("SELECT count(*) AS events_completed, coalesce(sum(attendees), 0) AS attendees,"
         f" coalesce(sum(officers_involved), 0) AS officer_attendances FROM {ev} WHERE {done}", p),
        (f"SELECT unnest(communities_supported) AS community FROM {ev} WHERE {done}", p),
        (f"SELECT record_id FROM {ev} WHERE {done} ORDER BY start DESC, record_id DESC"
         f" LIMIT {events_dash.COMPLETED_ROWS}", p),
        ("SELECT event_type, count(*) AS completed, coalesce(sum(attendees), 0) AS attendees"
         f" FROM {ev} WHERE {done} GROUP BY event_type", p),
        officer_sql, places_sql,
    )
    by_community = communities.groupby("community").size().rename("events").reset_index()
    return {
        "headline": {**headline.iloc[0].to_dict(), "communities_supported": len(by_community)},
        "events": latest, "by_type": by_type, "by_community": by_community, "by_officer": by_officer,
        **_by_place(places),
    }


def completed_pandas(frames: dict[str, pd.DataFrame], window: Window) -> dict:
    ev = in_window(frames["events"], "start", window)
    done = ev[ev["status"].eq("completed")]
    communities = done["communities_supported"].explode().dropna()
    latest = done.sort_values(["start", "record_id"], ascending=False).head(events_dash.COMPLETED_ROWS)
    return {
        "headline": {"events_completed": len(done), "attendees": done["attendees"].sum(),
                     "officer_attendances": done["officers_involved"].sum(),
                     "communities_supported": communities.nunique()},
        "events": latest[["record_id"]],
        "by_type": done.groupby("event_type").agg(completed=("event_type", "size"), attendees=("attendees", "sum"))
        .reset_index(),
        "by_community": communities.value_counts().rename_axis("community").rename("events").reset_index(),
        "by_officer": _officer_table(done, None),
        **_place_tables(done),
    }


# -- event outcomes ------------------------------------------------------------------


def outcomes_comparable(result) -> dict:
    result = fields_of(result)
    return {
        "headline": whole_numbers(result["headline"]),
        "top_issues": [(d["issue"], int(d["count"])) for d in result["top_issues"]],
        "issue_counts": sorted_rows(result["issue_counts"], ["issue", "count"]),
        "issue_words": sorted_rows(result["issue_words"], ["word", "count"]),
        "value_gained": [str(r) for r in result["value_gained"]["record_id"]],
        "actions_by_type": sorted_rows(result["actions_by_type"], ["action_type", "actions"]),
        "by_officer": sorted(_officers(result["by_officer"])),
        **_places_comparable(result),
    }


def _ranked(counts: pd.DataFrame) -> list[dict]:
    ranked = counts.sort_values(["count", "issue"], ascending=[False, True]).head(events_dash.TOP_ISSUES)
    return [{"issue": r.issue, "count": int(r.count)} for r in ranked.itertuples(index=False)]


def outcomes_floor(paths: dict[str, str], window: Window) -> dict:
    src = floor_sources(paths)
    ev, cc, ys = src["events"], src["ccrs"], src["ysywd"]
    we, pe = when("start", window)
    wc, pc = when("contact_at", window)
    wa, pa = when("a.date", window_dates(window))
    done = f"{we} AND status = 'completed'"
    officer_sql, places_sql = _completed_statements(ev, done, pe)
    events, ccrs, issues, texts, value, actions, places = sql.run_many(
        ("SELECT count(*) AS events_completed, coalesce(sum(intel_submissions), 0) AS event_intel_submissions,"
         " count(*) FILTER (WHERE suitable_for_publishing) AS suitable_for_publishing"
         f" FROM {ev} WHERE {done}", pe),
        (f"SELECT count(*) FILTER (WHERE info_submitted) AS ccr_info_submitted FROM {cc} WHERE {wc}", pc),
        ("SELECT issue, count(*) AS count FROM"
         f" (SELECT unnest(issues) AS issue FROM {ev} WHERE {done}"
         f"  UNION ALL SELECT unnest(issues) AS issue FROM {cc} WHERE {wc}) GROUP BY issue", pe + pc),
        ("SELECT word, sum(n) AS count FROM (SELECT trim(lower(unnest(regexp_extract_all(t, ?))), ?) AS word, n"
         " FROM (SELECT t, count(*) AS n FROM"
         f" (SELECT issues_text AS t FROM {ev} WHERE {done} UNION ALL SELECT issues_text AS t FROM {cc} WHERE {wc})"
         " WHERE t IS NOT NULL GROUP BY t))"
         " WHERE length(word) > 2 AND NOT list_contains(?::VARCHAR[], word)"
         f" GROUP BY word ORDER BY count DESC, word LIMIT {events_dash.TOP_WORDS}",
         [events_dash.WORD_PATTERN, events_dash.WORD_EDGES, *pe, *pc, sorted(events_dash.TEXT_STOPWORDS)]),
        (f"SELECT record_id FROM {ev} WHERE {done} AND nullif(trim(value_gained), '') IS NOT NULL"
         f" ORDER BY start DESC, record_id DESC LIMIT {events_dash.VALUE_GAINED_ROWS}", pe),
        ("SELECT a.action_type AS action_type, count(*) AS actions"
         f" FROM (SELECT unnest(actions) AS a FROM {ys}) WHERE {wa} GROUP BY ALL", pa),
        places_sql,
    )
    (by_officer,) = sql.run_many(officer_sql)
    figures = {**events.iloc[0].to_dict(), **ccrs.iloc[0].to_dict()}
    return {
        "headline": {"intel_submissions": figures["event_intel_submissions"] + figures["ccr_info_submitted"],
                     **figures, "actions": int(actions["actions"].sum())},
        "top_issues": _ranked(issues), "issue_counts": issues, "issue_words": texts,
        "value_gained": value, "actions_by_type": actions, "by_officer": by_officer,
        **_by_place(places),
    }


def _has_text(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().ne("")


def _top_words(texts: pd.Series) -> pd.DataFrame:
    counts = word_counts(texts.dropna())
    frame = pd.DataFrame(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["word", "count"])
    return frame.head(events_dash.TOP_WORDS)


def outcomes_pandas(frames: dict[str, pd.DataFrame], window: Window) -> dict:
    ev = in_window(frames["events"], "start", window)
    cc = in_window(frames["ccrs"], "contact_at", window)
    done = ev[ev["status"].eq("completed")]
    issues = pd.concat([done["issues"], cc["issues"]], ignore_index=True).explode().dropna()
    counts = issues.value_counts().rename_axis("issue").rename("count").reset_index()
    low, high = (window[0].date(), window[1].date()) if window else (None, None)
    types = [a["action_type"] for items in frames["ysywd"]["actions"] for a in items
             if window is None or low <= a["date"] < high]
    actions = pd.Series(types, dtype=object).value_counts().rename_axis("action_type").rename("actions").reset_index()
    with_value = done[_has_text(done["value_gained"])]
    figures = {"events_completed": len(done), "event_intel_submissions": int(done["intel_submissions"].sum()),
               "suitable_for_publishing": int(done["suitable_for_publishing"].eq(True).sum()),
               "ccr_info_submitted": int(cc["info_submitted"].sum())}
    return {
        "headline": {"intel_submissions": figures["event_intel_submissions"] + figures["ccr_info_submitted"],
                     **figures, "actions": len(types)},
        "top_issues": _ranked(counts), "issue_counts": counts,
        "issue_words": _top_words(pd.concat([done["issues_text"], cc["issues_text"]], ignore_index=True)),
        "value_gained": with_value.sort_values(["start", "record_id"], ascending=False)
        .head(events_dash.VALUE_GAINED_ROWS)[["record_id"]],
        "actions_by_type": actions, "by_officer": _officer_table(done, None),
        **_place_tables(done),
    }


register(
    BenchPage("engagement_activity", events_dash.engagement_activity, activity_floor, activity_pandas,
              activity_comparable, {"events": EVENT_COLUMNS, **REFERENCE}),
    BenchPage("events_completed", events_dash.events_completed, completed_floor, completed_pandas,
              completed_comparable, {"events": EVENT_COLUMNS, **REFERENCE}),
    BenchPage("event_outcomes", events_dash.event_outcomes, outcomes_floor, outcomes_pandas, outcomes_comparable,
              {"events": (*EVENT_COLUMNS, "intel_submissions", "suitable_for_publishing", "issues", "issues_text",
                          "value_gained"),
               "ccrs": ("contact_at", "info_submitted", "issues", "issues_text"), "ysywd": ("actions",),
               **REFERENCE}),
)
