"""Small widget helpers shared by the form pages.

`FormState` keeps everything one form needs between reruns in
`st.session_state`, under keys prefixed with the form's name:

- each field's widget key (`form.key("title")` -> "book_event.title"),
- the submission id, made when the form is opened and renewed after a
  successful save, so a double tap or a retry stores one record (a repeat
  of exactly the values just saved reuses that save's id),
- the field errors of the last failed submit, and the last confirmation,
- for a form editing an existing record, the version of it the form's
  values stand on (`base_version`), and the message of a change refused
  because someone else changed the record since (`conflict`).

Saving happens in the submit button's `on_click` callback (`form.submit`),
which runs before the script: a failed save keeps every typed value, a
successful one resets the fields to their defaults for the next record.

A form editing a record is given the record's `version` as the page shows it
now. While the form holds no refused change it follows the record: a later
version shown starts its fields again from that version. Once a change was
refused (field errors, or a conflict) it holds what was typed and the version
it was typed on, so a save after someone else's change names the old version
and is refused, until a save succeeds or the user loads the latest version
(`reload`). The values of a form reach the server only when it is submitted,
so until then nothing typed is lost by following the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pydeck as pdk
import streamlit as st

from data.store import EditConflict, Saved, ValidationError, new_submission_id


class FormState:
    """Session-state bookkeeping for one form: field keys, submission id, errors, confirmation.

    `version`: the version of the record the form edits, as the page shows it now (None for a form
    of new records, or of new information about a record).
    """

    def __init__(self, name: str, *, defaults: Mapping[str, Any], owner: str = "", keep: Iterable[str] = (),
                 version: int | None = None):
        self.name = name
        self.defaults = dict(defaults)
        self.fields = tuple(self.defaults)
        self.keep = frozenset(keep)  # fields the next record starts from as last saved (e.g. the ward)
        self.changes_a_record = version is not None
        if st.session_state.get(self._meta("owner"), owner) != owner:  # another user now: start afresh
            self.reset()
        if not self.changes_a_record:  # a form of a record starts from the record, not from the last save
            self.defaults.update({f: v for f, v in self.saved_values.items() if f in self.keep})
        st.session_state[self._meta("owner")] = owner
        if version is not None:
            self._follow(int(version))
        self.open()

    @staticmethod
    def holds_refused(name: str) -> bool:
        """Whether the form called `name` holds a refused change (field errors or a conflict)."""
        return bool(st.session_state.get(f"{name}__errors")) or bool(st.session_state.get(f"{name}__conflict"))

    def _follow(self, version: int) -> None:
        """Stand on `version`, the record as shown now, unless the form holds a refused change."""
        standing = st.session_state.get(self._meta("version"))
        if standing == version or (standing is not None and self.holds_refused(self.name)):
            return
        if standing is not None:  # a later version: the fields start again from it (before they are drawn)
            for field in self.fields:
                st.session_state.pop(self.key(field), None)
        st.session_state[self._meta("version")] = version

    def key(self, field: str) -> str:
        """The widget key of one field."""
        return f"{self.name}.{field}"

    def open(self) -> None:
        """Set every field that has no value yet to its default, and make a submission id."""
        for field, value in self.defaults.items():
            st.session_state.setdefault(self.key(field), value)
        st.session_state.setdefault(self._meta("submission_id"), new_submission_id())

    def reset(self) -> None:
        """Forget everything typed, the errors and the confirmation (not from a widget callback)."""
        for field in self.fields:
            st.session_state.pop(self.key(field), None)
        for what in ("submission_id", "errors", "saved", "last", "conflict", "version"):
            st.session_state.pop(self._meta(what), None)

    def reload(self) -> None:
        """After a refused change: a form editing a record starts again from the record as it is now (what
        was typed is replaced); a form of new information keeps what was typed, to save on top of it.

        Meant as the "Load the latest version" button's `on_click`.
        """
        st.session_state.pop(self._meta("conflict"), None)
        if self.changes_a_record:
            for field in self.fields:
                st.session_state.pop(self.key(field), None)
            for what in ("errors", "version"):
                st.session_state.pop(self._meta(what), None)

    def values(self) -> dict[str, Any]:
        """The fields' current values."""
        return {field: st.session_state.get(self.key(field)) for field in self.fields}

    @property
    def submission_id(self) -> str:
        return st.session_state[self._meta("submission_id")]

    @property
    def errors(self) -> dict[str, str]:
        return st.session_state.get(self._meta("errors"), {})

    @property
    def base_version(self) -> int | None:
        """The version of the record the form's values stand on (None for a form of new records)."""
        return st.session_state.get(self._meta("version"))

    @property
    def conflict(self) -> str | None:
        """Why the last change was refused, if someone else changed the record since the form showed it."""
        return st.session_state.get(self._meta("conflict"))

    @property
    def confirmation(self) -> Saved | None:
        """The last successful save, until the next submit."""
        return st.session_state.get(self._meta("saved"))

    @property
    def saved_values(self) -> dict[str, Any]:
        """The values of the last successful save."""
        return st.session_state.get(self._meta("last"), ({}, None))[0]

    def set_field(self, field: str, value: Any) -> None:
        """Change a field's value (only from a callback, or before its widget is drawn)."""
        st.session_state[self.key(field)] = value

    def submit(self, save: Callable[[dict[str, Any], str], Saved]) -> None:
        """Run `save(values, submission_id)`; keep its field errors, or reset the form on success.

        Meant as a submit button's `on_click`: `on_click=form.submit, args=(save,)`.
        """
        values = self.values()
        # A second tap sent before the first one's reply (or a retry after a lost
        # reply) carries the values just saved: it reuses that save's id.
        last_values, last_id = st.session_state.get(self._meta("last"), (None, None))
        submission_id = last_id if values == last_values else self.submission_id
        st.session_state[self._meta("saved")] = None
        st.session_state.pop(self._meta("conflict"), None)
        try:
            saved = save(values, submission_id)
        except EditConflict as exc:  # someone else changed the record: keep everything typed
            st.session_state[self._meta("errors")] = {}
            st.session_state[self._meta("conflict")] = exc.errors["record"]
            return
        except ValidationError as exc:
            st.session_state[self._meta("errors")] = dict(exc.errors)
            return
        st.session_state[self._meta("errors")] = {}
        st.session_state[self._meta("saved")] = saved
        st.session_state[self._meta("last")] = (values, submission_id)
        if self.changes_a_record:
            # Kept fields show the version just saved; the others start again from the record as
            # stored now (the defaults in hand were made from the version before).
            for field in self.fields:
                if field in self.keep:
                    st.session_state[self.key(field)] = values[field]
                else:
                    st.session_state.pop(self.key(field), None)
            if self.keep:
                st.session_state[self._meta("version")] = saved.version
            else:
                st.session_state.pop(self._meta("version"), None)
        else:
            for field, value in self.defaults.items():
                st.session_state[self.key(field)] = values[field] if field in self.keep else value
        st.session_state[self._meta("submission_id")] = new_submission_id()

    def _meta(self, what: str) -> str:
        return f"{self.name}__{what}"


