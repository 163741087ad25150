"""Benchmark entries for the Engagement activity and Events completed pages.

Each page's figures three ways: `analytics.events_dash` on the store, the floors
(`analytics.bench.floors.events`: hand-written DuckDB over one Parquet file per table), and pandas over
DataFrames in memory. Officers are compared by id (names are a join the
other two do not need); wards by those with events.
"""

from __future__ import annotations

import pandas as pd

from analytics import events_dash
from analytics.bench.floors import events as floors
from analytics.bench.in_memory import in_window
from analytics.bench.registry import BenchPage, Window, fields_of, register, sorted_rows, whole_numbers
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
    """(area, ward) counts summed to areas and to wards."""
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
    BenchPage("engagement_activity", events_dash.engagement_activity, floors.engagement_activity, activity_pandas,
              activity_comparable, {"events": EVENT_COLUMNS, **REFERENCE}),
    BenchPage("events_completed", events_dash.events_completed, floors.events_completed, completed_pandas,
              completed_comparable, {"events": EVENT_COLUMNS, **REFERENCE}),
    BenchPage("event_outcomes", events_dash.event_outcomes, floors.event_outcomes, outcomes_pandas, outcomes_comparable,
              {"events": (*EVENT_COLUMNS, "intel_submissions", "suitable_for_publishing", "issues", "issues_text",
                          "value_gained"),
               "ccrs": ("contact_at", "info_submitted", "issues", "issues_text"), "ysywd": ("actions",),
               **REFERENCE}),
)
