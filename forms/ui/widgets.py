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

import datetime as dt
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from data.access import NotAllowed
from data.store import EditConflict, Saved, ValidationError, new_submission_id

# -- text people typed --------------------------------------------------------------------------------------
# Streamlit reads Markdown, HTML-like text, its own directives (`:red[...]`, `:material/home:`) and `$...$`
# (KaTeX) in st.markdown, st.write, st.caption, the alerts, headers, st.toast, and in the labels of widgets,
# expanders, tabs, metrics, buttons, page links, radio, pills and segmented-control options, and help tooltips.
# Whatever a person typed (titles, issues, comments, names, places, folders, file names, search text) goes
# through `user_text` there, or is shown whole with `show_text` (st.text: no Markdown at all).

_MARKUP = re.compile(r"([\\`*_\[\](){}#+\-.!|<>:$~&=/@])")
"""The ASCII punctuation Markdown, HTML, entities (`&lt;`), Streamlit's directives and `$` formulas are made of;
a backslash before each (CommonMark allows one before any ASCII punctuation) makes it plain text."""
_BREAKS = re.compile(r"(?<=:)(?=//|[\w+-]+:)|(?<=@)|(?i:(?<=www)(?=\.))|(?<=[-<>~])(?=[-<>=])", re.ASCII)
"""Where an invisible word joiner (U+2060) goes, to break what Streamlit looks for in the text once the Markdown
is parsed (when escapes no longer count): `:name:` shortcodes (emoji, `:streamlit:`, `:material_x:`), `://` and
`www.` addresses and e-mail addresses (they would become images and links), and `->`, `--`, `<=` (arrows)."""


def user_text(value: Any, *, one_line: bool = False, code: bool = False) -> str:
    """`value` (text someone typed, or anything read from the store) as Markdown that shows exactly that text.

    Every Markdown punctuation character is backslash-escaped, so no link, image, heading, list, table, HTML,
    emphasis, `:red[...]` directive or `$...$` formula can start in it; an invisible word joiner breaks the
    few patterns Streamlit finds after parsing (`:smile:`, `:material_home:`, `https://`, `www.`, `a@b.org`,
    `->`), so no shortcode or bare address becomes an icon, image or link. The result can sit inside the
    page's own Markdown: `st.markdown(f"**Place:** {user_text(place)}")`.

    Line breaks are kept as Markdown line breaks (a line's leading spaces as no-break spaces, so they never
    start a code block); with `one_line` (labels, list items, titles) every run of white space is one space.
    With `code`, an inline code span instead (one line, exactly the characters, in monospace: for e-mail
    addresses and account ids someone may copy). None and NaN are "".
    """
    if _missing(value):
        return ""
    if code:
        return _code_span(" ".join(str(value).split()))
    text = _MARKUP.sub(r"\\\1", _BREAKS.sub("\u2060", str(value)))
    if one_line:
        return " ".join(text.split())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_indented(line) for line in lines)


def _code_span(text: str) -> str:
    """`text` as a CommonMark code span: a fence of more backticks than any run in it, so nothing closes it early."""
    if not text:
        return ""
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def show_text(value: Any, **kwargs: Any) -> None:
    """A whole block of text someone typed, as it is: `st.text`, which reads no Markdown at all."""
    st.text("" if _missing(value) else str(value), **kwargs)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _indented(line: str) -> str:
    """A line's leading spaces and tabs as no-break spaces (four spaces would start a code block)."""
    body = line.lstrip(" \t")
    return "\u00a0" * len(line[: len(line) - len(body)].expandtabs(4)) + body


class FormState:
    """One form: its session-state bookkeeping (field keys, submission id, errors, confirmation) and shared widgets.

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
        """The last successful save, until the next submit (or `start_new`)."""
        return st.session_state.get(self._meta("saved"))

    @property
    def refusals(self) -> int:
        """How many submits so far were refused with field errors (a new number for each)."""
        return st.session_state.get(self._meta("refused"), 0)

    def start_new(self) -> None:
        """Put away the last save's confirmation: the form is shown again for the next record (a callback)."""
        st.session_state.pop(self._meta("saved"), None)

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
        except (ValidationError, NotAllowed) as exc:  # a refusal shows under "record"
            st.session_state[self._meta("errors")] = dict(exc.errors)
            st.session_state[self._meta("refused")] = self.refusals + 1
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

    def render_submit_button(self, label: str, *, icon: str, save: Callable[..., Saved], key: str | None = None,
                             **context: Any) -> None:
        """The form's full-width primary submit button (key `<form>.submit` unless given), which calls
        `save(values=..., submission_id=..., **context)` (the use case's store and user in `context`)."""
        st.form_submit_button(label, type="primary", icon=icon, width="stretch", key=key or f"{self.name}.submit",
                              on_click=self.submit, args=(lambda values, submission_id: save(
                                  values=values, submission_id=submission_id, **context),))

    def render_place_select(self, labels: Mapping[str, str], names: Mapping[str, str], *, field: str,
                            on_change: Callable[[], None] | None = None) -> None:
        """The choice of an area (`field` area_code) or a ward (ward_code) among `names`, with its error under it."""
        placeholder = ("Choose an area" if field == "area_code"
                       else "Choose a ward" if names else "Choose an area first")
        st.selectbox(labels[field], list(names), key=self.key(field), index=None,
                     format_func=lambda code: label_of(code, names), placeholder=placeholder, on_change=on_change)
        render_field_error(self.errors, field)

    def render_saved_message(self, *, done: str, already: str) -> None:
        """The last save (`done`, Markdown) and its reference; `already` says what a repeated submission was."""
        saved = self.confirmation
        note = f" It was already {already}: nothing new was saved." if saved.duplicate else ""
        st.success(f"{done}{note}  \nReference: **{saved.record_id}**", icon=":material/check_circle:")

    def _meta(self, what: str) -> str:
        return f"{self.name}__{what}"


