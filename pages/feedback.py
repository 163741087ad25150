"""App feedback and bug reports: tell the team what works and what broke; see what you sent."""

import streamlit as st

from analytics.activity import list_my_feedback
from forms.feedback import KINDS, LABELS, feedback_defaults, save_feedback
from forms.ui.runtime import open_page
from forms.ui.widgets import FormState, render_errors, render_field_error, show_text

_, store, user = open_page("share")
form = FormState("feedback", defaults=feedback_defaults(), owner=user["user_id"])
errors = form.errors


st.title("Feedback")
saved = form.confirmation
if saved is not None:
    form.render_saved_message(done=f"Thank you, we have your {KINDS[form.saved_values['kind']].lower()}.",
                              already="sent")
render_errors(errors, LABELS)
with st.form("feedback_form", border=False):
    st.radio(LABELS["kind"], list(KINDS), key=form.key("kind"), format_func=KINDS.__getitem__)
    render_field_error(errors, "kind")
    st.text_area(LABELS["text"], key=form.key("text"), height=150,
                 placeholder="What happened, on which page, what you expected")
    render_field_error(errors, "text")
    form.render_submit_button("Send", icon=":material/send:", save=save_feedback, store=store, user=user)

st.header("What you sent")
mine = list_my_feedback(store, user=user)
if mine.empty:
    st.caption("Nothing yet.")
for item in mine.itertuples(index=False):
    with st.container(border=True):
        icon = ":material/bug_report:" if item.kind == "bug" else ":material/chat:"
        st.markdown(f"{icon} **{'Bug report' if item.kind == 'bug' else 'Feedback'}** · {item.created_at:%d %b %Y}")
        show_text(item.text)
