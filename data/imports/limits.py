"""The limits every import reads a file within, and the refusal of a file that passes one.

Each limit is sized so that real files (a force's monthly data.police.uk file,
a Nomis census table, a force's ward boundaries, a Microsoft Forms export)
import, and a hostile file costs at most a bounded amount of memory and time.
"""

from __future__ import annotations

import time

from data.store import ValidationError

MAX_UPLOAD_BYTES = 200 * 2**20
"""A file as given (Streamlit's own upload limit)."""
MAX_DATA_BYTES = 128 * 2**20
"""A file once un-gzipped: ~500,000 crime rows of ~220 bytes (Staffordshire's monthly file: 2 MB, 9,728 rows)."""
MAX_ROWS = 500_000
"""Rows of one CSV file: 50 times Staffordshire's monthly street-level file, several times the largest force's."""
MAX_COLUMNS = 500
"""Columns of a sheet (a census table has ~30, a Forms export rarely 150)."""
MAX_CELLS = 20_000_000
"""Rows times columns of one CSV file."""
MAX_CELL_CHARS = 32_767
"""Characters in one cell: Excel's own limit."""
MAX_EXCEL_ROWS = 200_000
"""Rows of one Excel sheet: openpyxl reads a sheet cell by cell (some 50,000 short rows a second), so larger
exports go through CSV."""
MAX_EXCEL_CELLS = 4_000_000
"""Cells (and shared strings) of one Excel workbook."""
MAX_EXCEL_PART_BYTES = 128 * 2**20
"""Uncompressed size of one part (e.g. a sheet's XML) of an Excel zip, declared and actual."""
MAX_EXCEL_BYTES = 256 * 2**20
"""Uncompressed size of all of an Excel zip's parts together."""
MAX_EXCEL_PARTS = 1_000
"""Parts of an Excel zip (a workbook has ~10 plus one per sheet, image and comment)."""
MAX_XML_RUN_BYTES = MAX_CELL_CHARS * 6
"""Bytes of Excel XML between two tags: a cell's text at most, at up to 6 bytes a character (&amp;)."""
MAX_JSON_BYTES = 64 * 2**20
"""A JSON (GeoJSON) file once un-gzipped (Staffordshire's 211 wards: 0.8 MB; its 687 LSOAs: 1.8 MB)."""
MAX_JSON_DEPTH = 20
"""Nesting of JSON arrays and objects (a GeoJSON MultiPolygon's coordinates sit 7 deep)."""
MAX_JSON_CONTAINERS = 1_000_000
"""JSON arrays and objects in one file (each boundary point is one)."""
MAX_JSON_VALUES = 1_500_000
"""JSON values in one file, i.e. ~750,000 boundary points (Staffordshire's wards have 18,563); parsed, that many
take ~100 MB of memory."""
READ_SECONDS = 120
"""Wall time to read and parse one file."""
CHUNK_BYTES = 2**20
MAX_HEADER_BYTES = 2**20
CSV_CHUNK_ROWS = 50_000


class ImportRefused(ValidationError):
    """A file Beatbook will not import, and why: `errors` is {"file": "<file name>: <problem>"}.

    Raised before anything is written, so a refused file leaves the store as it was.
    """

    def __init__(self, name: str, problem: str, *, field: str = "file"):
        self.file_name = name
        self.problem = problem
        super().__init__({field: f"{name}: {problem}"})


class Deadline:
    """The wall-time limit of reading one file: `check()` refuses the file once `seconds` have passed."""

    def __init__(self, name: str, seconds: float | None = None):
        self.name = name
        self.seconds = READ_SECONDS if seconds is None else seconds
        self.until = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise ImportRefused(self.name, f"took longer than {self.seconds:.0f} seconds to read; split it into "
                                           "smaller files")


def mib(size: int) -> str:
    """A size in bytes as whole MiB, for messages."""
    return f"{size / 2**20:,.0f} MiB"

