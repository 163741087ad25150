"""The dashboards' filter bar: a period, areas, wards, event types, officers, and the URL that shares them.

The view lives in the URL (`st.query_params`), so a dashboard can be sent as
a link: `period` (a preset or `custom`), plus `Filters.to_query_params()`
(`start`/`end` for a custom range, and repeated `area`, `ward`, `type` and
`officer` codes). On a page's first draw the widgets take their values from
the URL; after that the widgets lead and the URL follows. The last view is
also kept in the session (`CARRY_KEY`), so moving to another dashboard page,
which starts with a bare URL, keeps the same filters.

The state <-> URL <-> `Filters` conversions are plain functions, tested
without Streamlit.

Every dashboard draws this bar before it queries anything, so the bar checks
the `read_aggregates` capability and stops the page for anyone without it,
whatever the page itself checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from analytics.filters import PRESETS, Filters, preset_range
from data import access, reference
from data.store import Store
from forms.ui.identity import current_user
from forms.ui.runtime import require_page
from forms.ui.widgets import label_of, user_text

PERIODS: dict[str, str] = {
    "last_7": "Last 7 days",
    "last_28": "Last 28 days",
    "last_90": "Last 90 days",
    "this_year": "This year",
    "custom": "Custom",
}
DEFAULT_PERIOD = "last_28"
assert set(PERIODS) == {*PRESETS, "custom"}


FILTER_KEYS = ("period", "start", "end", "area", "ward", "type", "officer")
CARRY_KEY = "filter_bar.params"  # the last view's URL parameters, carried from page to page
OWNER_KEY = "filter_bar.page"  # which page's bar drew last
OFFICER_ROLES = ("officer", "supervisor")


@dataclasses.dataclass(frozen=True)
class FilterState:
    """What the filter bar's widgets hold."""

    period: str = DEFAULT_PERIOD
    dates: tuple[dt.date, ...] = ()  # the custom range: (start, end), or (start,) while picking
    areas: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    officers: tuple[str, ...] = ()

    def to_filters(self, *, today: dt.date) -> Filters:
        """The Filters this state selects, dates resolved against `today`."""
        if self.period in PRESETS:
            start, end = preset_range(self.period, today)
        elif self.dates:
            start, end = self.dates[0], self.dates[-1]
        else:
            start, end = preset_range(DEFAULT_PERIOD, today)
        return Filters(start=start, end=end, areas=tuple(self.areas), wards=tuple(self.wards),
                       event_types=tuple(self.event_types), officers=tuple(self.officers))

    def to_query_params(self, *, today: dt.date) -> dict[str, str | list[str]]:
        """The URL form: presets stay relative (`period=last_28`), a custom range keeps its dates."""
        params = self.to_filters(today=today).to_query_params()
        if self.period != "custom":
            params.pop("start", None)
            params.pop("end", None)
        return {"period": self.period, **params}

    def with_places(self, filters: Filters) -> FilterState:
        """This state with the areas, wards and officers of `filters` (a drill-down step)."""
        return dataclasses.replace(self, areas=filters.areas, wards=filters.wards, officers=filters.officers)


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
    return FilterState(period=period, dates=dates, areas=filters.areas, wards=filters.wards,
                       event_types=filters.event_types, officers=filters.officers)


def filter_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Only the filter bar's own URL parameters (other pages' parameters are left out)."""
    return {name: value for name, value in params.items() if name in FILTER_KEYS and value not in (None, [], "")}


def seed_params(url: Mapping[str, Any], carried: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a page's bar starts from: the URL's filters if it has any (a shared link), else the last view."""
    return filter_params(url) or filter_params(carried or {})


def wards_in_areas(ward_areas: Mapping[str, str], areas: Iterable[str]) -> list[str]:
    """The ward codes (of ward -> area) in the chosen areas; every ward when none is chosen."""
    chosen = set(areas)
    return [ward for ward, area in ward_areas.items() if not chosen or area in chosen]


def keep_options(selected: Iterable[str], options: Iterable[str]) -> list[str]:
    """The selected values that are still options, in their order."""
    allowed = set(options)
    return [value for value in selected if value in allowed]


