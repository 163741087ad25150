"""The checks every stored field gets, and the field types the table models share.

Every model checks every field's raw input the same way (`Checked`): text
holding NUL or another control character (tab, newline and carriage return
aside) is refused, as is text of invisible characters only (spaces, control or
format characters), blank in a required field; bytes are not text; a number
must fit its Arrow column (int64).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
Code = Annotated[str, Field(min_length=1, max_length=40)]
Lat = Annotated[float, Field(ge=49.8, le=60.9)]
Lon = Annotated[float, Field(ge=-8.7, le=1.8)]
Count = Annotated[int, Field(ge=0, le=100_000)]
EARLIEST = dt.datetime(2000, 1, 1)
LATEST = dt.datetime(2100, 1, 1)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""The range of the int64 Arrow column every integer field is stored in."""
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (C0, DEL, C1) other than tab, newline and carriage return; and lone surrogates."""


def text_problem(text: str) -> str | None:
    """Why a piece of text may not be stored (NUL or other control characters), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if _CONTROL.search(text):
        return "must not contain control characters (only tab and new lines)"
    return None


def invisible(text: str) -> bool:
    """Whether text is empty or only whitespace, control and format (zero-width) characters."""
    if text[:1].isalnum():  # the common case, at once
        return False
    return all(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _raw_problem(value: Any) -> str | None:
    """What is wrong with a field's raw input, looking inside lists and mappings (nested records)."""
    if value is None or isinstance(value, bool | int | float | dt.date):
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "must be text, not bytes"
    if isinstance(value, list | tuple | set | frozenset):
        return next((p for p in map(_raw_problem, value) if p), None)
    if isinstance(value, dict):
        return next((p for p in map(_raw_problem, [*value, *value.values()]) if p), None)
    return None


class Checked(BaseModel):
    """Base of every model: the checks every field's value gets, whatever its type (see the module docstring)."""

    @field_validator("*", mode="before")
    @classmethod
    def _plain_input(cls, value: Any) -> Any:
        problem = _raw_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and invisible(value):
            if cls.model_fields[info.field_name].is_required():
                raise ValueError("is required")
            if value:
                raise ValueError("must not be only invisible characters")
        elif isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise ValueError("must be a local time without a time zone")
        elif isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("is too large a number to store")
        return value


class Record(Checked):
    """Base for stored records: strict about unknown fields, trims text."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_assignment=True, use_attribute_docstrings=True
    )

    @model_validator(mode="after")
    def _dates_not_absurd(self):
        for name, value in self:
            if isinstance(value, dt.datetime | dt.date):
                moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
                if not EARLIEST <= moment.replace(tzinfo=None) < LATEST:
                    raise ValueError(f"{name} must be between 2000 and 2100")
        return self
