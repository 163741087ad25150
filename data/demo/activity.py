"""What every generated activity table shares: its records' columns, written in chunks in date order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from data.arrow_schema import system_columns
from data.demo.columns import Column, Pick, assemble, hex_ids, new_ids


class Activity:
    """A generated activity table: its records' columns, written in chunks of records."""

    table: str
    columns: dict[str, Column]
    n: int = 0
    ids: np.ndarray  # uuid halves of the records (see `columns.new_ids`)
    written_at: np.ndarray  # when each record was saved
    written_by: Pick  # who saved it
    DATE = ""  # the column dashboards filter dates on

    def __init__(self, rng: np.random.Generator, n: int):
        self.n = n
        self.ids = new_ids(rng, n)

    @property
    def rows(self) -> int:
        return self.n

    def chunk(self, a: int, b: int) -> pa.Table:
        rows = self.records(a, b)
        return assemble(self.table, self.columns, rows, given=self.system(rows))

    def system(self, rows: np.ndarray, **given) -> dict[str, pa.Array]:
        """The system columns of records `rows`, stored as one version each unless `given` says otherwise."""
        values = {"record_id": hex_ids(self.ids[rows]), "written_at": self.written_at[rows],
                  "written_by": self.written_by.take(rows)} | given
        return system_columns(**values, rows=len(rows))

    def records(self, a: int, b: int) -> np.ndarray:
        """Indices of the a..b-th records in the order they are written: by business date.

        Files then cover separate date ranges, so a date filter skips most of
        a large table from the Parquet statistics alone.
        """
        column = self.columns.get(self.DATE)
        if column is None or self.n < 2:
            return np.arange(a, b)
        if getattr(self, "_order", None) is None:
            self._order = np.argsort(column.values, kind="stable")
        return self._order[a:b]
