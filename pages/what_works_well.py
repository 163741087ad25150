"""What works well: the force's good practice to browse and search, and a form to share yours."""

import streamlit as st

from analytics.search import list_good_practice
from data import access, reference
from forms.good_practice import LABELS, good_practice_defaults, save_good_practice
from forms.ui.runtime import open_page
from forms.ui.widgets import FormState, label_of, render_errors, render_field_error, user_text

_, store, user = open_page("share")
form = FormState("good_practice", defaults=good_practice_defaults(user), owner=user["user_id"])
errors = form.errors
areas = access.areas_in_scope(user, reference.area_names(store))  # an officer shares for their own area


st.title("What works well")
browse, share = st.tabs(["Browse", "Share yours"])

with share:
    saved = form.confirmation
    if saved is not None:
        form.render_saved_message(done=f"Shared: {user_text(form.saved_values['title'], one_line=True)}.",
                                  already="shared")
        st.page_link("pages/search.py", label="Open it", icon=":material/open_in_new:",
                     query_params={"open": f"good_practice:{saved.record_id}"})
    render_errors(errors, LABELS)
    with st.form("good_practice_form", border=False):
        st.text_input(LABELS["title"], key=form.key("title"),
                      placeholder="e.g. Speed watch cut speeding by the school")
        render_field_error(errors, "title")
        st.selectbox(LABELS["area_code"], list(areas), key=form.key("area_code"), index=None,
                     format_func=lambda code: label_of(code, areas), placeholder="Choose an area")
        render_field_error(errors, "area_code")
        for field, hint in (("problem", "What was the problem?"), ("action", "What did you do, with whom?"),
                            ("result", "What changed? Any numbers?")):
            st.text_area(LABELS[field], key=form.key(field), placeholder=hint, height=110)
            render_field_error(errors, field)
        st.multiselect(LABELS["tags"], reference.picklist(store, "issue_categories"), key=form.key("tags"),
                       accept_new_options=True, max_selections=10, placeholder="Choose or type tags", select_all=False)
        render_field_error(errors, "tags")
        form.render_submit_button("Share", icon=":material/send:",
                                  save=save_good_practice, store=store, user=user)

with browse:
    text = st.text_input("Search good practice", key="good_practice.search", placeholder="e.g. speeding, shop")
    found = list_good_practice(store, user=user, text=text)
    if found.empty:
        st.info("No good practice matches yet. Share yours.", icon=":material/info:")
    for item in found.itertuples(index=False):
        with st.expander(f"**{user_text(item.title, one_line=True)}**  \n"
                         f"{user_text(item.area, one_line=True)} · {item.created_at:%d %b %Y}"):
            st.markdown(f"**{LABELS['problem']}:** {user_text(item.problem)}")
            st.markdown(f"**{LABELS['action']}:** {user_text(item.action)}")
            st.markdown(f"**{LABELS['result']}:** {user_text(item.result)}")
            if len(item.tags):
                st.caption(" · ".join(user_text(tag, one_line=True) for tag in item.tags)
                           + f" — shared by {user_text(item.created_by_name, one_line=True)}")
