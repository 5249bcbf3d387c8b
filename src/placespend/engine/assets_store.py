"""Storing partners' asset registers: each import a version, the file kept unchanged, the newest one current.

A register is replaced whole: a newer import from the same owner supersedes the older version in the same
transaction that loads it, so a reader sees either the old estate or the new one, never a mixture, and the
older versions stay to be read back (`registers`, `register_assets`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pyarrow as pa

from placespend.domain.assets import Asset
from placespend.engine.workspace import Workspace

STORED = ("asset_code", "uprn", "name", "street_number", "street_name", "post_town", "postcode", "crs", "geo_x",
          "geo_y", "lon", "lat", "located", "tenure_type", "tenure_detail", "other_detail", "holding_type",
          "building_size", "land_area", "running_cost", "utilisation", "services", "lease_end")
SCHEMA = pa.schema([("register_id", pa.int32()), ("source_row", pa.int32()),
                    *[(name, pa.float64() if name in ("lon", "lat") else pa.decimal128(18, 6)
                       if name in ("building_size", "land_area", "running_cost", "utilisation")
                       else pa.list_(pa.string()) if name == "services" else pa.date32() if name == "lease_end"
                       else pa.string()) for name in STORED], ("extra", pa.string())])
# A register's owner as the bodies register resolves it (a merged id reads as its canonical one).
OWNER = "coalesce((SELECT canonical FROM body_aliases WHERE alias = r.owner), r.owner)"


@dataclass(frozen=True)
class NewRegister:
    owner: str
    place: str | None
    content_hash: str
    file_name: str
    source: Path
    sheet: str | None
    loaded_by: str | None
    warning_count: int


def _has_tables(ws: Workspace) -> bool:
    if not ws.exists and not ws.is_shared:
        return False
    with ws.read() as con:
        return "asset_registers" in con.list_tables()


def current_with_hash(ws: Workspace, owner: str, content_hash: str) -> int | None:
    """The owner's current register when it came from exactly this file (a re-import changes nothing)."""
    if not _has_tables(ws):
        return None
    with ws.read() as con:
        row = con.con.execute("SELECT register_id FROM asset_registers WHERE owner = ? AND content_hash = ? "
                              "AND superseded_by IS NULL", [owner, content_hash]).fetchone()
    return row[0] if row else None


def save_register(ws: Workspace, new: NewRegister, assets: list[Asset]) -> int:
    """Store the file unchanged, load its assets and supersede the owner's previous version, all at once."""
    stored_name = new.content_hash + new.source.suffix.lower()
    with ws.write() as con, ws.keeping(new.source, stored_name):
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            register_id = raw.execute("SELECT coalesce(max(register_id), 0) + 1 FROM asset_registers").fetchone()[0]
            raw.execute("UPDATE asset_registers SET superseded_by = ? WHERE owner = ? AND superseded_by IS NULL",
                        [register_id, new.owner])
            raw.execute("INSERT INTO asset_registers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                        [register_id, new.owner, new.place, new.content_hash, new.file_name, stored_name, new.sheet,
                         dt.datetime.now(dt.UTC).replace(tzinfo=None), new.loaded_by, len(assets),
                         new.warning_count])
            raw.register("new_assets", _table(register_id, assets))
            raw.execute("INSERT INTO assets SELECT * REPLACE (extra::JSON AS extra) FROM new_assets")
            raw.unregister("new_assets")
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
    return register_id


def _table(register_id: int, assets: list[Asset]) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for asset in assets:
        columns["register_id"].append(register_id)
        columns["source_row"].append(asset.row)
        for name in STORED:
            value = getattr(asset, name)
            columns[name].append(list(value) if name == "services" else value if value != "" else None)
        columns["extra"].append(json.dumps(asset.extra, ensure_ascii=False) if asset.extra else None)
    return pa.table(columns, schema=SCHEMA)


def registers(ws: Workspace, owner: str | None = None) -> list[dict[str, Any]]:
    """Every version, newest first: which is current and which newer version superseded each."""
    if not _has_tables(ws):
        return []
    where, params = ("WHERE r.owner = ?", [owner]) if owner else ("", [])
    with ws.read() as con:
        cursor = con.con.execute(f"""
            SELECT r.register_id, {OWNER} AS owner, r.place, r.file_name, r.content_hash, r.sheet, r.loaded_at,
                   r.loaded_by, r.asset_count, r.warning_count, r.superseded_by, r.superseded_by IS NULL AS current
            FROM asset_registers r {where} ORDER BY r.register_id DESC""", params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def current_assets(ws: Workspace) -> list[Asset]:
    """The assets of every owner's current register, in owner then file order."""
    return _assets(ws, "r.superseded_by IS NULL", [])


def register_assets(ws: Workspace, register_id: int) -> list[Asset]:
    """The assets of one version, current or not."""
    return _assets(ws, "r.register_id = ?", [register_id])


def _assets(ws: Workspace, where: str, params: list[Any]) -> list[Asset]:
    if not _has_tables(ws):
        return []
    with ws.read() as con:
        aliases = "body_aliases" in con.list_tables()
        owner = OWNER if aliases else "r.owner"
        cursor = con.con.execute(f"""
            SELECT {owner} AS owner, a.source_row AS row, a.* EXCLUDE (register_id, source_row)
            FROM assets a JOIN asset_registers r USING (register_id) WHERE {where}
            ORDER BY owner, a.source_row""", params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    known = {f.name for f in fields(Asset)}
    return [Asset(**{k: _value(k, v) for k, v in row.items() if k in known}) for row in rows]


def _value(name: str, value: Any) -> Any:
    if name == "services":
        return tuple(value or ())
    if name == "extra":
        return json.loads(value) if value else {}
    if value is None and name not in ("lon", "lat", "building_size", "land_area", "running_cost", "utilisation",
                                      "lease_end"):
        return ""
    return value


def boundary_shapes(ws: Workspace, codes: list[str]) -> list[dict[str, Any]]:
    """The imported boundaries of these areas (the latest vintage of each), for a place's own outline."""
    return _boundaries(ws, "b.code IN (SELECT unnest(?))", [codes]) if codes else []


def area_shapes(ws: Workspace, districts: list[str], level: str) -> list[dict[str, Any]]:
    """The imported boundaries of one level (lsoa, ward) whose areas the lookups put in these districts."""
    if not districts:
        return []
    with ws.read() as con:
        if "area_lookups" not in con.list_tables():
            return []
    return _boundaries(ws, "b.level = ? AND b.code IN (SELECT child FROM area_lookups WHERE relation = ? "
                       "AND parent IN (SELECT unnest(?)))", [level, f"{level}_lad", districts])


def _boundaries(ws: Workspace, where: str, params: list[Any]) -> list[dict[str, Any]]:
    if not ws.exists and not ws.is_shared:
        return []
    with ws.read() as con:
        if "boundaries" not in con.list_tables():
            return []
        cursor = con.con.execute(f"""
            SELECT b.code, arg_max(b.name, b.vintage) AS name, arg_max(b.level, b.vintage) AS level,
                   max(b.vintage) AS vintage, arg_max(b.geometry, b.vintage) AS geometry
            FROM boundaries b WHERE {where} GROUP BY b.code ORDER BY b.code""", params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
