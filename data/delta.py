"""How the store's Delta tables are written: Parquet writer settings, commit settings and table properties."""

from __future__ import annotations

from deltalake import BloomFilterProperties, ColumnProperties, CommitProperties, WriterProperties

STATS_COLUMNS = "delta.dataSkippingStatsColumns"
"""The table property naming the columns the Delta log keeps statistics for (`stats_columns`)."""
SMALL_FILE_ROWS = 10_000
ROW_GROUP_ROWS = 122_880
# Tables of few, wide rows (lists of structs) get smaller row groups, so a date-range read
# skips by statistics to the rows it needs and a whole-table read still splits across cores.
ROW_GROUP_ROWS_BY_TABLE = {"ysywd": 16_384}
_LOOKUP = ColumnProperties(bloom_filter_properties=BloomFilterProperties(True, fpp=0.01))

COMMIT = CommitProperties(max_commit_retries=1000)
# A save commits only on top of the exact table version it was checked against: if anyone
# committed first, it is checked again (so no two rows ever share a record id and version).
CHECKED_COMMIT = CommitProperties(max_commit_retries=0)
SAVE_TIMEOUT_SECONDS = 120.0
WRITER_RELOAD_VERSIONS = 100  # see Store._writer


def writer_properties(table: str) -> WriterProperties:
    """How a table's Parquet files are written: zstd, row groups by table, Bloom filters on the ids."""
    return WriterProperties(
        compression="ZSTD",
        max_row_group_size=ROW_GROUP_ROWS_BY_TABLE.get(table, ROW_GROUP_ROWS),
        column_properties={"record_id": _LOOKUP, "submission_id": _LOOKUP},
    )
