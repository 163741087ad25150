"""The pages' figures with pandas over DataFrames already in memory."""

from __future__ import annotations

import pandas as pd

from analytics.bench.registry import Window

PANDAS_COLUMNS = {
    "events": ["record_id", "title", "event_type", "area_code", "ward_code", "start", "status", "attendees",
               "officers_involved", "intel_submissions", "officers_attending", "issues"],
    "ccrs": ["contact_at", "area_code", "contact_method", "diversity_consent", "smart_alert_signup",
             "info_submitted", "issues"],
    "ysywd": ["raised_on", "status"],
    "wards": ["ward_code", "name", "centre_lat", "centre_lon"],
    "areas": ["area_code", "name"],
}


def in_window(frame: pd.DataFrame, column: str, window: Window) -> pd.DataFrame:
    """The rows of `frame` whose `column` (timestamps, or dates as objects) is in the window."""
    if window is None:
        return frame
    values = frame[column]
    low, high = window
    if values.dtype == object:  # dates
        low, high = low.date(), high.date()
    else:
        low, high = pd.Timestamp(low), pd.Timestamp(high)
    return frame[(values >= low) & (values < high)]


def monday(moments: pd.Series) -> pd.Series:
    """The Monday starting each moment's week, as a midnight timestamp."""
    days = moments.dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


class PandasPages:
    """The pages' figures computed with pandas over DataFrames already in memory."""

    def __init__(self, frames: dict[str, pd.DataFrame]):
        self.frames = frames
        self._window = in_window
        self._monday = monday

    def events_overview(self, window: Window) -> dict:
        ev = self._window(self.frames["events"], "start", window)
        completed = ev["status"].eq("completed")
        parts = pd.DataFrame({
            "event_type": ev["event_type"], "area_code": ev["area_code"], "ward_code": ev["ward_code"],
            "events": ev["status"].ne("cancelled").astype("int64"), "completed": completed.astype("int64"),
            "cancelled": ev["status"].eq("cancelled").astype("int64"),
            "attendees": ev["attendees"].where(completed, 0).fillna(0),
            "officer_attendances": ev["officers_involved"].where(completed, 0).fillna(0),
            "intel": ev["intel_submissions"].where(completed, 0).fillna(0),
        })
        sums = parts[["events", "completed", "cancelled", "attendees", "officer_attendances", "intel"]].sum()
        by_week = (ev.groupby([self._monday(ev["start"]).rename("week"), ev["status"]]).size()
                   .rename("events").reset_index())
        cols = ["events", "completed", "attendees"]
        top = ev.nlargest(200, "start", keep="all").sort_values(["start", "record_id"], ascending=False).head(200)
        officers = ev.loc[completed, "officers_attending"].explode().dropna().nunique()
        return {
            "headline": {
                "events_booked": sums["events"], "events_completed": sums["completed"],
                "events_cancelled": sums["cancelled"], "attendees": sums["attendees"],
                "officer_attendances": sums["officer_attendances"], "event_intel_submissions": sums["intel"],
                "distinct_officers": officers,
            },
            "by_week": by_week,
            "by_type": parts.groupby("event_type", as_index=False)[cols].sum(),
            "by_area": parts.groupby("area_code", as_index=False)[cols].sum().merge(self.frames["areas"]),
            "by_ward": parts.groupby("ward_code", as_index=False)[cols].sum().merge(self.frames["wards"]),
            "latest": top,
        }

    @staticmethod
    def _top(issues: pd.Series, limit: int) -> list[dict]:
        counts = issues.explode().dropna().value_counts()
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [{"issue": k, "count": int(v)} for k, v in ranked]

    def summary(self, window: Window) -> dict:
        ev = self._window(self.frames["events"], "start", window)
        cc = self._window(self.frames["ccrs"], "contact_at", window)
        ys = self._window(self.frames["ysywd"], "raised_on", window)
        done = ev[ev["status"].eq("completed")]
        return {
            "events_booked": int(ev["status"].ne("cancelled").sum()), "events_completed": len(done),
            "attendees": int(done["attendees"].sum()), "officer_attendances": int(done["officers_involved"].sum()),
            "distinct_officers": int(done["officers_attending"].explode().dropna().nunique()),
            "ccrs": len(cc), "ccrs_diversity_consent": int(cc["diversity_consent"].sum()),
            "smart_alert_signups": int(cc["smart_alert_signup"].sum()),
            "intel_submissions": int(done["intel_submissions"].sum()) + int(cc["info_submitted"].sum()),
            "top_issues": self._top(pd.concat([done["issues"], cc["issues"]], ignore_index=True), 5),
            "ysywd_open": int(ys["status"].ne("closed").sum()), "ysywd_closed": int(ys["status"].eq("closed").sum()),
        }
