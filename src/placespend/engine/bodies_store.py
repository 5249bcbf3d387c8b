"""The bodies register's tables: merges (the audit log) and aliases (derived from the live merges).

How canonical ids reach the count: the ledger keeps every line's ids exactly as submitted; `body_aliases`
maps each id merged away to its canonical id, and `with_canonical_ids` rewrites spender, recipient and funder
through it when the ledger is read (`engine.tables.active_flows` applies it). So a merge changes every
figure at once, an undo restores them exactly, and no stored line is ever rewritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend

from placespend.engine.workspace import Workspace

ID_COLUMNS = ("spender", "recipient", "funder")


@dataclass(frozen=True)
class NewMerge:
    merged: str
    into_body: str
    kind: str          # "hand" or "rule"
    rule: str | None
    reason: str
    merged_by: str


@dataclass(frozen=True)
class Merge:
    merge_id: int
    merged: str
    into_body: str
    kind: str
    rule: str | None
    reason: str
    merged_by: str
    merged_at: dt.datetime
    undone_by: str | None
    undone_at: dt.datetime | None
    undo_reason: str | None

    @property
    def live(self) -> bool:
        return self.undone_at is None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _has_register(con: Backend) -> bool:
    return "body_merges" in con.list_tables()


def merges(ws: Workspace) -> list[Merge]:
    if not ws.exists:
        return []
    with ws.read() as con:
        if not _has_register(con):
            return []
        rows = con.con.execute("SELECT * FROM body_merges ORDER BY merge_id").fetchall()
    return [Merge(*row) for row in rows]


def resolve(edges: dict[str, str]) -> dict[str, str]:
    """Each merged id -> the end of its chain of live merges (callers keep the graph free of cycles)."""
    resolved: dict[str, str] = {}
    for start in edges:
        body, seen = start, {start}
        while body in edges and edges[body] not in seen:
            body = edges[body]
            seen.add(body)
        resolved[start] = body
    return resolved


def _refresh_aliases(raw) -> None:
    live = raw.execute("SELECT merged, into_body, merge_id FROM body_merges WHERE undone_at IS NULL").fetchall()
    edges = {merged: into for merged, into, _ in live}
    merge_of = {merged: merge_id for merged, _, merge_id in live}
    raw.execute("DELETE FROM body_aliases")
    rows = [[alias, canonical, merge_of[alias]] for alias, canonical in sorted(resolve(edges).items())]
    if rows:
        raw.executemany("INSERT INTO body_aliases VALUES (?, ?, ?)", rows)


def record_merges(ws: Workspace, new: list[NewMerge]) -> list[int]:
    """Append merges to the log and refresh the aliases, in one transaction; returns the merge ids."""
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            first = raw.execute("SELECT coalesce(max(merge_id), 0) + 1 FROM body_merges").fetchone()[0]
            ids = list(range(first, first + len(new)))
            raw.executemany("INSERT INTO body_merges VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
                            [[i, m.merged, m.into_body, m.kind, m.rule, m.reason, m.merged_by, _now()]
                             for i, m in zip(ids, new, strict=True)])
            _refresh_aliases(raw)
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
    return ids


def record_undo(ws: Workspace, merge_id: int, undone_by: str, reason: str) -> None:
    """Mark one merge undone (it stays in the log) and refresh the aliases."""
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute("UPDATE body_merges SET undone_by = ?, undone_at = ?, undo_reason = ? WHERE merge_id = ?",
                        [undone_by, _now(), reason, merge_id])
            _refresh_aliases(raw)
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise


def bodies(ws: Workspace) -> list[dict[str, object]]:
    """Every body the ledger names (as spender, recipient or funder) with its name, type and line count."""
    if not ws.exists:
        return []
    with ws.read() as con:
        if "bodies" not in con.list_tables():
            return []
        cursor = con.con.execute("""
            WITH mentions AS (
                SELECT spender AS body FROM flows UNION ALL SELECT recipient FROM flows WHERE recipient IS NOT NULL
                UNION ALL SELECT funder FROM flows WHERE funder IS NOT NULL)
            SELECT b.body, b.name, b.body_type, count(m.body) AS lines
            FROM bodies b LEFT JOIN mentions m ON m.body = b.body
            GROUP BY b.body, b.name, b.body_type ORDER BY b.body""")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def recipient_identifiers(ws: Workspace) -> list[tuple[str, str, str]]:
    """(recipient, charity number, company number) as grants files gave them (`extra` of the lines)."""
    if not ws.exists:
        return []
    with ws.read() as con:
        if "flows" not in con.list_tables():
            return []
        rows = con.con.execute("""
            SELECT DISTINCT recipient, coalesce(json_extract_string(extra, '$.x_charity_number'), ''),
                   coalesce(json_extract_string(extra, '$.x_company_number'), '')
            FROM flows WHERE recipient IS NOT NULL AND extra IS NOT NULL
              AND (json_extract_string(extra, '$.x_charity_number') IS NOT NULL
                   OR json_extract_string(extra, '$.x_company_number') IS NOT NULL)""").fetchall()
    return [tuple(row) for row in rows]


def orgid_places(ws: Workspace) -> dict[str, str]:
    """Org-id -> GSS code from imported `orgid_gss` area lookups (see ingest.grants.orgids)."""
    if not ws.exists:
        return {}
    with ws.read() as con:
        if "area_lookups" not in con.list_tables():
            return {}
        rows = con.con.execute("SELECT child, parent FROM area_lookups WHERE relation = 'orgid_gss'").fetchall()
    return {child.upper(): parent for child, parent in rows}


def with_canonical_ids(con: Backend, flows: ir.Table) -> ir.Table:
    """The same lines with spender, recipient and funder replaced by their canonical ids where merged."""
    if "body_aliases" not in con.list_tables():
        return flows
    if not con.table("body_aliases").count().to_pyarrow().as_py():  # no merges: the ids are already canonical
        return flows
    return canonical_ids(con, flows)


def canonical_ids(con: Backend, flows: ir.Table) -> ir.Table:
    """`with_canonical_ids` where some bodies are merged: each id column looked up in `body_aliases`."""
    aliases = con.table("body_aliases")
    out = flows
    for column in ID_COLUMNS:
        alias, canonical = f"_alias_{column}", f"_canonical_{column}"
        renamed = aliases.select(**{alias: aliases["alias"], canonical: aliases["canonical"]})
        out = out.left_join(renamed, out[column] == renamed[alias])
        out = out.mutate(**{column: out[canonical].fill_null(out[column])}).drop(alias, canonical)
    return out.select(*flows.columns)


def body_names(con: Backend) -> dict[str, str | None]:
    """Every body id the workspace knows, registered or an alias merged into one, with its name (None for an
    alias): what a body a user names is checked against."""
    names: dict[str, str | None] = {}
    if "body_aliases" in con.list_tables():
        names.update(dict.fromkeys(con.table("body_aliases")["alias"].to_pyarrow().to_pylist()))
    for row in con.table("bodies").select("body", "name").to_pyarrow().to_pylist():
        names[row["body"]] = row["name"]
    return names
