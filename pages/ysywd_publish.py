"""You said, we did: the public summary (printable page and data.police.uk JSON), and loading published priorities."""

import datetime as dt

import streamlit as st
import streamlit.components.v1 as components

from analytics.ysywd import build_summary_html
from data import access, police_uk, reference
from data.access import NotAllowed
from data.store import ValidationError
from forms.ui.runtime import get_force_name, open_page
from forms.ui.widgets import label_of, user_text
from forms.ysywd import publish_summary

KEY = "ysywd_publish.{}".format
environment, store, user = open_page("ysywd_publish", "import")
may_publish, may_import = access.can(user, "ysywd_publish"), access.can(user, "import")
areas = reference.area_names(store)
st.title("Publish \"You said, we did\"")


def _pick_place(prefix: str) -> tuple[str, str | None]:
    mine = access.scope(user)
    choices = [mine] if mine else list(areas)
    area = st.selectbox("Area", choices, key=KEY(f"{prefix}.area"), format_func=lambda c: label_of(c, areas))
    wards = reference.ward_names(store, area_code=area)
    ward = st.selectbox("Ward", list(wards), key=KEY(f"{prefix}.ward"), index=None, placeholder="The whole area",
                        format_func=lambda c: label_of(c, wards))
    return area, ward


def _publish(area: str, ward: str | None, period: tuple) -> None:
    try:
        start, end = period if len(period) == 2 else (None, None)
        items, priorities = publish_summary(store=store, user=user, area_code=area, ward_code=ward, start=start,
                                            end=end)
    except (ValidationError, NotAllowed) as exc:
        st.session_state[KEY("result")] = {"errors": exc.errors}
        return
    place = label_of(ward, reference.ward_names(store, area_code=area)) if ward else areas.get(area, area)
    page = build_summary_html(items, title=f"You said, we did: {place}", force_name=get_force_name(store, environment),
                              period=f"{start:%d %B %Y} to {end:%d %B %Y}")
    st.session_state[KEY("result")] = {"items": len(items), "html": page, "json": police_uk.dumps(priorities),
                                       "stem": f"you-said-we-did-{area}-{ward or 'all'}-{start}-{end}".lower()}


if may_publish:
    st.header("Public summary")
    st.caption("Items marked as publishable, raised or acted on in the period. No names, no officers, no links; "
               "e-mail addresses and phone numbers in the text are removed.")
    area, ward = _pick_place("summary")
    today = dt.date.today()
    period = st.date_input("Period", value=(today - dt.timedelta(days=90), today), key=KEY("period"),
                           format="DD/MM/YYYY", max_value=today)
    st.button("Prepare summary", type="primary", icon=":material/campaign:", key=KEY("prepare"), width="stretch",
              on_click=_publish, args=(area, ward, tuple(period)))
    result = st.session_state.get(KEY("result"))
    if result and "errors" in result:
        st.error(user_text("; ".join(result["errors"].values())), icon=":material/error:")
    elif result:
        st.success(f"{result['items']} item(s) in the summary.", icon=":material/check_circle:")
        with st.container(horizontal=True):
            st.download_button("Printable page (HTML)", result["html"], file_name=f"{result['stem']}.html",
                               mime="text/html", key=KEY("html"), icon=":material/print:", on_click="ignore")
            st.download_button("data.police.uk priorities (JSON)", result["json"], file_name=f"{result['stem']}.json",
                               mime="application/json", key=KEY("json"), icon=":material/data_object:",
                               on_click="ignore")
        components.html(result["html"], height=520, scrolling=True)

if may_import:
    st.header("Load published priorities")
    st.caption("A data.police.uk neighbourhood priorities JSON file: a list of {issue, issue-date, action, "
               "action-date}. Text is loaded as plain text; loading the same file again adds nothing.")
    upload = st.file_uploader("Priorities file", type=["json"], key=KEY("file"))
    area, ward = _pick_place("import")
    category = st.selectbox("Issue when the text names none", reference.picklist(store, "issue_categories"),
                            key=KEY("category"))
    if st.button("Load priorities", icon=":material/upload:", key=KEY("import"), disabled=upload is None,
                 width="stretch"):
        try:
            done = police_uk.import_priorities(store=store, payload=upload.getvalue(), area_code=area,
                                               ward_code=ward, default_category=category, user=user)
            st.success(f"Read {done['read']}, added {done['added']}, already loaded {done['already_loaded']}.",
                       icon=":material/check_circle:")
        except (ValidationError, NotAllowed) as exc:
            st.error(user_text("; ".join(exc.errors.values())), icon=":material/error:")  # may quote the file