def render_errors(errors: Mapping[str, str], labels: Mapping[str, str]) -> None:
    """One error box naming every field that needs fixing."""
    if not errors:
        return
    lines = [f"- **{labels.get(field, field)}**: {message}" for field, message in errors.items()]
    st.error("Please fix the following and submit again:\n\n" + "\n".join(lines), icon=":material/error:")


def render_conflict(message: str | None, *, key: str, reload: Callable[..., None], args: tuple = (),
                    typed: bool = True, reload_help: str | None = None) -> None:
    """A change refused because the record changed after the page showed it: who changed it and when, and a
    "Load the latest version" button (`reload(*args)` its callback).

    `typed`: the refused change was typed into a form, which keeps it. The message names a
    person, so it is shown as plain text, never as markdown.
    """
    if not message:
        return
    kept = " What you typed is still here." if typed else ""
    st.error(f"This record changed while you had it open.{kept}", icon=":material/sync_problem:")
    st.text(message)
    st.button("Load the latest version", key=key, icon=":material/refresh:", on_click=reload, args=args,
              help=reload_help)


RELOAD_REPLACES = "Show the record as it is now: what you typed here is replaced by it."
RELOAD_KEEPS = "Show the record as it is now, keeping what you typed to save on top of it."


def render_field_error(errors: Mapping[str, str], fields: str | Iterable[str]) -> None:
    """The message under one widget, if that field (or one of `fields`) failed."""
    for field in [fields] if isinstance(fields, str) else fields:
        if field in errors:
            st.caption(f":red[:material/error: {errors[field]}]")


# pydeck's "no style given" marker: Streamlit then draws no basemap. A style of None
# makes Streamlit fetch its default Carto basemap, which fails on a closed network
# and leaves the whole map blank.
_NO_BASEMAP = "__MAP_STYLE__"


def render_map(deck: pdk.Deck, *, key: str, height: int = 480) -> None:
    """Show a pydeck map; without a configured basemap it draws its layers only (works offline)."""
    if not deck.map_style:
        deck.map_style = _NO_BASEMAP
    st.pydeck_chart(deck, height=height, key=key)


def label_of(option: str | None, names: Mapping[str, str]) -> str:
    """The display name of a code, for a selectbox's `format_func`."""
    if option is None:
        return ""
    return names.get(option, option)


def render_metric_tiles(headline: Mapping[str, Any], metrics: Iterable[Any], *, width: int = 170) -> None:
    """One bordered tile per metric (label, formatted value, definition as help); they wrap on a phone."""
    with st.container(horizontal=True):
        for metric in metrics:
            st.metric(metric.label, metric.format_value(headline.get(metric.name)), help=metric.definition,
                      border=True, width=width)
