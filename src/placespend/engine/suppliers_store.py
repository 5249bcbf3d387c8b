"""Supplier payments, users' overrides and the name model's latest run, as rows (migration 0009).

Policy (what a payee is, which evidence joins two, what is shared) lives in `placespend.procurement`; the
use cases in `placespend.app.suppliers` join the readers to this store.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pyarrow as pa

from placespend.engine import store_rows
from placespend.engine.store_rows import now
from placespend.engine.workspace import Workspace

PAYMENT_COLUMNS = ("source_key", "source_row", "partner", "partner_name", "partner_type", "period", "amount",
                   "payee", "payee_key", "legal_name", "trading_name", "account", "vat_number", "company_number",
                   "charity_number", "category", "category_scheme", "public_type", "own", "capital_revenue")
MONEY = pa.decimal128(18, 2)


def _rows(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return store_rows.rows(ws, "supplier_payments", sql, params)


def _transaction(ws: Workspace, work) -> Any:
    return store_rows.in_transaction(ws, work)


def payments_table(columns: dict[str, list[Any]]) -> pa.Table:
    """Payments as Arrow, in the table's column order (amounts exact, as DECIMAL(18,2))."""
    types = {"source_row": pa.int32(), "amount": MONEY, "own": pa.bool_()}
    return pa.table({name: pa.array(values, types.get(name, pa.string())) for name, values in columns.items()})


def replace_sources(ws: Workspace, sources: list[dict[str, Any]], payments: list[pa.Table]) -> list[str]:
    """Store files' payments, each replacing an earlier file with the same source key, all in one transaction.
    Returns the source keys that replaced an earlier file."""
    def work(raw) -> list[str]:
        raw.execute("SET enable_progress_bar = false")   # a long insert would draw a bar over the CLI's output
        replaced = []
        for source, table in zip(sources, payments, strict=True):
            key = source["source_key"]
            if raw.execute("SELECT count(*) FROM supplier_sources WHERE source_key = ?", [key]).fetchone()[0]:
                replaced.append(key)
            raw.execute("DELETE FROM supplier_payments WHERE source_key = ?", [key])
            raw.execute("DELETE FROM supplier_sources WHERE source_key = ?", [key])
            raw.execute("INSERT INTO supplier_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [key, source["file_name"], source["content_hash"], source["profile"], source["payments"],
                         source["amount"], source["loaded_by"], now()])
            raw.register("new_supplier_payments", table)
            raw.execute(f"INSERT INTO supplier_payments ({', '.join(PAYMENT_COLUMNS)}) "
                        f"SELECT {', '.join(PAYMENT_COLUMNS)} FROM new_supplier_payments")
            raw.unregister("new_supplier_payments")
        return replaced
    return _transaction(ws, work)


def sources(ws: Workspace) -> list[dict[str, Any]]:
    return _rows(ws, "SELECT * FROM supplier_sources ORDER BY source_key")


def content_hashes(ws: Workspace) -> dict[str, str]:
    return {row["content_hash"]: row["source_key"] for row in sources(ws)}


