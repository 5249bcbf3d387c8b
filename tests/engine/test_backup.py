"""`placespend backup` and `restore`: the database and every stored submission, checked by content hash;
a damaged, incomplete or edited backup is refused and changes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from workspace_support import database_state, stored_files, workspace_at

from placespend.app import accounts
from placespend.app import backup as backups
from placespend.app.workspace import open_workspace
from placespend.engine.migrations import latest_version

from conftest import Cli, line, snapshot, write_assets_template, write_csv


@pytest.fixture
def filled(tmp_path) -> Path:
    """A workspace with two returns (CSV and the Excel template's assets), an import and an account."""
    db = tmp_path / "live" / "ws.duckdb"
    cli = Cli(db)
    cli("ingest", write_csv(tmp_path / "lbl.csv", [line(amount="1000.00"), line(amount="7.25", cofog="07")]))
    cli("ingest", write_csv(tmp_path / "pct.csv", [line(spender="pct", spender_type="nhs", cofog="07.3",
                                                        amount="400.00")]))
    cli("import", write_csv(tmp_path / "stats.csv", [{"area": "E09000023", "period": "2008", "indicator":
                                                      "population", "value": "260000"}]))
    cli("assets", "import", write_assets_template(tmp_path / "assets.xlsx", [
        {"asset_code": "L1", "property_name": "Library", "crs": "WGS84", "geo_x": -0.0209, "geo_y": 51.4452}]),
        "--owner", "lbl", "--place", "E09000023")
    accounts.add_user(open_workspace(db), "analyst", "correct horse battery staple", "analyst")
    return db


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_restored_backup_is_the_workspace_it_was_made_from(filled, tmp_path):
    before, files = database_state(filled), stored_files(filled)
    count = Cli(filled).json("count", "--place", "E09000023", "--year", "2008-09")
    made = Cli(filled).json("backup", tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert made["stored_files"] == len(files) == 3
    on_disk = {str(p.relative_to(tmp_path / "backup")) for p in (tmp_path / "backup").rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {"manifest.json"}
    for name, entry in manifest["files"].items():
        assert entry == {"sha256": _sha256(tmp_path / "backup" / name),
                         "bytes": (tmp_path / "backup" / name).stat().st_size}
    restored = tmp_path / "elsewhere" / "restored.duckdb"
    Cli(restored)("restore", tmp_path / "backup")
    assert database_state(restored) == before
    assert stored_files(restored) == files
    assert Cli(restored).json("count", "--place", "E09000023", "--year", "2008-09") == count
    assert accounts.authenticate(open_workspace(restored), "analyst", "correct horse battery staple") is not None


def test_a_backup_taken_from_a_running_server_holds_its_latest_write(filled, tmp_path):
    """The server keeps its last writes in DuckDB's write-ahead log: the backup checkpoints before copying."""
    ws = open_workspace(filled)
    ws.share()
    try:
        accounts.add_user(ws, "latecomer", "correct horse battery staple", "viewer")
        assert filled.with_name(filled.name + ".wal").exists()
        backups.backup(ws, tmp_path / "backup")
        # The server still holds the file: copying it must not have released DuckDB's lock (POSIX locks
        # belong to the process, and closing any descriptor of the file in it drops them).
        other = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1])", str(filled)],
                               capture_output=True, text=True)
        assert other.returncode != 0 and "Conflicting lock" in other.stderr
    finally:
        ws.close()
    restored = tmp_path / "restored" / "ws.duckdb"
    Cli(restored)("restore", tmp_path / "backup")
    assert accounts.authenticate(open_workspace(restored), "latecomer", "correct horse battery staple") is not None


def _damage_a_stored_file(folder: Path) -> None:
    stored = next((folder / "ws.submissions").iterdir())
    data = bytearray(stored.read_bytes())
    data[-3] ^= 1
    stored.write_bytes(bytes(data))


def _remove_a_stored_file(folder: Path) -> None:
    next((folder / "ws.submissions").iterdir()).unlink()


def _add_a_file(folder: Path) -> None:
    (folder / "ws.submissions" / ("0" * 64 + ".csv")).write_text("period,place\n")


