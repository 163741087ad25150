"""The soak's verdict (`data.soak`): the stored rows checked against the acks, the save timings, the summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from data import db
from data.soak_plan import KINDS
from data.store import Store


def timing(acks: list[dict], writing_seconds: float) -> dict[str, Any]:
    """Saves per second and the latency of the save calls (every outcome), overall and by kind."""
    def spread(ms: list[float]) -> dict[str, float]:
        if not ms:
            return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        return {"p50": round(float(p50), 1), "p95": round(float(p95), 1), "p99": round(float(p99), 1),
                "max": round(float(max(ms)), 1)}

    by_kind = {kind: spread([a["ms"] for a in acks if a["kind"] == kind]) for kind in KINDS}
    return {
        "writing_seconds": round(writing_seconds, 3),
        "saves_per_second": round(len(acks) / writing_seconds, 1) if writing_seconds else 0.0,
        "latency_ms": spread([a["ms"] for a in acks]),
        "latency_ms_by_kind": {k: v for k, v in by_kind.items() if v["max"]},
    }


def stored_rows(store: Store, table: str, record_ids: list[str], submission_ids: list[str]) -> list[tuple]:
    """(record_id, version, submission_id) of every stored row (every version, compacted or not) of these
    records or submissions: the Parquet files of the table's current snapshot, read whole."""
    snap = store.snapshot(table)
    if not snap.files:
        return []
    return db.rows(
        f"SELECT record_id, version, submission_id FROM {db.parquet_scan(snap.files)}"
        " WHERE record_id IN (SELECT unnest(?::VARCHAR[])) OR submission_id IN (SELECT unnest(?::VARCHAR[]))",
        [record_ids, submission_ids])


def check(store: Store, acks: list[dict], setup: list[dict] | None = None) -> dict[str, Any]:
    """Check the stored rows against the acks (and the setup's saves); counts of each finding.

    - lost: acked `saved` (or a setup save) whose record_id, version and submission_id are not stored;
    - duplicated: submission ids of the soak stored in more than one row;
    - collisions: (record_id, version) pairs of the soak's records stored more than once;
    - stale_edits_accepted: stale edits not refused, or stored;
    - refused_but_stored: refused saves whose submission id is stored;
    - repeat_mismatched: duplicates that returned another record or version than the first save;
    - unacknowledged_rows: stored rows of soak submissions no ack says were saved (a save that failed
      after it was stored: not lost, but the officer was told otherwise).
    """
    setup = setup or []
    saved = [a for a in acks if a["outcome"] == "saved"] + [{**s, "outcome": "saved", "kind": "setup"} for s in setup]
    first = {a["submission_id"]: (a["record_id"], a["version"]) for a in saved}
    findings: Counter[str] = Counter()
    for table in sorted({a["table"] for a in [*acks, *setup]}):
        told = [a for a in acks if a["table"] == table]
        kept = [a for a in saved if a["table"] == table]
        record_ids = sorted({a["record_id"] for a in [*told, *kept] if a["record_id"]})
        submission_ids = sorted({a["submission_id"] for a in [*told, *kept]})
        rows = stored_rows(store, table, record_ids, submission_ids)
        by_submission: dict[str, list[tuple[str, int]]] = {}
        for record_id, version, submission_id in rows:
            by_submission.setdefault(submission_id, []).append((record_id, int(version)))
        pairs = Counter((record_id, int(version)) for record_id, version, _ in rows)
        findings["stored_rows"] += len(rows)
        findings["collisions"] += sum(1 for n in pairs.values() if n > 1)
        findings["duplicated"] += sum(1 for rows_of in by_submission.values() if len(rows_of) > 1)
        findings["lost"] += sum(1 for a in kept
                                if (a["record_id"], int(a["version"])) not in by_submission.get(a["submission_id"], []))
        acked = {a["submission_id"] for a in kept}
        findings["unacknowledged_rows"] += sum(len(r) for s, r in by_submission.items() if s not in acked)
        for ack in told:
            stored = bool(by_submission.get(ack["submission_id"]))
            if ack["outcome"] == "refused":
                findings["refused_but_stored"] += stored
            if ack["outcome"] == "duplicate":
                findings["repeat_mismatched"] += first.get(ack["submission_id"]) != (ack["record_id"], ack["version"])
            if ack["kind"] == "stale_edit":
                findings["stale_edits_accepted"] += ack["outcome"] in ("saved", "duplicate") or stored
    outcomes = Counter(a["outcome"] for a in acks)
    kinds = Counter(a["kind"] for a in acks)
    errors = [a for a in acks if a["outcome"] == "error"]
    writer_of = {a["submission_id"]: a.get("writer") for a in acks if a["outcome"] == "saved"}
    return {
        "lost": findings["lost"],
        "duplicated": findings["duplicated"],
        "collisions": findings["collisions"],
        "stale_edits": kinds["stale_edit"],
        "stale_edits_accepted": findings["stale_edits_accepted"],
        "refused": outcomes["refused"],
        "edit_conflicts": sum(1 for a in acks if a["kind"] == "edit" and a["outcome"] == "refused"),
        "duplicates_returned": outcomes["duplicate"],
        "cross_writer_repeats": sum(1 for a in acks if a["kind"] == "repeat" and a["outcome"] == "duplicate"
                                    and writer_of.get(a["submission_id"], a.get("writer")) != a.get("writer")),
        "repeat_mismatched": findings["repeat_mismatched"],
        "refused_but_stored": findings["refused_but_stored"],
        "errors": len(errors),
        "error_samples": sorted({a["error"] for a in errors})[:5],
        "unacknowledged_rows": findings["unacknowledged_rows"],
        "stored_rows": findings["stored_rows"],
        "outcomes": {o: outcomes[o] for o in ("saved", "duplicate", "refused", "error")},
        "kinds": {k: kinds[k] for k in KINDS},
    }


