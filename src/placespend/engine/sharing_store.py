"""Sharing agreements, linkage runs, their pseudonymised pairs and the sharing audit, as rows.

Policy (what makes an agreement live, who may see what, when data must go) lives in `placespend.app.sharing`.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from placespend.engine import store_rows
from placespend.engine.store_rows import now
from placespend.engine.workspace import Workspace

AGREEMENT_COLUMNS = ("agreement_id", "purpose", "legal_basis", "special_basis", "parties", "fields", "analysts",
                     "retention_days", "retain_until", "review_date", "rounding", "threshold", "created_by",
                     "created_at", "retired_by", "retired_at", "retire_reason")


def _rows(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return store_rows.rows(ws, "sharing_agreements", sql, params)


def _audit(raw, who: str, action: str, agreement_id: str | None, run_id: str | None, detail: Any) -> None:
    entry = raw.execute("SELECT coalesce(max(entry_id), 0) + 1 FROM sharing_audit").fetchone()[0]
    raw.execute("INSERT INTO sharing_audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                [entry, now(), who, action, agreement_id, run_id, json.dumps(detail, default=str)])


def _transaction(ws: Workspace, work) -> Any:
    return store_rows.in_transaction(ws, work)


def agreements(ws: Workspace) -> list[dict[str, Any]]:
    return _rows(ws, f"SELECT {', '.join(AGREEMENT_COLUMNS)} FROM sharing_agreements ORDER BY agreement_id")


def insert_agreement(ws: Workspace, row: dict[str, Any]) -> None:
    def work(raw) -> None:
        values = [row.get(c) for c in AGREEMENT_COLUMNS]
        raw.execute(f"INSERT INTO sharing_agreements VALUES ({', '.join('?' * len(values))})", values)
        _audit(raw, row["created_by"], "agreement.add", row["agreement_id"], None,
               {"parties": row["parties"], "fields": row["fields"], "analysts": row["analysts"]})
    _transaction(ws, work)


def update_agreement(ws: Workspace, agreement_id: str, who: str, action: str, changes: dict[str, Any]) -> None:
    def work(raw) -> None:
        sets = ", ".join(f"{column} = ?" for column in changes)
        raw.execute(f"UPDATE sharing_agreements SET {sets} WHERE agreement_id = ?", [*changes.values(), agreement_id])
        _audit(raw, who, action, agreement_id, None, changes)
    _transaction(ws, work)


def record_refusal(ws: Workspace, who: str, agreement_id: str | None, detail: dict[str, Any]) -> None:
    _transaction(ws, lambda raw: _audit(raw, who, "refused", agreement_id, None, detail))


def insert_run(ws: Workspace, run: dict[str, Any], pairs: list[tuple[str, str, float]]) -> None:
    """One run and its pairs, in one transaction with its audit entry: all or nothing."""
    columns = ("run_id", "agreement_id", "kind", "run_by", "run_at", "left_owner", "right_owner",
               "left_fingerprint", "right_fingerprint", "left_records", "right_records", "published")

    def work(raw) -> None:
        values = [json.dumps(run["published"], default=str) if c == "published" else run.get(c) for c in columns]
        raw.execute(f"INSERT INTO linkage_runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    values)
        if pairs:  # through Arrow: a million pairs insert in a second, not row by row
            raw.register("new_pairs", pa.table({"left_id": [p[0] for p in pairs], "right_id": [p[1] for p in pairs],
                                                "match_probability": [float(p[2]) for p in pairs]}))
            raw.execute("INSERT INTO linkage_pairs SELECT ?, left_id, right_id, match_probability, ?, ? FROM new_pairs",
                        [run["run_id"], run["left_owner"], run["right_owner"]])
            raw.unregister("new_pairs")
        _audit(raw, run["run_by"], "run", run["agreement_id"], run["run_id"],
               {"kind": run["kind"], "left_fingerprint": run["left_fingerprint"],
                "right_fingerprint": run["right_fingerprint"], "pairs": len(pairs), "published": run["published"]})
    _transaction(ws, work)


def runs(ws: Workspace) -> list[dict[str, Any]]:
    rows = _rows(ws, "SELECT r.*, (SELECT count(*) FROM linkage_pairs p WHERE p.run_id = r.run_id) AS pairs "
                     "FROM linkage_runs r ORDER BY run_at, run_id")
    for row in rows:
        row["published"] = json.loads(row["published"]) if row["published"] else None
    return rows


def pairs(ws: Workspace, run_id: str) -> list[dict[str, Any]]:
    return _rows(ws, "SELECT left_id, right_id, match_probability, left_owner, right_owner FROM linkage_pairs "
                     "WHERE run_id = ? ORDER BY left_id, right_id", [run_id])


def purge_runs(ws: Workspace, run_ids: list[str], who: str, reasons: dict[str, str]) -> None:
    """Delete the pairs of these runs and mark them purged; the run's audit row stays, saying so."""
    def work(raw) -> None:
        for run_id in run_ids:
            deleted = raw.execute("SELECT count(*) FROM linkage_pairs WHERE run_id = ?", [run_id]).fetchone()[0]
            raw.execute("DELETE FROM linkage_pairs WHERE run_id = ?", [run_id])
            raw.execute("UPDATE linkage_runs SET purged_at = ?, purged_by = ? WHERE run_id = ?", [now(), who, run_id])
            agreement = raw.execute("SELECT agreement_id FROM linkage_runs WHERE run_id = ?", [run_id]).fetchone()[0]
            _audit(raw, who, "purge", agreement, run_id, {"pairs_deleted": deleted, "reason": reasons[run_id]})
    if run_ids:
        _transaction(ws, work)


def audit(ws: Workspace, agreement_id: str | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE agreement_id = ?", [agreement_id]) if agreement_id else ("", [])
    rows = _rows(ws, f"SELECT * FROM sharing_audit {where} ORDER BY entry_id", params)
    for row in rows:
        row["detail"] = json.loads(row["detail"]) if row["detail"] else None
    return rows
