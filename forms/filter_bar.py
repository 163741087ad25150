"""The dashboards' filter bar: a period, areas, and the URL that shares them.

The view lives in the URL (`st.query_params`), so a dashboard can be sent as
a link: `period` (a preset or `custom`), plus `Filters.to_query_params()`
(`start`/`end` for a custom range, `area`, and any `ward`/`type`/`officer`
codes, which are kept as given until the bar grows widgets for them).
On a page's first draw the widgets take their values from the URL; after
that the widgets lead and the URL follows.

The state <-> URL <-> `Filters` conversions are plain functions, tested
without Streamlit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from analytics.filters import PRESETS, Filters, preset_range
from data import reference
from data.store import Store
from forms.widgets import label_of

PERIODS: dict[str, str] = {
    "last_7": "Last 7 days",
    "last_28": "Last 28 days",
    "last_90": "Last 90 days",
    "this_year": "This year",
    "custom": "Custom",
}
DEFAULT_PERIOD = "last_28"
assert set(PERIODS) == {*PRESETS, "custom"}


@dataclasses.dataclass(frozen=True)
class FilterState:
    """What the filter bar's widgets hold."""

    period: str = DEFAULT_PERIOD
    dates: tuple[dt.date, ...] = ()  # the custom range: (start, end), or (start,) while picking
    areas: tuple[str, ...] = ()
    passthrough: Filters = Filters()  # codes from the URL the bar has no widget for yet

    def to_filters(self, *, today: dt.date) -> Filters:
        """The Filters this state selects, dates resolved against `today`."""
        if self.period in PRESETS:
            start, end = preset_range(self.period, today)
        elif self.dates:
            start, end = self.dates[0], self.dates[-1]
        else:
            start, end = preset_range(DEFAULT_PERIOD, today)
        return dataclasses.replace(self.passthrough, start=start, end=end, areas=tuple(self.areas))

    def to_query_params(self, *, today: dt.date) -> dict[str, str | list[str]]:
        """The URL form: presets stay relative (`period=last_28`), a custom range keeps its dates."""
        params = self.to_filters(today=today).to_query_params()
        if self.period != "custom":
            params.pop("start", None)
            params.pop("end", None)
        return {"period": self.period, **params}


def state_from_query_params(params: Mapping[str, Any], *, today: dt.date) -> FilterState:
    """The filter bar's state for a URL. Dates without a period mean a custom range."""
    filters = Filters.from_query_params(params)
    raw = params.get("period")
    period = raw[-1] if isinstance(raw, list) and raw else raw
    if period not in PERIODS:
        period = "custom" if filters.start or filters.end else DEFAULT_PERIOD
    dates: tuple[dt.date, ...] = ()
    if period == "custom":
        start = filters.start or filters.end or preset_range(DEFAULT_PERIOD, today)[0]
        dates = (start, filters.end or today)
    passthrough = dataclasses.replace(filters, start=None, end=None, areas=())
    return FilterState(period=period, dates=dates, areas=filters.areas, passthrough=passthrough)


def render_filter_bar(store: Store, *, key: str, today: dt.date | None = None) -> Filters:
    """Draw the filter bar (period, dates when custom, areas), keep the URL in step, return the Filters."""
    today = today or dt.date.today()
    k = lambda name: f"{key}.{name}"  # noqa: E731
    if k("period") not in st.session_state:
        seed = state_from_query_params(_current_params(), today=today)
        st.session_state[k("period")] = seed.period
        st.session_state[k("areas")] = list(seed.areas)
        st.session_state[k("passthrough")] = seed.passthrough
        st.session_state[k("range_default")] = seed.dates or preset_range(DEFAULT_PERIOD, today)
    area_names = reference.area_names(store)
    st.session_state[k("areas")] = [a for a in st.session_state[k("areas")] if a in area_names]

    period_col, dates_col, areas_col = st.columns([3, 2, 3], vertical_alignment="bottom")
    with period_col:
        period = st.segmented_control("Period", list(PERIODS), format_func=PERIODS.__getitem__,
                                      key=k("period"), required=True, wrap=True)
    dates: tuple[dt.date, ...] = ()
    with dates_col:
        if period == "custom":
            # A custom range starts from the range last shown, so switching to it changes nothing.
            dates = tuple(st.date_input("Dates", value=st.session_state[k("range_default")], key=k("dates"),
                                        format="DD/MM/YYYY", min_value=dt.date(2000, 1, 1),
                                        max_value=today + dt.timedelta(days=730)))
        else:
            start, end = st.session_state[k("range_default")] = preset_range(period, today)
            st.caption(f"{start:%d %b %Y} – {end:%d %b %Y}")
    with areas_col:
        chosen = st.multiselect("Areas", list(area_names), key=k("areas"), placeholder="All areas",
                                format_func=lambda code: label_of(code, area_names))
    passthrough: Filters = st.session_state[k("passthrough")]
    state = FilterState(period=period, dates=dates, areas=tuple(chosen), passthrough=passthrough)
    _sync_url(state.to_query_params(today=today))
    if passthrough != Filters():
        st.caption("Also filtered by the link: " + _describe(passthrough))
    return state.to_filters(today=today)


def _current_params() -> dict[str, str | list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _sync_url(params: dict[str, str | list[str]]) -> None:
    wanted = {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    if wanted != _current_params():
        st.query_params.from_dict(params)


def _describe(filters: Filters) -> str:
    parts = [(label, values) for label, values in (("wards", filters.wards), ("types", filters.event_types),
                                                   ("officers", filters.officers)) if values]
    return "; ".join(f"{label} {', '.join(values)}" for label, values in parts)
