"""Floors of the Events overview page and the headline summary."""

from __future__ import annotations

from analytics.bench.floors import Window, dates, run, sources, when


def events_overview(paths: dict[str, str], window: Window) -> dict:
    src = sources(paths)
    w, p = when("start", window)
    grouped, officers, latest, wards, areas = run(
        ("SELECT CAST(date_trunc('week', start) AS DATE) AS week, status, event_type, area_code, ward_code,"
         " count(*) AS n,"
         " count(*) FILTER (WHERE status <> 'cancelled') AS events,"
         " count(*) FILTER (WHERE status = 'completed') AS completed,"
         " count(*) FILTER (WHERE status = 'cancelled') AS cancelled,"
         " sum(attendees) FILTER (WHERE status = 'completed') AS attendees,"
         " sum(officers_involved) FILTER (WHERE status = 'completed') AS officer_attendances,"
         " sum(intel_submissions) FILTER (WHERE status = 'completed') AS intel"
         f" FROM {src['events']} WHERE {w}"
         " GROUP BY GROUPING SETS ((week, status), (status, event_type, area_code, ward_code))", p),
        ("SELECT count(DISTINCT o) AS n FROM (SELECT unnest(officers_attending) AS o"
         f" FROM {src['events']} WHERE {w} AND status = 'completed')", p),
        ("SELECT record_id, title, event_type, area_code, ward_code, start, status, attendees"
         f" FROM {src['events']} WHERE {w} ORDER BY start DESC, record_id DESC LIMIT 200", p),
        (f"SELECT ward_code, name, centre_lat, centre_lon FROM {src['wards']}", []),
        (f"SELECT area_code, name FROM {src['areas']}", []),
    )
    fine = grouped[grouped["week"].isna()].fillna({"attendees": 0, "officer_attendances": 0, "intel": 0})
    sums = fine[["events", "completed", "cancelled", "attendees", "officer_attendances", "intel"]].sum()
    cols = ["events", "completed", "attendees"]
    return {
        "headline": {
            "events_booked": sums["events"], "events_completed": sums["completed"],
            "events_cancelled": sums["cancelled"], "attendees": sums["attendees"],
            "officer_attendances": sums["officer_attendances"], "event_intel_submissions": sums["intel"],
            "distinct_officers": officers["n"].iloc[0],
        },
        "by_week": grouped.loc[grouped["week"].notna(), ["week", "status", "n"]].rename(columns={"n": "events"}),
        "by_type": fine.groupby("event_type", as_index=False)[cols].sum(),
        "by_area": fine.groupby("area_code", as_index=False)[cols].sum().merge(areas, on="area_code"),
        "by_ward": fine.groupby("ward_code", as_index=False)[cols].sum().merge(wards, on="ward_code"),
        "latest": latest,
    }

def summary(paths: dict[str, str], window: Window) -> dict:
    src = sources(paths)
    we, pe = when("start", window)
    wc, pc = when("contact_at", window)
    wy, py = when("raised_on", dates(window))
    ev, officers, cc, issues, ys = run(
        ("SELECT count(*) FILTER (WHERE status <> 'cancelled') AS booked,"
         " count(*) FILTER (WHERE status = 'completed') AS completed,"
         " coalesce(sum(attendees) FILTER (WHERE status = 'completed'), 0) AS attendees,"
         " coalesce(sum(officers_involved) FILTER (WHERE status = 'completed'), 0) AS oa,"
         " coalesce(sum(intel_submissions) FILTER (WHERE status = 'completed'), 0) AS intel"
         f" FROM {src['events']} WHERE {we}", pe),
        ("SELECT count(DISTINCT o) AS n FROM (SELECT unnest(officers_attending) AS o"
         f" FROM {src['events']} WHERE {we} AND status = 'completed')", pe),
        ("SELECT count(*) AS ccrs, count(*) FILTER (WHERE diversity_consent) AS consent,"
         " count(*) FILTER (WHERE smart_alert_signup) AS alerts, count(*) FILTER (WHERE info_submitted) AS info"
         f" FROM {src['ccrs']} WHERE {wc}", pc),
        ("SELECT issue, count(*) AS count FROM ("
         f"SELECT unnest(issues) AS issue FROM {src['events']} WHERE {we} AND status = 'completed'"
         f" UNION ALL SELECT unnest(issues) FROM {src['ccrs']} WHERE {wc})"
         " GROUP BY issue ORDER BY count DESC, issue LIMIT 5", pe + pc),
        ("SELECT count(*) FILTER (WHERE status <> 'closed') AS open,"
         f" count(*) FILTER (WHERE status = 'closed') AS closed FROM {src['ysywd']} WHERE {wy}", py),
    )
    e, c, y = ev.iloc[0], cc.iloc[0], ys.iloc[0]
    return {
        "events_booked": int(e["booked"]), "events_completed": int(e["completed"]),
        "attendees": int(e["attendees"]), "officer_attendances": int(e["oa"]),
        "distinct_officers": int(officers["n"].iloc[0]), "ccrs": int(c["ccrs"]),
        "ccrs_diversity_consent": int(c["consent"]), "smart_alert_signups": int(c["alerts"]),
        "intel_submissions": int(e["intel"]) + int(c["info"]),
        "top_issues": [{"issue": r.issue, "count": int(r.count)} for r in issues.itertuples()],
        "ysywd_open": int(y["open"]), "ysywd_closed": int(y["closed"]),
    }

