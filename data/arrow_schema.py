"""The Arrow side of the table models: the system columns every stored table carries, and each table's schema.

The system columns in `SYSTEM_COLUMNS` are added by the store, never by a form.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from data.schema import DIVERSITY_FIELDS, TABLES

SYSTEM_COLUMNS: dict[str, pa.DataType] = {
    "record_id": pa.string(),
    "version": pa.int64(),
    "deleted": pa.bool_(),
    "written_at": pa.timestamp("us"),
    "written_by": pa.string(),
    "submission_id": pa.string(),
    "superseded": pa.bool_(),
    "reference": pa.int64(),
}

def system_columns(*, record_id: Any, written_at: Any, written_by: Any, version: Any = 1,
                   submission_id: Any = None, deleted: Any = False, superseded: Any = None,
                   reference: Any = None, rows: int | None = None) -> dict[str, Any]:
    """The system columns of stored rows: the one place they are made, for a save, an import or the demo.

    Without `rows`, one row's values (scalars). With `rows`, a column each (`pa.Array`s of that
    length): a scalar is repeated, a sequence or array is taken as the column. `submission_id`
    defaults to the record id (a record made by one bulk write); `superseded` to false for a first
    version and null for a later one (null: reads work out which version is current); `reference`
    to null (numbered when committed, for a table with references).
    """
    values = {"record_id": record_id, "version": version, "deleted": deleted, "written_at": written_at,
              "written_by": written_by, "submission_id": record_id if submission_id is None else submission_id,
              "superseded": superseded, "reference": reference}
    if rows is None:
        if superseded is None:
            values["superseded"] = False if int(version) == 1 else None
        return values
    columns = {}
    for name, kind in SYSTEM_COLUMNS.items():
        value = values[name]
        if name == "superseded" and value is None:
            value = pc.if_else(pc.equal(columns["version"], 1), False, pa.scalar(None, pa.bool_()))
        elif isinstance(value, (pa.Array, pa.ChunkedArray)):
            value = value.cast(kind)
        elif isinstance(value, (list, tuple, np.ndarray)):
            value = pa.array(value, type=kind)
        else:
            value = pa.array([value] * rows, type=kind)
        if len(value) != rows:
            raise ValueError(f"system column {name} has {len(value)} values for {rows} rows")
        columns[name] = value
    return columns


_SCALARS: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.datetime: pa.timestamp("us"),
    dt.date: pa.date32(),
}


def _arrow_type(annotation) -> pa.DataType:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return _arrow_type(args[0])
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return _arrow_type(inner)
    if origin is Literal:
        return _SCALARS[type(args[0])]
    if origin is list:
        return pa.list_(_arrow_type(args[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct([(name, _arrow_type(f.annotation)) for name, f in annotation.model_fields.items()])
    return _SCALARS[annotation]


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a stored table: system columns, then the model's fields."""
    model = TABLES[table]
    fields = [pa.field(name, kind) for name, kind in SYSTEM_COLUMNS.items()]
    fields += [pa.field(name, _arrow_type(f.annotation)) for name, f in model.model_fields.items()]
    return pa.schema(fields)


def stats_columns(table: str) -> list[str]:
    """The columns whose per-file minimum and maximum the Delta log keeps, for skipping files.

    Structure only: system columns, dates, numbers, flags and codes. Never free
    text, lists or diversity answers: a file written by one save holds one row,
    so its statistics would repeat the answer in the log, out of reach of the
    retention rule that empties the row.
    """
    model = TABLES[table]
    kept = list(SYSTEM_COLUMNS)
    for name, field in model.model_fields.items():
        kind = _arrow_type(field.annotation)
        if name in (*DIVERSITY_FIELDS, "diversity_consent") or pa.types.is_list(kind) or pa.types.is_struct(kind):
            continue
        literal = typing.get_origin(field.annotation) is Literal or any(
            typing.get_origin(arg) is Literal for arg in typing.get_args(field.annotation))
        if pa.types.is_string(kind) and not (literal or 0 < _max_length(field) <= 40):
            continue
        kept.append(name)
    return kept


def _max_length(field: FieldInfo) -> int:
    """A text field's longest allowed value (0 when unbounded), looking inside `X | None`."""
    metadata = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        metadata += getattr(arg, "__metadata__", ())
        metadata += [m for inner in getattr(arg, "__metadata__", ()) for m in getattr(inner, "metadata", ())]
    return max((getattr(m, "max_length", None) or 0 for m in metadata), default=0)