def payee_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Every distinct (partner, published name, identifiers) of a named payee, with its number of payments."""
    return _rows(ws, "SELECT partner, payee, payee_key, legal_name, trading_name, account, vat_number, "
                     "company_number, charity_number, count(*) AS payments FROM supplier_payments "
                     "WHERE payee_key IS NOT NULL GROUP BY ALL ORDER BY ALL")


def spend_rows(ws: Workspace, periods: list[str] | None = None) -> list[dict[str, Any]]:
    """Net payments by partner, payee, category and public-body type, payments to the partner itself left out."""
    where, params = _periods(periods)
    return _rows(ws, "SELECT partner, payee_key, category, category_scheme, public_type, capital_revenue, "
                     f"sum(amount) AS amount FROM supplier_payments WHERE NOT own{where} GROUP BY ALL ORDER BY ALL",
                 params)


def partners(ws: Workspace, periods: list[str] | None = None) -> list[dict[str, Any]]:
    where, params = _periods(periods)
    return _rows(ws, "SELECT partner, max(partner_name) AS name, list(DISTINCT period ORDER BY period) AS periods "
                     f"FROM supplier_payments WHERE TRUE{where} GROUP BY partner ORDER BY partner", params)


def periods(ws: Workspace) -> list[str]:
    return [row["period"] for row in _rows(ws, "SELECT DISTINCT period FROM supplier_payments ORDER BY period")]


def _periods(periods: list[str] | None) -> tuple[str, list[Any]]:
    if not periods:
        return "", []
    return f" AND period IN ({', '.join('?' * len(periods))})", list(periods)


def payments_of(ws: Workspace, payee_keys: list[str], limit: int = 200) -> list[dict[str, Any]]:
    """The payments behind a supplier, with the file and row each came from."""
    if not payee_keys:
        return []
    marks = ", ".join("?" * len(payee_keys))
    return _rows(ws, "SELECT p.partner, p.period, p.amount, p.payee, p.category, s.file_name, p.source_row "
                     f"FROM supplier_payments p JOIN supplier_sources s USING (source_key) WHERE p.payee_key IN "
                     f"({marks}) ORDER BY p.partner, p.period, s.file_name, p.source_row LIMIT ?",
                 [*payee_keys, limit])


def save_run(ws: Workspace, who: str, threshold: float, summary: dict[str, Any], model: dict[str, Any],
             evidence: list[dict[str, Any]]) -> int:
    """The name model's run replaces the previous one's evidence; earlier runs stay listed."""
    def work(raw) -> int:
        run_id = raw.execute("SELECT coalesce(max(run_id), 0) + 1 FROM supplier_runs").fetchone()[0]
        raw.execute("INSERT INTO supplier_runs VALUES (?, ?, ?, ?, ?, ?)",
                    [run_id, who, now(), threshold, json.dumps(summary, default=str), json.dumps(model)])
        raw.execute("DELETE FROM supplier_evidence")
        if evidence:
            table = pa.table({
                "left_key": [e["left"] for e in evidence], "right_key": [e["right"] for e in evidence],
                "rule": [e["rule"] for e in evidence],
                "match_probability": pa.array([e["probability"] for e in evidence], pa.float64()),
                "match_weight": pa.array([e["weight"] for e in evidence], pa.float64()),
                "detail": [json.dumps(e["detail"]) for e in evidence]})
            raw.register("new_supplier_evidence", table)
            raw.execute("INSERT INTO supplier_evidence SELECT * FROM new_supplier_evidence")
            raw.unregister("new_supplier_evidence")
        return run_id
    return _transaction(ws, work)


def latest_run(ws: Workspace) -> dict[str, Any] | None:
    rows = _rows(ws, "SELECT run_id, resolved_by, resolved_at, threshold, summary FROM supplier_runs "
                     "ORDER BY run_id DESC LIMIT 1")
    if not rows:
        return None
    row = rows[0]
    row["summary"] = json.loads(row["summary"])
    return row


def model_evidence(ws: Workspace) -> list[dict[str, Any]]:
    rows = _rows(ws, "SELECT left_key, right_key, rule, match_probability, match_weight, detail "
                     "FROM supplier_evidence ORDER BY left_key, right_key")
    for row in rows:
        row["detail"] = json.loads(row["detail"]) if row["detail"] else {}
    return rows


def add_override(ws: Workspace, action: str, keys: tuple[str, str], names: tuple[str, str], reason: str | None,
                 who: str) -> int:
    def work(raw) -> int:
        override_id = raw.execute("SELECT coalesce(max(override_id), 0) + 1 FROM supplier_overrides").fetchone()[0]
        raw.execute("INSERT INTO supplier_overrides VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [override_id, action, keys[0], keys[1], names[0], names[1], reason, who, now()])
        return override_id
    return _transaction(ws, work)


def overrides(ws: Workspace) -> list[dict[str, Any]]:
    return _rows(ws, "SELECT * FROM supplier_overrides ORDER BY override_id")


def total_amount(rows: list[dict[str, Any]]) -> Decimal:
    return sum((row["amount"] for row in rows), Decimal(0))