def _edit_the_manifest(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = next(iter(manifest["files"].values()))
    entry["bytes"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _damage_the_database_and_rehash(folder: Path) -> None:
    """Bytes changed inside the database, the manifest rewritten to match: DuckDB's block checksums catch it."""
    db = folder / "ws.duckdb"
    data = bytearray(db.read_bytes())
    for offset in range(3 * 4096 + 100, len(data), 4096):  # past DuckDB's file headers, into every block
        data[offset] ^= 0xFF
    db.write_bytes(bytes(data))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["ws.duckdb"] = {"sha256": _sha256(db), "bytes": db.stat().st_size}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _no_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def _manifest_not_json(folder: Path) -> None:
    (folder / "manifest.json").write_text("{ not json")


def _newer_schema(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = latest_version() + 1
    (folder / "manifest.json").write_text(json.dumps(manifest))


TAMPERED = {
    "a stored file changed": (_damage_a_stored_file, "does not match the content hash"),
    "a stored file missing": (_remove_a_stored_file, "is incomplete"),
    "a file added": (_add_a_file, "which its manifest does not list"),
    "the manifest edited": (_edit_the_manifest, "does not match the content hash"),
    "the database damaged, manifest rehashed": (_damage_the_database_and_rehash, "damaged"),
    "no manifest": (_no_manifest, "is not a placespend backup"),
    "manifest not JSON": (_manifest_not_json, "not a placespend backup manifest"),
    "from a newer placespend": (_newer_schema, "upgrade placespend"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_or_incomplete_backup_is_refused_and_nothing_changes(filled, tmp_path, case):
    tamper, said = TAMPERED[case]
    Cli(filled)("backup", tmp_path / "backup")
    tamper(tmp_path / "backup")
    target = tmp_path / "target" / "ws.duckdb"
    Cli(target)("ingest", write_csv(tmp_path / "other.csv", [line(amount="1.00")]))
    before = snapshot(target.parent)
    result = Cli(target)("restore", tmp_path / "backup", "--replace", expect=2)
    message = " ".join(result.output.split())
    assert said in message and "Traceback" not in message, message
    assert snapshot(target.parent) == before


def test_restore_over_a_workspace_needs_replace_and_keeps_the_old_one(filled, tmp_path):
    Cli(filled)("backup", tmp_path / "backup")
    target = tmp_path / "target" / "ws.duckdb"
    Cli(target)("ingest", write_csv(tmp_path / "other.csv", [line(amount="1.00")]))
    old_state, old_files = database_state(target), stored_files(target)
    refused = Cli(target)("restore", tmp_path / "backup", expect=2)
    assert "pass --replace" in " ".join(refused.output.split())
    done = Cli(target).json("restore", tmp_path / "backup", "--replace")
    assert database_state(target) == database_state(filled)
    [kept_db] = [Path(p) for p in done["put_aside"] if Path(p).name.startswith("ws.duckdb.before-restore-")]
    assert database_state(kept_db) == old_state
    [kept_folder] = [Path(p) for p in done["put_aside"] if Path(p).name.startswith("ws.submissions.before-restore-")]
    assert snapshot(kept_folder) == old_files


def test_a_backup_made_by_the_previous_schema_is_brought_forward_when_restored(tmp_path):
    """A backup as the previous placespend wrote it (its database at the previous schema version)."""
    old = workspace_at(tmp_path / "old" / "ws.duckdb", latest_version() - 1)
    folder = tmp_path / "backup"
    folder.mkdir()
    shutil.copyfile(old, folder / "ws.duckdb")
    (folder / "ws.submissions").mkdir()
    manifest = {"format": "placespend-backup", "format_version": 1, "placespend": "0.1.0",
                "schema_version": latest_version() - 1, "created_at": "2026-11-01T00:00:00+00:00",
                "database": "ws.duckdb", "submissions": "ws.submissions",
                "files": {"ws.duckdb": {"sha256": _sha256(old), "bytes": old.stat().st_size}}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    restored = tmp_path / "new" / "ws.duckdb"
    Cli(restored)("restore", folder)
    assert Cli(restored).json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 1234.5
    raw = duckdb.connect(str(restored), read_only=True)
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone()[0] == latest_version()
    raw.close()


def test_backup_into_a_folder_that_holds_files_is_refused(filled, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = Cli(filled)("backup", tmp_path / "busy", expect=2)
    assert "not an empty folder" in " ".join(result.output.split())
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["notes.txt"]
