"""Representativeness: the ethnicity of people met in CCRs against the census population of the same area.

Contacts are CCRs whose person consented to the diversity questions and gave
an ethnicity, counted over the published area-months the period touches
(`analytics.disclosure`: whole closed months, cells under 10 people withheld); "prefer not to say" is counted apart and
left out of the shares. Each CCR is one person met. The population is the
area's usual residents in the latest census the store holds for it (the
local authorities matched to the area at import, or whose code is the area's
code). Both are put in the five high-level groups (Asian, Black, Mixed,
White, Other), and each group's share of contacts sits beside its share of
the population: a group whose contact share is under `UNDER_REACHED` of its
population share is flagged as under-reached. Shares need at least
`MIN_CONTACTS` people met with a stated ethnicity in the area; below that
the counts are shown (suppressed) but no share or flag, as a handful of
contacts says nothing about reach.

Small counts: per area, the contact counts (five groups and "not stated")
are suppressed by `analytics.privacy` rules; a hidden count's share is
hidden too and never flagged. Census counts are published figures and shown
as they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from analytics import disclosure, privacy, sql
from analytics.filters import Filters
from data.picklists import ETHNIC_GROUPS, ETHNICITY
from data.store import Store

UNDER_REACHED = 0.8
MIN_CONTACTS = 20
"""Fewer people met than this in an area (ethnicity stated): shares are not shown, nothing is flagged."""
NOT_STATED = "Not stated"
_GROUP_OF = {code: group for code, (_, group) in ETHNICITY.items()}


@dataclasses.dataclass
class Representation:
    """What the representativeness page shows.

    groups: per area and group (ETHNIC_GROUPS order): area_code, area, census_year,
    ethnic_group, contacts (int or "<5" / "[c]"), contact_share (None if hidden),
    population, population_share, ratio (contact_share / population_share),
    under_reached (bool). areas: per area: area_code, area, census_year,
    contacts_stated (shown or hidden), not_stated (shown or hidden), population.
    missing_census: areas with contacts but no census population.
    """

    groups: pd.DataFrame
    areas: pd.DataFrame
    missing_census: list[str]
    coverage: disclosure.Coverage | None = None


@sql.scoped("read_aggregates")
def representativeness(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any],
                       today: dt.date | None = None) -> Representation:
    """Per area in scope: people met by ethnic group (published area-months, `analytics.disclosure`)
    beside the census population (suppressed), for `user`; audited as a diversity view."""
    counts, coverage = disclosure.diversity_counts(store, filters, user=user, today=today, by_area=True)
    population = sql.cached(_population, store, filters, tables=("census_population", "areas"))
    stated = counts[(counts["field"] == "ethnicity") & counts["answer"].notna()]
    contacts = pd.DataFrame({"area_code": stated["area_code"], "ethnicity": stated["answer"],
                             "contacts": stated["count"].astype("int64")})
    contacts["ethnic_group"] = contacts["ethnicity"].map(_GROUP_OF).fillna(NOT_STATED)
    result = combine(contacts, population)
    result.coverage = coverage
    return result


def _population(relations: dict[str, str], filters: Filters) -> pd.DataFrame:
    area_scope = "TRUE"
    area_params: list = []
    if filters.areas:
        area_scope = f"area_code IN ({', '.join('?' for _ in filters.areas)})"
        area_params = list(filters.areas)
    return sql.run(
        f"WITH cells AS (SELECT coalesce(c.area_code, c.geography_code) AS area_code, c.census_year,"
        f"  c.ethnic_group, c.people FROM {relations['census_population']} c),"
        f" latest AS (SELECT area_code, max(census_year) AS census_year FROM cells GROUP BY ALL)"
        f" SELECT area_code, a.name AS area, census_year, ethnic_group, sum(people) AS population"
        f" FROM cells JOIN latest USING (area_code, census_year)"
        f" JOIN (SELECT * FROM {relations['areas']} WHERE {area_scope}) a USING (area_code) GROUP BY ALL",
        area_params)


def combine(contacts: pd.DataFrame, population: pd.DataFrame) -> Representation:
    """The page's tables from contacts (area_code, ethnic_group, contacts: people met; "Not stated" apart)
    and population (area_code, area, census_year, ethnic_group, population: each area's latest census),
    with shares, flags and suppression."""
    names = dict(zip(population["area_code"], population["area"], strict=False))
    rows, area_rows = [], []
    areas = sorted(set(population["area_code"]))
    missing = sorted(set(contacts["area_code"]) - set(areas))
    for area in areas:
        mine = population[population["area_code"] == area]
        year = int(mine["census_year"].iloc[0])
        people = mine.set_index("ethnic_group")["population"].reindex(list(ETHNIC_GROUPS)).fillna(0).astype(int)
        met = contacts[contacts["area_code"] == area].groupby("ethnic_group")["contacts"].sum()
        counts = [int(met.get(g, 0)) for g in ETHNIC_GROUPS]
        # The five groups add up to the stated total shown beside them; "not stated" stands alone.
        hidden, total_hidden = privacy.hidden_cells(counts)
        stated = sum(counts)
        not_stated = int(met.get(NOT_STATED, 0))
        shown = [privacy.SMALL if i in hidden and 0 < c < privacy.THRESHOLD else
                 privacy.HIDDEN if i in hidden else c for i, c in enumerate(counts)]
        shown.append(privacy.SMALL if 0 < not_stated < privacy.THRESHOLD else not_stated)
        whole = int(people.sum())
        for i, group in enumerate(ETHNIC_GROUPS):
            visible = i not in hidden and not total_hidden and stated >= MIN_CONTACTS
            share = counts[i] / stated if visible else None
            pop_share = people[group] / whole if whole else None
            ratio = share / pop_share if share is not None and pop_share else None
            rows.append({"area_code": area, "area": names.get(area, area), "census_year": year,
                         "ethnic_group": group, "contacts": shown[i], "contact_share": share,
                         "population": int(people[group]), "population_share": pop_share, "ratio": ratio,
                         "under_reached": ratio is not None and ratio < UNDER_REACHED})
        stated_shown = privacy.HIDDEN if total_hidden else stated
        if total_hidden and 0 < stated < privacy.THRESHOLD:
            stated_shown = privacy.SMALL
        area_rows.append({"area_code": area, "area": names.get(area, area), "census_year": year,
                          "contacts_stated": stated_shown, "not_stated": shown[-1], "population": whole})
    groups = pd.DataFrame(rows, columns=["area_code", "area", "census_year", "ethnic_group", "contacts",
                                         "contact_share", "population", "population_share", "ratio",
                                         "under_reached"])
    summary = pd.DataFrame(area_rows, columns=["area_code", "area", "census_year", "contacts_stated",
                                               "not_stated", "population"])
    for frame, column in ((groups, "contacts"), (summary, "contacts_stated"), (summary, "not_stated")):
        frame[column] = frame[column].astype(object)
    return Representation(groups, summary, missing)


def build_representation_chart(groups: pd.DataFrame, *, columns: int = 3, width: int = 220,
                               share_max: float | None = None) -> alt.Chart:
    """Per area, each group's share of contacts beside its share of the population; under-reached in red.

    Each area's panel is about `width` + 60 px wide (the group names), the legend above the panels; the page
    draws one chart per area (`columns=1`) so that the panels wrap to the screen's width, one to a row on a phone.
    `share_max` fixes the share axis (0 to it), so that charts drawn apart compare.
    """
    long = pd.concat([
        groups.assign(measure="People met (CCRs)", share=groups["contact_share"]),
        groups.assign(measure="Population (census)", share=groups["population_share"]),
    ], ignore_index=True)[["area", "ethnic_group", "measure", "share", "under_reached", "contacts", "population"]]
    long["contacts"] = long["contacts"].astype(str)
    long["flag"] = long["under_reached"].map({True: "under-reached", False: ""})
    colour = alt.Color("measure:N", title=None, scale=alt.Scale(domain=["People met (CCRs)", "Population (census)"],
                                                               range=["#2166ac", "#bdbdbd"]),
                       legend=alt.Legend(orient="top", direction="horizontal"))  # above: adds no width
    base = alt.Chart(long).encode(
        y=alt.Y("ethnic_group:N", title=None, sort=list(ETHNIC_GROUPS)),
        yOffset=alt.YOffset("measure:N"),
    )
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title="Share", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, share_max]) if share_max else alt.Undefined),
        color=colour,
        stroke=alt.condition("datum.under_reached && datum.measure == 'People met (CCRs)'",
                             alt.value("#b2182b"), alt.value(None)),
        strokeWidth=alt.value(2),
        tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("ethnic_group:N", title="Group"),
                 alt.Tooltip("measure:N", title="Of"), alt.Tooltip("share:Q", title="Share", format=".1%"),
                 alt.Tooltip("contacts:N", title="People met"), alt.Tooltip("population:Q", title="Population",
                                                                            format=","),
                 alt.Tooltip("flag:N", title=" ")],
    )
    return bars.properties(width=width, height=150).facet(
        facet=alt.Facet("area:N", title=None), columns=columns)


def under_reached_list(groups: pd.DataFrame) -> pd.DataFrame:
    """The under-reached groups, furthest below their population share first."""
    out = groups[groups["under_reached"]].copy()
    return out.sort_values(["ratio", "area", "ethnic_group"]).reset_index(drop=True)