def summary(report: dict[str, Any]) -> list[str]:
    """A short human summary of a report."""
    latency = report["latency_ms"]
    load = report["load_average"]
    maintenance = report["maintenance"]
    lines = [
        f"soak of {report['store']}: {report['writers']} writers x {report['saves_per_writer']} saves on "
        f"{', '.join(report['tables'])} ({report['edit_share']:.0%} edits of "
        f"{sum(len(v) for v in report['shared_records'].values())} shared records)",
        f"{report['ack_lines']:,} acks in {report['acks_file']}: {report['outcomes']['saved']:,} saved, "
        f"{report['duplicates_returned']:,} duplicates returned, {report['refused']:,} refused "
        f"({report['edit_conflicts']:,} edit conflicts, {report['stale_edits']:,} stale edits), "
        f"{report['errors']:,} errors",
        f"lost {report['lost']}, duplicated {report['duplicated']}, collisions {report['collisions']}, "
        f"stale edits accepted {report['stale_edits_accepted']}",
        f"save latency (ms): p50 {latency['p50']:,.0f}, p95 {latency['p95']:,.0f}, p99 {latency['p99']:,.0f}, "
        f"max {latency['max']:,.0f}; {report['saves_per_second']:,.1f} saves/s over {report['writing_seconds']:,.1f} s",
        f"load average {load['start']} -> {load['end']} on {load['cores']} cores; wall time "
        f"{report['wall_seconds']:,.1f} s",
    ]
    if maintenance.get("every"):
        lines.append(f"maintenance every {maintenance['every']:g} s: {maintenance['runs']} runs done, "
                     f"{maintenance['failed']} failed, {maintenance['compactions']} compactions, longest "
                     f"{maintenance['longest_seconds']:,.1f} s")
    lines += [f"error: {message}" for message in report["error_samples"]]
    lines += [f"warning: {message}" for message in report["warnings"]]
    lines.append("PASSED" if report["ok"] else "FAILED: " + ", ".join(report["failures"]))
    return lines
