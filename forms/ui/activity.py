"""The edit form of My activity: one widget per editable field of a record, each with its error."""

from __future__ import annotations

import streamlit as st

from forms.activity import EDITABLE, FIELD_LABELS, SHORT_FIELDS
from forms.ui.widgets import FormState, render_field_error


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
