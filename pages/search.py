"""Search everything the force logged: one box, a few filters, newest first; open a record to read it."""

import datetime as dt

import streamlit as st

from analytics.search import KINDS, get_record, search
from data import access, reference, refs
from forms.activity import describe_record
from forms.ui.runtime import open_page
from forms.ui.widgets import label_of, user_text

SHOWN = 50
OWN_PAGES = {"problems": ("pages/problems.py", "problem"), "ysywd": ("pages/ysywd_item.py", "item")}
"""Record types read (and worked) on their own page: the page and its query parameter."""
_, store, user = open_page("read_team_records")


def _open(table: str, record_id: str) -> None:
    st.query_params["open"] = f"{table}:{record_id}"


def _close() -> None:
    st.query_params.pop("open", None)


def _ref(item) -> str:
    """The record's short reference and a separator, for the line under its title (nothing if it has none)."""
    label = refs.label(item.table_name, item.reference)
    return f"**{label}** · " if label else ""


st.title("Search")
opened = st.query_params.get("open")
if opened:
    table, _, record_id = opened.partition(":")
    if table in OWN_PAGES:
        page, parameter = OWN_PAGES[table]
        st.switch_page(page, query_params={parameter: record_id})
    record = get_record(store, table=table, record_id=record_id, user=user) if table in KINDS else None
    st.button("Back to results", key="search.back", icon=":material/arrow_back:", on_click=_close)
    if record is None:
        st.warning("That record does not exist, was withdrawn, or is not yours to see.", icon=":material/block:")
    else:
        names = {"area": reference.area_names(store), "ward": reference.ward_names(store),
                 "user": dict(zip(reference.list_users(store)["user_id"], reference.list_users(store)["name"],
                                  strict=True))}
        when = record.get("start") or record.get("contact_at") or record.get("written_at")
        st.header(f"{KINDS[table]}: {user_text(record.get('title'), one_line=True) or f'{when:%d %b %Y}'}")
        st.markdown("  \n".join(f"**{label}:** {user_text(text)}"
                                for label, text in describe_record(table, record, names=names)))
    st.stop()

areas = access.areas_in_scope(user, reference.area_names(store))
users = reference.list_users(store)
officers = dict(zip(users["user_id"], users["name"], strict=True))
text = st.text_input("Search", key="search.text", placeholder="e.g. speeding, keyholder, Market Square, CCR-1042")
with st.expander("Filters", icon=":material/filter_list:"):
    tables = st.multiselect("Record type", list(KINDS), format_func=KINDS.__getitem__, key="search.tables")
    today = dt.date.today()
    start = st.date_input("From", value=None, key="search.start", format="DD/MM/YYYY", max_value=today)
    end = st.date_input("To", value=None, key="search.end", format="DD/MM/YYYY")
    area = st.selectbox("Area", list(areas), index=None, key="search.area", format_func=lambda c: label_of(c, areas),
                        placeholder="Any area")
    wards = reference.ward_names(store, area_code=area) if area else {}
    ward = st.selectbox("Ward", list(wards), index=None, key="search.ward", format_func=lambda c: label_of(c, wards),
                        placeholder="Any ward" if area else "Choose an area first")
    officer = st.selectbox("Officer", list(officers), index=None, key="search.officer",
                           format_func=lambda c: label_of(c, officers), placeholder="Any officer")
    issue = st.selectbox("Issue category", reference.picklist(store, "issue_categories"), index=None,
                         key="search.issue", placeholder="Any issue")

results = search(store, text=text, user=user, tables=tables, start=start, end=end, areas=[area] if area else [],
                 wards=[ward] if ward else [], officers=[officer] if officer else [], issues=[issue] if issue else [],
                 limit=SHOWN)
total = int(results["total"].iloc[0]) if len(results) else 0
st.caption(f"{total:,} found" + (f"; the newest {SHOWN} shown" if total > SHOWN else ""))
for item in results.itertuples(index=False):
    with st.container(border=True):
        place = " / ".join(str(p) for p in (item.area, item.ward) if isinstance(p, str))
        st.markdown(f"**{user_text(item.title, one_line=True)}**  \n{_ref(item)}{item.kind} · {item.date:%d %b %Y} · "
                    f"{user_text(place, one_line=True)} · {user_text(item.officer, one_line=True)}")
        if isinstance(item.summary, str) and item.summary:
            st.caption(user_text(item.summary[:300]))
        if item.table_name in OWN_PAGES:
            page, parameter = OWN_PAGES[item.table_name]
            st.page_link(page, label="Open", icon=":material/open_in_full:",
                         query_params={parameter: item.record_id})
        else:
            st.button("Open", key=f"search.open.{item.table_name}.{item.record_id}", icon=":material/open_in_full:",
                      on_click=_open, args=(item.table_name, item.record_id))
