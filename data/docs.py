"""Documentation of every stored table and column, generated from the schemas."""

from __future__ import annotations

import pyarrow as pa

from data.arrow_schema import SYSTEM_COLUMNS, arrow_schema
from data.schema import TABLES

SYSTEM_DOCS = {
    "record_id": "Id of the record, the same in every version of it.",
    "version": "1 for a new record, then 2, 3, ... for each edit or withdrawal.",
    "deleted": "True on the version that withdrew the record.",
    "written_at": "When this version was saved (UTC).",
    "written_by": "User id of whoever saved this version.",
    "submission_id": "Id of the form submission that saved it; saving the same id again stores nothing.",
    "superseded": "False: current. True: a later version replaces it. Empty: an edit saved since the last"
    " compaction (take the highest `version` per `record_id`).",
    "reference": "The record's short reference number, the same in every version, unique in its table and shown"
    " with the table's prefix (e.g. CCR-1042); empty in tables without references.",
}


def _type_name(kind: pa.DataType) -> str:
    if pa.types.is_list(kind):
        return f"list of {_type_name(kind.value_type)}"
    if pa.types.is_struct(kind):
        return "struct (" + ", ".join(f.name for f in kind) + ")"
    return {
        pa.string(): "text",
        pa.int64(): "integer",
        pa.float64(): "decimal",
        pa.bool_(): "true/false",
        pa.timestamp("us"): "timestamp",
        pa.date32(): "date",
    }[kind]


def tables_markdown() -> str:
    """Markdown for the README: every table, then every column with its type and meaning."""
    parts = [
        "Every table also has the system columns:",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    parts += [f"| `{name}` | {_type_name(kind)} | {SYSTEM_DOCS[name]} |" for name, kind in SYSTEM_COLUMNS.items()]
    for table, model in TABLES.items():
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        parts += ["", f"#### `{table}`", ""]
        if doc:
            parts += [doc, ""]
        parts += ["| column | type | meaning |", "|---|---|---|"]
        schema = arrow_schema(table)
        for name, field in model.model_fields.items():
            kind = _type_name(schema.field(name).type)
            optional = "" if field.is_required() else ", optional"
            parts.append(f"| `{name}` | {kind}{optional} | {field.description or ''} |")
    return "\n".join(parts) + "\n"
