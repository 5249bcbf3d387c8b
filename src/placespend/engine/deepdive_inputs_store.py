"""Deep-dive inputs and their versions, as rows: each upload, edit or change of parameters is a new version.

What a version may hold (a file that reads without an error) is checked in `placespend.app.deepdives` before it
reaches this store; here a version is written whole, in one transaction, or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from placespend.engine import store_rows
from placespend.engine.store_rows import now
from placespend.engine.workspace import Workspace

INPUT_COLUMNS = "i.input_id, i.kind, i.name, i.place, i.organisation, i.created_by, i.created_at"
VERSION_COLUMNS = ("v.version, v.file_name, v.content_hash, v.params, v.rows_read, v.action, v.detail, v.made_by, "
                   "v.made_at")


@dataclass(frozen=True)
class NewVersion:
    kind: str
    name: str
    place: str | None
    organisation: str | None
    file_name: str
    content: bytes
    content_hash: str
    params: dict[str, Any]
    rows_read: int
    action: str
    detail: str | None
    made_by: str


def _rows(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    found = store_rows.rows(ws, "deepdive_inputs", sql, params)
    for row in found:
        if isinstance(row.get("params"), str):
            row["params"] = json.loads(row["params"])
        if isinstance(row.get("content"), bytearray | memoryview):
            row["content"] = bytes(row["content"])
    return found


def inputs(ws: Workspace) -> list[dict[str, Any]]:
    """Every input with its latest version's details, by kind, place and name."""
    return _rows(ws, f"""
        SELECT {INPUT_COLUMNS}, {VERSION_COLUMNS}
        FROM deepdive_inputs i JOIN deepdive_input_versions v USING (input_id)
        WHERE v.version = (SELECT max(version) FROM deepdive_input_versions WHERE input_id = i.input_id)
        ORDER BY i.kind, i.place NULLS FIRST, lower(i.name)""")


def find(ws: Workspace, kind: str, name: str, place: str | None) -> dict[str, Any] | None:
    """The input a new upload of this kind, name and place adds a version to (names compare case-blind)."""
    found = _rows(ws, f"SELECT {INPUT_COLUMNS} FROM deepdive_inputs i WHERE kind = ? AND lower(name) = lower(?) "
                  "AND place IS NOT DISTINCT FROM ?", [kind, name, place])
    return found[0] if found else None


def get(ws: Workspace, input_id: int) -> dict[str, Any] | None:
    found = _rows(ws, f"SELECT {INPUT_COLUMNS} FROM deepdive_inputs i WHERE input_id = ?", [input_id])
    return found[0] if found else None


def versions(ws: Workspace, input_id: int) -> list[dict[str, Any]]:
    """Every version of one input, newest first: the input's audit trail."""
    return _rows(ws, f"SELECT {VERSION_COLUMNS} FROM deepdive_input_versions v WHERE input_id = ? "
                 "ORDER BY version DESC", [input_id])


def version(ws: Workspace, input_id: int, number: int | None = None) -> dict[str, Any] | None:
    """One version with its content (the latest when `number` is None)."""
    where, params = ("version = ?", [input_id, number]) if number is not None else (
        "version = (SELECT max(version) FROM deepdive_input_versions WHERE input_id = ?)", [input_id, input_id])
    found = _rows(ws, f"SELECT {VERSION_COLUMNS}, v.content FROM deepdive_input_versions v "
                  f"WHERE input_id = ? AND {where}", params)
    return found[0] if found else None


def save(ws: Workspace, new: NewVersion, input_id: int | None = None) -> tuple[int, int]:
    """Add a version to `input_id`, or create the input with its first version; returns (input id, version)."""

    def work(raw) -> tuple[int, int]:
        nonlocal input_id
        if input_id is None:
            input_id = raw.execute("SELECT coalesce(max(input_id), 0) + 1 FROM deepdive_inputs").fetchone()[0]
            raw.execute("INSERT INTO deepdive_inputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [input_id, new.kind, new.name, new.place, new.organisation, new.made_by, now()])
        number = raw.execute("SELECT coalesce(max(version), 0) + 1 FROM deepdive_input_versions WHERE input_id = ?",
                             [input_id]).fetchone()[0]
        raw.execute("INSERT INTO deepdive_input_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [input_id, number, new.file_name, new.content_hash, new.content, json.dumps(new.params),
                     new.rows_read, new.action, new.detail, new.made_by, now()])
        return input_id, number

    return store_rows.in_transaction(ws, work)
