"""Problem solving (SARA): the problems of my area; open one and work it through scanning, analysis, response
and assessment, linked both ways with "You said, we did"."""

import pandas as pd
import streamlit as st

from analytics.filters import Filters
from analytics.problems import list_problems, problem_analysis
from data import access, reference, refs
from data.access import NotAllowed
from forms.problems import STAGE_LABELS, STAGES, get_problem, problem_history
from forms.ui import problems as ui
from forms.ui.runtime import open_page
from forms.ui.widgets import show_text, user_text

_, store, user = open_page("problem_read")
st.title("Problem solving")
may_edit = access.can(user, "problem_edit")
if st.query_params.get("problem"):
    st.session_state[ui.PROBLEM] = st.query_params["problem"]
tabs = st.tabs(["Problems", "Open a problem"] if may_edit else ["Problems"])

with tabs[0]:
    listed = list_problems(store, Filters(), user=user)
    if listed.empty:
        st.info("No problems yet." + (" Open one in the next tab." if may_edit else ""), icon=":material/info:")
    else:
        st.dataframe(listed, hide_index=True, key="problems.list", on_select="rerun", selection_mode="single-row",
                     column_order=["ref", "title", "stage_label", "area", "wards", "owner", "opened_on", "review_on",
                                   "review_overdue", "actions_done", "actions", "items"],
                     column_config={"ref": "Ref", "title": "Problem", "stage_label": "Stage", "area": "Area",
                                    "wards": "Wards",
                                    "owner": "Owner", "opened_on": st.column_config.DateColumn("Opened",
                                                                                                format="DD/MM/YYYY"),
                                    "review_on": st.column_config.DateColumn("Review", format="DD/MM/YYYY"),
                                    "review_overdue": "Review overdue", "actions_done": "Actions done",
                                    "actions": "Actions", "items": "You said, we did"})
        picked = st.session_state.get("problems.list")
        rows = picked.selection.rows if picked is not None else []
        if rows:
            st.session_state[ui.PROBLEM] = listed.iloc[rows[0]]["record_id"]
            st.query_params["problem"] = st.session_state[ui.PROBLEM]
    try:
        problem = get_problem(store, st.session_state.get(ui.PROBLEM), user=user)
    except NotAllowed:  # another area's problem
        problem = None
    if problem is None:
        st.caption("Pick a row to open a problem.")
    else:
        rid, editable = problem["record_id"], access.can(user, "problem_edit", problem["area_code"])
        users = reference.list_users(store)
        names = dict(zip(users["user_id"], users["name"], strict=True))
        wards = reference.ward_names(store, area_code=problem["area_code"])
        st.header(user_text(problem["title"], one_line=True))
        owner = user_text(names.get(problem["owner_id"], problem["owner_id"]), one_line=True)
        ref = refs.label("problems", refs.number(problem.get("reference")))
        st.caption((f"**{ref}** · " if ref else "") + f"**{STAGE_LABELS[problem['stage']]}** · opened "
                   f"{problem['opened_on']:%d %b %Y} · review {problem['review_on']:%d %b %Y} · owner {owner}"
                   f" · {user_text(', '.join(wards.get(w, w) for w in problem['ward_codes']), one_line=True)}"
                   f" · version {problem['version']}")
        st.progress((STAGES.index(problem["stage"]) + 1) / len(STAGES))
        ui.render_messages()
        if editable:
            ui.render_stage_buttons(store, problem, user)
        found = problem_analysis(store, problem, user=user)
        scanning, analysis, response, assessment = st.tabs(["Scanning", "Analysis", "Response", "Assessment"])
        with scanning:
            show_text(problem["statement"])
            if problem["places"]:
                st.caption("Places")
                show_text(problem["places"])
            st.subheader('"You said, we did" items it answers')
            for item in found.items.to_dict("records"):
                said = user_text(f"{item['issue_category']}: {item['issue_text']}", one_line=True)
                st.page_link("pages/ysywd_item.py", icon=":material/assignment:",
                             query_params={"item": item["record_id"]},
                             label=f"{said} (raised {item['raised_on']:%d %b %Y})")
            if found.items.empty:
                st.caption("None linked.")
            if editable and problem["stage"] != "closed":
                with st.expander("Change the scanning details"):
                    ui.render_edit_form(store, problem, user, name="scanning", fields=(
                        "title", "statement", "ward_codes", "places", "ysywd_ids", "owner_id", "review_on"))
        with analysis:
            ui.render_analysis(problem, found)
            if editable and problem["stage"] != "closed":
                with st.expander("Change the analysis"):
                    ui.render_edit_form(store, problem, user, name="analysis",
                                        fields=("victim", "offender", "location", "partners"))
        with response:
            st.caption("Partner agencies: " + (user_text(", ".join(problem["partners"]), one_line=True) or "none"))
            ui.render_actions(store, problem, user, names=names, editable=editable)
            if editable and problem["stage"] != "closed":
                with st.expander("Response dates"):
                    ui.render_edit_form(store, problem, user, name="response",
                                        fields=("response_start", "response_end"))
        with assessment:
            ui.render_assessment(store, problem, user)
            if problem["assessment_note"]:
                show_text(problem["assessment_note"])
            if editable and problem["stage"] != "closed":
                with st.expander("Write the assessment"):
                    ui.render_edit_form(store, problem, user, name="assessment", fields=("assessment_note",))
        with st.expander("History"):
            history = pd.DataFrame(problem_history(store, rid, user=user))
            st.dataframe(history.assign(written_by=history["written_by"].map(lambda u: names.get(u, u)),
                                        stage=history["stage"].map(STAGE_LABELS)), hide_index=True,
                         key="problems.history")

if may_edit:
    with tabs[1]:
        ui.render_open_form(store, user)
