"""Recent submission ids: the index a save's duplicate check reads instead of the table's files.

A save must find an earlier save of its submission id, whichever process or server made it. A
`RecentSubmissions` holds, for one table, every stored row written since its horizon (submission id ->
record id, version, reference number), exactly as of one table version: it is brought to the version a
check is made on by the difference between that version's files and the last one's, so it follows every
writer sharing the store (their commits are in the log), compaction and retention (files they replace
drop their rows from it; the files they add put back those that remain), and a process starting again
(it is made afresh from the log). Nothing is cached across versions but what the log still names.

It answers for an id made by `new_submission_id` whose form opened at least `CLOCK_SKEW` after the
horizon: no save of it can be older than its form, so if it is stored, it is in the index. Any other id
(an older one, one of another kind) is checked in the table's files, as before (`stored_submissions`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

from data import db, refs
from data.snapshots import CLOCK_SKEW, IndexedFile, opened_at

RECENT = dt.timedelta(days=2)
"""How far back the index reaches when it is made: the rows written this recently are read into it."""
Stored = tuple[str, int, int | None]  # record id, version, reference number


class RecentSubmissions:
    """One table's rows written since `horizon`, by submission id, as of the table version it was last brought to."""

    def __init__(self) -> None:
        self._seen: tuple[IndexedFile, ...] | None = None  # the file list it was last brought to
        self.horizon: dt.datetime | None = None
        self._files: dict[str, list[str]] = {}  # each file of `version` -> the submission ids read from it
        self._rows: dict[str, tuple[Stored, dt.datetime, str]] = {}  # submission id -> (stored, written_at, file)
        self._lock = threading.Lock()
        self.files_read = 0  # data files read into the index so far (for tests and benchmarks)

    def find(self, index: tuple[IndexedFile, ...],
             submission_ids: Iterable[str]) -> tuple[dict[str, Stored], list[str]]:
        """(Those of `submission_ids` stored in the table version whose files `index` lists, the ids the index
        cannot answer for: to be looked up in those files.)"""
        with self._lock:
            self._follow(index)
            found, unknown = {}, []
            for sid in submission_ids:
                if not self._answers(sid):
                    unknown.append(sid)
                elif sid in self._rows:
                    found[sid] = self._rows[sid][0]
            return found, unknown

    def committed(self, before: tuple[IndexedFile, ...], after: tuple[IndexedFile, ...], rows: list[dict]) -> None:
        """This process's commit of `rows` took the table from the version whose files `before` lists to the one
        `after` lists: if the index was at `before` and the commit added one file, its rows go in unread."""
        with self._lock:
            if self._seen is not before or self.horizon is None:
                return  # brought to another version meanwhile: the next check reads the new files
            paths = {f.path for f in after}
            new = [p for p in paths if p not in self._files]
            if len(new) != 1 or len(paths) != len(self._files) + 1:
                return
            self._files[new[0]] = []
            for row in rows:
                if row["written_at"] >= self.horizon:
                    stored = (row["record_id"], int(row["version"]), refs.number(row["reference"]))
                    self._rows[row["submission_id"]] = (stored, row["written_at"], new[0])
                    self._files[new[0]].append(row["submission_id"])
            self._seen = after

    def _answers(self, submission_id: str) -> bool:
        opened = opened_at(submission_id)
        return opened is not None and self.horizon is not None and opened - CLOCK_SKEW >= self.horizon

    def _follow(self, index: tuple[IndexedFile, ...]) -> None:
        """Bring the index to the version whose files `index` lists: drop the rows of files no longer in it, read
        the rows of files new to it. Any version, later or earlier: only the files differ."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if self.horizon is None or now - self.horizon > 2 * RECENT:  # made, or moved on once the index is old
            self.horizon = now - RECENT
            self._rows = {sid: row for sid, row in self._rows.items() if row[1] >= self.horizon}
            self._files = {f: [s for s in sids if s in self._rows] for f, sids in self._files.items()}
        if index is self._seen:
            return
        paths = {f.path for f in index}
        for gone in [f for f in self._files if f not in paths]:
            for sid in self._files.pop(gone):
                if sid in self._rows and self._rows[sid][2] == gone:
                    del self._rows[sid]
        new = [f for f in index if f.path not in self._files]
        for entry in new:
            self._files[entry.path] = []
        # The log's timestamp statistics may be cut to the millisecond: a second's margin.
        wanted = [f.path for f in new if f.latest is None or f.latest >= self.horizon - dt.timedelta(seconds=1)]
        if wanted:
            self.files_read += len(wanted)
            numbered = any("reference" in {name for name, _ in db.columns_of(f)} for f in wanted)
            listed = ", ".join(db.sql_string(f) for f in wanted)
            for sid, rid, number, reference, written, path in db.rows(
                    f"SELECT submission_id, record_id, version, {'reference' if numbered else 'NULL'}, written_at,"
                    f" filename FROM read_parquet([{listed}], filename=true, union_by_name=true)"
                    f" WHERE written_at >= ?", [self.horizon]):
                self._rows[sid] = ((rid, int(number), refs.number(reference)), written, path)
                self._files[path].append(sid)
        self._seen = index