def render_errors(errors: Mapping[str, str], labels: Mapping[str, str]) -> None:
    """One error box naming every field that needs fixing."""
    if not errors:
        return
    lines = [f"- **{labels.get(field, field)}**: {user_text(message, one_line=True)}"  # it may quote what was typed
             for field, message in errors.items()]
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
    show_text(message)
    st.button("Load the latest version", key=key, icon=":material/refresh:", on_click=reload, args=args,
              help=reload_help)


RELOAD_REPLACES = "Show the record as it is now: what you typed here is replaced by it."
RELOAD_KEEPS = "Show the record as it is now, keeping what you typed to save on top of it."


def render_field_error(errors: Mapping[str, str], fields: str | Iterable[str]) -> None:
    """The message under one widget, if that field (or one of `fields`) failed."""
    for field in [fields] if isinstance(fields, str) else fields:
        if field in errors:
            st.caption(f":red[:material/error: {user_text(errors[field], one_line=True)}]")


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


# -- feedback where the thumb is ------------------------------------------------------------------------

DATE_LIMITS = {"min_value": dt.date(1000, 1, 1), "max_value": dt.date(9999, 12, 31)}
"""For a form's date input: any date that can be typed. A date typed outside a date input's limits is not
taken (the box turns red and keeps its last date, which a save would then store), so a form's dates take
anything and its save function refuses a date out of range, naming the field."""


def css_key(key: str) -> str:
    """The CSS class Streamlit gives the element of a widget or container with this key."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def scroll_into_view(key: str, *, nonce: Any, focus: bool = True) -> None:
    """Bring the element keyed `key` to the middle of the screen (and put the cursor in its input) once: when
    this run shows a new `nonce` (the same nonce in a later run does nothing). Needs the browser: the page's
    own script, with no text from anyone in it."""
    target = json.dumps("." + css_key(key))
    st.html(f"""<span hidden data-scroll-nonce="{html.escape(str(nonce))}"></span>
<style>[data-testid="stElementContainer"]:has([data-scroll-nonce]) {{display: none;}}</style><script>
requestAnimationFrame(() => {{
  const target = document.querySelector({target});
  if (!target) return;
  target.scrollIntoView({{block: "center"}});
  const field = {'true' if focus else 'false'} && target.querySelector("input, textarea");
  if (field) field.focus({{preventScroll: true}});
}});
</script>""", unsafe_allow_javascript=True, width="content")


def render_refusal(form: FormState, labels: Mapping[str, str]) -> None:
    """Right under a form's save button: what stopped the save (every field named), and the page brought to the
    first field to fix (its own message is under it), in the order of `labels` (the form's order)."""
    errors = form.errors
    if not errors:
        return
    with st.container(key=f"{form.name}.refusal"):
        render_errors(errors, labels)
    first = next((f for f in labels if f in errors and f != "record"), None)
    scroll_into_view(form.key(first) if first else f"{form.name}.refusal", nonce=form.refusals)


def render_saved_card(form: FormState, *, done: str, details: Iterable[str] = (), again: str,
                      links: Iterable[Mapping[str, Any]] = (), already: str = "saved") -> bool:
    """A record just saved: a card with what was saved and its reference, in place of the form, until the officer
    starts the next one (`again`, a button); True when shown (the page then shows no form).

    `done` and each of `details` are Markdown: text someone typed goes in through `user_text`. `links`: the
    arguments of a `st.page_link` each (what to do next). `already`: what a second save of the same submission
    says was done before ("It was already recorded").
    """
    saved = form.confirmation
    if saved is None:
        return False
    note = f" It was already {already}: nothing new was saved." if saved.duplicate else ""
    with st.container(border=True, key=f"{form.name}.saved"):
        st.success(f"{done}{note}  \nReference: **{saved.reference or saved.record_id}**",
                   icon=":material/check_circle:")
        for line in details:
            st.markdown(line)
        for link in links:
            st.page_link(**{"width": "stretch", **link})
        st.button(again, type="primary", icon=":material/add:", width="stretch", key=f"{form.name}.again",
                  on_click=form.start_new)
    scroll_into_view(f"{form.name}.saved", nonce=f"{saved.record_id}:{saved.version}", focus=False)
    return True


def render_length_hint(form: FormState, field: str, limit: int) -> None:
    """Under a text box: how far over `limit` characters its text is, if it is (nothing is ever cut off)."""
    value = st.session_state.get(form.key(field))
    if field not in form.errors and isinstance(value, str) and len(value.strip()) > limit:
        st.caption(f":orange[:material/warning: {len(value.strip()):,} characters: {len(value.strip()) - limit:,}"
                   f" too many (at most {limit:,})]")