def render_filter_bar(store: Store, *, key: str, today: dt.date | None = None,
                      event_types: bool = True, user: Mapping[str, Any] | None = None) -> Filters:
    """Draw the filter bar, keep the URL (and the session's last view) in step, return the Filters.

    `event_types=False` leaves out the event type picker (for pages it does not apply to). The page
    stops here, with a message, unless the user (this session's, unless given) has `read_aggregates`.
    """
    user = user if user is not None else current_user(store)
    require_page(user, "read_aggregates")
    today = today or dt.date.today()
    k = lambda name: f"{key}.{name}"  # noqa: E731
    if st.session_state.get(OWNER_KEY) != key or k("period") not in st.session_state:
        seed = state_from_query_params(seed_params(_current_params(), st.session_state.get(CARRY_KEY)),
                                       today=today)
        set_state(key, seed)
        st.session_state[k("range_default")] = seed.dates or preset_range(DEFAULT_PERIOD, today)
        st.session_state[OWNER_KEY] = key
    # Only what the user may see is offered: a team role (a supervisor) gets its own area's places and
    # officers. A link naming other places has them left out, and says so.
    area_names = access.areas_in_scope(user, reference.area_names(store))
    confined = access.scope(user)
    wards = reference.list_wards(store)
    wards = wards[wards["area_code"].isin(list(area_names))]
    ward_area = dict(zip(wards["ward_code"], wards["area_code"], strict=True))
    ward_label = dict(zip(wards["ward_code"], wards["name"], strict=True))
    outside = [code for code in st.session_state[k("areas")] if code not in area_names]
    st.session_state[k("areas")] = keep_options(st.session_state[k("areas")], area_names)
    ward_options = wards_in_areas(ward_area, st.session_state[k("areas")])
    outside += [code for code in st.session_state[k("wards")] if code not in ward_area]
    st.session_state[k("wards")] = keep_options(st.session_state[k("wards")], ward_options)
    type_options = _with_selected(reference.picklist(store, "event_types"), st.session_state[k("types")])
    in_scope = st.session_state[k("areas")] or list(area_names)
    officer_label = officer_names(store, areas=() if confined is None else in_scope)
    if confined is not None:
        outside += [code for code in st.session_state[k("officers")] if code not in officer_label]
        st.session_state[k("officers")] = keep_options(st.session_state[k("officers")], officer_label)
    officer_options = _with_selected(list(officer_names(store, areas=st.session_state[k("areas")] or (
        () if confined is None else in_scope))), st.session_state[k("officers")])
    if outside:
        left_out = ", ".join(user_text(code, one_line=True) for code in outside)  # from the link, as typed
        st.warning(f"Left out of this view, as outside your area or unknown: {left_out}.",
                   icon=":material/filter_alt_off:")

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
        areas = st.multiselect("Areas", list(area_names), key=k("areas"),
                               placeholder="All areas" if confined is None else "Your area",
                               format_func=lambda code: label_of(code, area_names))
    columns = st.columns(3 if event_types else 2)
    with columns[0]:
        chosen_wards = st.multiselect("Wards", ward_options, key=k("wards"), placeholder="All wards",
                                      format_func=lambda code: label_of(code, ward_label))
    types: list[str] = []
    if event_types:
        with columns[1]:
            types = st.multiselect("Event types", type_options, key=k("types"), placeholder="All types")
    with columns[-1]:
        officers = st.multiselect("Officers", officer_options, key=k("officers"), placeholder="All officers",
                                  format_func=lambda code: label_of(code, officer_label))
    if not event_types:
        types = list(st.session_state.get(k("types"), []))
    state = FilterState(period=period, dates=dates, areas=tuple(areas), wards=tuple(chosen_wards),
                        event_types=tuple(types), officers=tuple(officers))
    params = state.to_query_params(today=today)
    st.session_state[CARRY_KEY] = params
    _sync_url(params)
    return state.to_filters(today=today)


def render_as_of_bar(store: Store, user: Mapping[str, Any], *, key: str, label: str) -> Filters:
    """The bar of a view "as it stood on a date" (the Guarantee, problems by stage): the date (`label`, today
    by default; keys `{key}.end`) and the areas in the user's scope (`{key}.areas`; none picked is all of them,
    or the user's own). The read itself narrows to the user's scope again (`analytics.sql.scoped`)."""
    areas = access.areas_in_scope(user, reference.area_names(store))
    with st.container(horizontal=True):
        end = st.date_input(label, value=dt.date.today(), format="DD/MM/YYYY", key=f"{key}.end",
                            min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
        chosen = st.multiselect("Areas", list(areas), key=f"{key}.areas", format_func=lambda c: label_of(c, areas),
                                placeholder="All areas" if access.scope(user) is None else "Your area")
    return Filters(end=end or dt.date.today(), areas=tuple(chosen))


def set_state(key: str, state: FilterState) -> None:
    """Put a state into the bar's widgets (before they are drawn, or from a callback)."""
    k = lambda name: f"{key}.{name}"  # noqa: E731
    st.session_state[k("period")] = state.period
    st.session_state.pop(k("dates"), None)  # the date picker starts from `range_default`
    st.session_state[k("areas")] = list(state.areas)
    st.session_state[k("wards")] = list(state.wards)
    st.session_state[k("types")] = list(state.event_types)
    st.session_state[k("officers")] = list(state.officers)


def set_places(key: str, filters: Filters) -> None:
    """Narrow (or widen) the bar's areas, wards and officers to those of `filters` (a drill-down step)."""
    st.session_state[f"{key}.areas"] = list(filters.areas)
    st.session_state[f"{key}.wards"] = list(filters.wards)
    st.session_state[f"{key}.officers"] = list(filters.officers)


def officer_names(store: Store, *, areas: Iterable[str] = ()) -> dict[str, str]:
    """user_id -> "Rank Name" of active officers and supervisors, of the chosen areas if any."""
    users = reference.list_users(store)
    users = users[users["active"].fillna(True).astype(bool) & users["role"].isin(OFFICER_ROLES)]
    chosen = list(areas)
    if chosen:
        users = users[users["area_code"].isin(chosen)]
    users = users.sort_values(["name", "user_id"])
    return {row.user_id: f"{row.rank} {row.name}".strip() for row in users.itertuples(index=False)}


def _with_selected(options: list[str], selected: Iterable[str]) -> list[str]:
    return options + [value for value in selected if value not in options]


def _current_params() -> dict[str, str | list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _sync_url(params: dict[str, str | list[str]]) -> None:
    # Parameters the bar does not own (a page's own controls) stay as they are.
    current = _current_params()
    others = {name: values for name, values in current.items() if name not in FILTER_KEYS}
    wanted = {**others, **{name: value if isinstance(value, list) else [value] for name, value in params.items()}}
    if wanted != current:
        st.query_params.from_dict(wanted)

