"""The lists of submissions (My activity, Dip checks): a submission's heading, and My activity's edit form."""

from __future__ import annotations

from typing import Any

import streamlit as st

from data import refs
from forms.activity import EDITABLE, FIELD_LABELS, SHORT_FIELDS
from forms.ui.widgets import FormState, render_field_error, user_text


def submission_heading(item: Any, *, tail: str) -> str:
    """A submission's heading (Markdown): its title, then its short reference (if it has one), kind, date and
    `tail`."""
    label = refs.label(item.table_name, item.reference)
    reference = f"**{label}** · " if label else ""
    return f"**{user_text(item.title, one_line=True)}**  \n{reference}{item.kind} · {item.date:%d %b %Y} · {tail}"


def render_edit_fields(form: FormState, table: str) -> None:
    """The edit form's widgets for a table's editable fields, each with its error."""
    for field in EDITABLE[table]:
        label = FIELD_LABELS[field]
        if field == "hours":
            st.number_input(label, key=form.key(field), min_value=0.25, max_value=24.0, step=0.25)
        elif field in SHORT_FIELDS:
            st.text_input(label, key=form.key(field))
        else:
            st.text_area(label, key=form.key(field), height=100)
        render_field_error(form.errors, field)
