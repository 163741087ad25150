"""Representativeness: who we meet in CCRs against who lives in each area (census)."""

import pandas as pd
import streamlit as st

from analytics.privacy import NOTE
from analytics.representation import (
    MIN_CONTACTS,
    UNDER_REACHED,
    build_representation_chart,
    representativeness,
    under_reached_list,
)
from forms.ui.dashboard import open_dashboard
from forms.ui.runtime import open_page
from forms.ui.widgets import user_text

GROUP_COLUMNS = {
    "area": st.column_config.TextColumn("Area", pinned=True),
    "ethnic_group": st.column_config.TextColumn("Ethnic group"),
    "contacts": st.column_config.TextColumn("People met"),
    "contact_share": st.column_config.NumberColumn("Share of people met", format="percent"),
    "population": st.column_config.NumberColumn("Population", format="localized"),
    "population_share": st.column_config.NumberColumn("Share of population", format="percent"),
    "ratio": st.column_config.NumberColumn("Reach ratio", format="%.2f",
                                           help="Share of people met / share of population; 1 = in proportion."),
    "census_year": st.column_config.NumberColumn("Census", format="%d"),
}

environment, store, user = open_page("read_aggregates")
board = open_dashboard(environment=environment, store=store, user=user,
                       title="Representativeness", key="representation", event_types=False, drill=False,
                       caption="The ethnicity of people met in Community Contact Records (with consent, ethnicity "
                               "stated) against the census population of the same area, in the five high-level "
                               "groups. " + NOTE)
result = representativeness(store, board.filters, user=user)
st.caption(user_text(result.coverage.describe()))  # which whole months and areas the people met are counted over
if result.missing_census:
    missing = ", ".join(user_text(area, one_line=True) for area in result.missing_census)
    st.warning(f"No census population for {missing}: an analyst imports census "
               "ethnicity by local authority (with a lookup to areas) on **Import data**.", icon=":material/info:")
if result.groups.empty:
    st.info("No census population for these areas yet.", icon=":material/info:")
    st.stop()

flagged = under_reached_list(result.groups)
st.header("Under-reached groups")
if len(flagged):
    st.caption(f"Groups whose share of people met is under {UNDER_REACHED:.0%} of their share of the population "
               f"(areas with at least {MIN_CONTACTS} people met).")
    st.dataframe(flagged, hide_index=True, column_order=list(GROUP_COLUMNS), column_config=GROUP_COLUMNS,
                 key="representation.flagged")
else:
    st.caption(f"None in this period (an area needs at least {MIN_CONTACTS} people met to judge).")

st.header("People met and population, by area")
with st.container(horizontal=True):  # one chart per area, so they wrap to the screen: one to a row on a phone
    top = result.groups[["contact_share", "population_share"]].max().max()  # one share axis for every area
    top = float(top) if pd.notna(top) and top > 0 else None
    for area, part in result.groups.groupby("area", sort=True):
        st.altair_chart(build_representation_chart(part, columns=1, width=200, share_max=top), width="content",
                        alt=f"Bar chart: share of people met and of the population by ethnic group, {area}")
st.dataframe(result.areas.astype({"contacts_stated": str, "not_stated": str}), hide_index=True,
             key="representation.areas",
             column_config={"area_code": None, "area": "Area", "census_year": st.column_config.NumberColumn(
                 "Census", format="%d"), "contacts_stated": "People met (ethnicity stated)",
                 "not_stated": "Prefer not to say", "population": st.column_config.NumberColumn(
                     "Population", format="localized")})
with st.expander("Every group in every area"):
    st.dataframe(result.groups.astype({"contacts": str}), hide_index=True, column_order=list(GROUP_COLUMNS),
                 column_config=GROUP_COLUMNS, key="representation.groups")
board.render_downloads({"Representativeness by group": result.groups.astype({"contacts": str}),
                       "By area": result.areas.astype({"contacts_stated": str, "not_stated": str})},
                       name="representativeness", key="representation.downloads")
