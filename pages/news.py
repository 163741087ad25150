"""News: the reel everyone reads, newest first; admins post to it here."""

import streamlit as st

from analytics.activity import list_news
from data import access
from forms.news import LABELS, news_defaults, save_news
from forms.ui.runtime import open_page
from forms.ui.widgets import DATE_LIMITS, FormState, render_errors, render_field_error, show_text, user_text

_, store, user = open_page("share")

st.title("News")

if access.can(user, "administer"):
    form = FormState("news", defaults=news_defaults(), owner=user["user_id"])
    errors = form.errors

    with st.expander("Post news", icon=":material/campaign:", expanded=bool(errors)):
        saved = form.confirmation
        if saved is not None:
            form.render_saved_message(done=f"Posted: {user_text(form.saved_values['title'], one_line=True)}.",
                                      already="posted")
        render_errors(errors, LABELS)
        with st.form("news_form", border=False):
            st.text_input(LABELS["title"], key=form.key("title"))
            render_field_error(errors, "title")
            st.text_area(LABELS["body"], key=form.key("body"), height=150)
            render_field_error(errors, "body")
            st.date_input(LABELS["published_on"], key=form.key("published_on"), format="DD/MM/YYYY", **DATE_LIMITS)
            render_field_error(errors, "published_on")
            form.render_submit_button("Post", icon=":material/send:", save=save_news, store=store, user=user)

news = list_news(store)
if news.empty:
    st.info("No news yet.", icon=":material/info:")
for item in news.itertuples(index=False):
    with st.container(border=True):
        st.markdown(f"**{user_text(item.title, one_line=True)}**")
        st.caption(f"{item.published_on:%A %d %B %Y}")
        show_text(item.body)
