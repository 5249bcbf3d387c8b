"""Storing reference tables: each import recorded, replacing only the slice it brings anew."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from placespend.engine.workspace import Workspace

# The key whose existing rows a new table replaces: a newer release of the same data supersedes it.
REPLACE_KEYS: dict[str, tuple[str, ...]] = {
    "regional_spend": ("vintage",),
    "place_statistics": ("area", "period", "indicator"),
    "area_lookups": ("relation", "child", "vintage"),
    "boundaries": ("code", "level", "vintage"),
    "area_classifications": ("classification", "area"),
}
TABLE_OF_KIND = {"regional_spend": "regional_spend", "place_statistics": "place_statistics",
                 "area_lookup": "area_lookups", "boundaries": "boundaries",
                 "area_classification": "area_classifications"}


def find_import(ws: Workspace, content_hash: str) -> int | None:
    if not ws.exists:
        return None
    with ws.read() as con:
        if "imports" not in con.list_tables():
            return None
        row = con.con.execute("SELECT import_id FROM imports WHERE content_hash = ?", [content_hash]).fetchone()
    return row[0] if row else None


def list_imports(ws: Workspace) -> list[dict[str, object]]:
    """Every reference import the workspace holds, newest first."""
    if not ws.exists:
        return []
    with ws.read() as con:
        if "imports" not in con.list_tables():
            return []
        imports = con.table("imports")
        return imports.order_by(imports.import_id.desc()).to_pyarrow().to_pylist()


def save_reference(ws: Workspace, content_hash: str, file_name: str, reader: str,
                   batches: list[tuple[str, pa.Table]]) -> int:
    """Load every batch of one file in one transaction; returns the import id."""
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            import_id = raw.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
            rows = 0
            for kind, table in batches:
                target = TABLE_OF_KIND[kind]
                keyed = table.select(list(REPLACE_KEYS[target])).group_by(list(REPLACE_KEYS[target])).aggregate([])
                raw.register("incoming_keys", keyed)
                condition = " AND ".join(f"t.{k} IS NOT DISTINCT FROM k.{k}" for k in REPLACE_KEYS[target])
                raw.execute(f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM incoming_keys k WHERE {condition})")
                raw.unregister("incoming_keys")
                raw.register("incoming", table)
                names = ", ".join(table.column_names)
                raw.execute(f"INSERT INTO {target} (import_id, {names}) SELECT ?, {names} FROM incoming", [import_id])
                raw.unregister("incoming")
                rows += table.num_rows
            raw.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [import_id, content_hash, file_name, reader, ",".join(sorted({k for k, _ in batches})), rows,
                         dt.datetime.now(dt.UTC).replace(tzinfo=None)])
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
    return import_id


def multi_area_members(ws: Workspace, areas: list[str], relations: tuple[str, ...]) -> list[dict[str, object]]:
    """(parent, relation, child, period, population) of the lookups' districts of the given parent areas, with
    every population vintage each district has; the rows `ingest.multi_area` places lines by."""
    if not ws.exists or not areas:
        return []
    with ws.read() as con:
        if not {"area_lookups", "place_statistics"} <= set(con.list_tables()):
            return []
        cursor = con.con.execute(f"""
            SELECT DISTINCT l.parent, l.relation, l.child, s.period, s.value AS population
            FROM area_lookups l
            LEFT JOIN place_statistics s ON s.area = l.child AND s.indicator = 'population'
            WHERE l.relation IN ({', '.join('?' for _ in relations)}) AND l.parent IN ({', '.join('?' for _ in areas)})
            ORDER BY l.parent, l.child, s.period""", [*relations, *areas])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def place_and_area_codes(ws: Workspace) -> set[str]:
    """Places and their member areas: codes a line may carry and be counted where it says."""
    if not ws.exists:
        return set()
    with ws.read() as con:
        if "places" not in con.list_tables():
            return set()
        rows = con.con.execute("SELECT place FROM places UNION SELECT area FROM place_areas").fetchall()
    return {row[0] for row in rows}
