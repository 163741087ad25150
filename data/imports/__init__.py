"""Importers: real data in (data.police.uk crime files, boundaries, census tables, past spreadsheets).

Every importer takes the store, the file(s) and the acting user, checks the
user may import (`access.require(user, "import")`), validates every row,
writes the good rows in one Delta commit (so nothing is ever half-imported),
logs the import in the audit log and returns an `ImportReport`: rows read,
imported, already there, rejected and why.

A file that cannot be read safely (not UTF-8 or plausible Windows-1252,
damaged, a gzip or zip bomb, past a size, row, cell, nesting or time limit:
see `data.imports.limits`) is refused with an `ImportRefused`, a
ValidationError whose message names the file and the problem, before
anything is written.

Record ids come from the source (a crime's id and month, a census cell, a
spreadsheet row's content), so importing the same file again adds nothing,
and a corrected row (a crime's later outcome) is stored as a new version of
the record it corrects.
"""

from data.imports.common import ImportReport
from data.imports.limits import ImportRefused

__all__ = ["ImportRefused", "ImportReport"]
