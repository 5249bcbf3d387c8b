"""Backing up and restoring a workspace: its database and the submitted files it keeps, with a manifest of
content hashes that a restore checks before it touches anything.

A backup is a folder: the database file (engine.backup: checkpointed, copied while nobody writes), the
stored submissions it names, and `manifest.json` listing every file with its SHA-256 and size, written last
into a folder that only gets its final name once whole (so an interrupted backup never looks complete).
A restore refuses a backup with a missing, extra or changed file, a damaged database, or a schema newer
than this placespend knows; it builds the workspace beside the target and swaps it in only once checked,
putting an existing workspace aside rather than deleting it (nothing lost). The hashes detect damage and
incomplete copies; they are not a signature against someone who rewrites the manifest too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from placespend import __version__
from placespend.app.ingest_files import file_hash
from placespend.domain.problems import PlacespendError
from placespend.engine.backup import check_database, copy_database
from placespend.engine.migrations import latest_version
from placespend.engine.workspace import Workspace

MANIFEST = "manifest.json"
FORMAT = "placespend-backup"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackupSummary:
    folder: str
    database: str
    schema_version: int
    stored_files: int
    bytes: int
    put_aside: list[str] | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def backup(ws: Workspace, dest: Path) -> BackupSummary:
    """Write a backup of the workspace into the new folder `dest`."""
    dest = dest.resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PlacespendError(f"{dest} exists and is not an empty folder: back up into a new folder.")
    building = dest.with_name(f".{dest.name}.partial")
    if building.exists():
        shutil.rmtree(building)
    folder = building / ws.submissions_dir.name
    folder.mkdir(parents=True)
    version, names = copy_database(ws, building / ws.path.name)
    for name in sorted(names):
        kept = ws.stored_file(name)
        if not kept.is_file():
            raise PlacespendError(f"The workspace has lost the stored file {name}, which its database names; "
                                  "the backup was not made.")
        shutil.copyfile(kept, folder / name)
        if not _matches_its_name(folder / name):
            raise PlacespendError(f"The stored file {name} no longer matches the hash it is named by (damaged on "
                                  "disk); the backup was not made.")
    files = {str(path.relative_to(building)): {"sha256": file_hash(path), "bytes": path.stat().st_size}
             for path in sorted(building.rglob("*")) if path.is_file()}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "placespend": __version__,
                "schema_version": version, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": ws.path.name, "submissions": ws.submissions_dir.name, "files": files}
    (building / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if dest.exists():
        dest.rmdir()
    os.replace(building, dest)
    return BackupSummary(str(dest), ws.path.name, version, len(names), sum(f["bytes"] for f in files.values()))


def restore(ws: Workspace, src: Path, replace: bool = False) -> BackupSummary:
    """Put the backup in `src` in place of the workspace, once every file of it has been checked."""
    src = src.resolve()
    manifest = verify(src)
    if (ws.exists or _has_files(ws.submissions_dir)) and not replace:
        raise PlacespendError(f"A workspace exists at {ws.path}: pass --replace to restore over it (it is kept, "
                              "renamed with '.before-restore-' and the time).")
    ws.check_not_in_use()  # refuses, in a sentence, while `placespend serve` or another command holds it
    staged_db = ws.path.with_name(f".{ws.path.name}.restoring")
    staged_folder = ws.path.with_name(f".{ws.submissions_dir.name}.restoring")
    try:
        _stage(src, manifest, staged_db, staged_folder)
        ws.check_not_in_use()
        put_aside = _put_aside(ws)
        os.replace(staged_db, ws.path)
        os.replace(staged_folder, ws.submissions_dir)
    finally:
        for leftover in (staged_db, staged_folder):
            _remove(leftover)
    with ws.read() as con:  # opens it as every command will: an older schema is brought forward here
        con.con.execute("SELECT count(*) FROM submissions").fetchone()
    stored = [name for name in manifest["files"] if name.startswith(manifest["submissions"] + "/")]
    return BackupSummary(str(src), ws.path.name, manifest["schema_version"], len(stored),
                         sum(entry["bytes"] for entry in manifest["files"].values()), put_aside)


def _stage(src: Path, manifest: dict, staged_db: Path, staged_folder: Path) -> None:
    """Copy the backup beside the workspace under temporary names, checking each copy against the manifest."""
    for leftover in (staged_db, staged_folder):
        _remove(leftover)
    staged_db.parent.mkdir(parents=True, exist_ok=True)
    staged_folder.mkdir()
    prefix = manifest["submissions"] + "/"
    for name, entry in manifest["files"].items():
        if name == manifest["database"]:
            target = staged_db
        elif name.startswith(prefix) and "/" not in name.removeprefix(prefix):
            target = staged_folder / name.removeprefix(prefix)
        else:
            raise PlacespendError(f"The backup's manifest lists {name}, which is neither its database nor a stored "
                                  "submission; nothing was restored.")
        shutil.copyfile(src / name, target)
        _check_copy(target, entry, name)


def verify(src: Path) -> dict:
    """The backup's manifest, once every file it lists is there with its size and hash, no file is there
    that it does not list, and the database reads through; otherwise one sentence saying what is wrong."""
    if not (src / MANIFEST).is_file():
        raise PlacespendError(f"{src} is not a placespend backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        files, database = manifest["files"], manifest["database"]
        if manifest["format"] != FORMAT or database not in files or not isinstance(manifest["schema_version"], int):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise PlacespendError(f"{src / MANIFEST} is not a placespend backup manifest (damaged or edited).") from None
    if manifest["schema_version"] > latest_version():
        raise PlacespendError(f"The backup has schema version {manifest['schema_version']}, from a newer placespend "
                              f"than this one (up to {latest_version()}): upgrade placespend to restore it.")
    present = {str(path.relative_to(src)) for path in src.rglob("*") if path.is_file()} - {MANIFEST}
    for name in sorted(set(files) - present):
        raise PlacespendError(f"The backup in {src} is incomplete: {name} is missing; nothing was restored.")
    for name in sorted(present - set(files)):
        raise PlacespendError(f"The backup in {src} holds {name}, which its manifest does not list (added or "
                              "renamed since the backup was made); nothing was restored.")
    for name, entry in sorted(files.items()):
        _check_copy(src / name, entry, name)
    if check_database(src / database) != manifest["schema_version"]:
        raise PlacespendError(f"{database} is not the database the manifest describes; nothing was restored.")
    return manifest


def _check_copy(path: Path, entry: dict, name: str) -> None:
    if path.stat().st_size != entry.get("bytes") or file_hash(path) != entry.get("sha256"):
        raise PlacespendError(f"{name} does not match the content hash in the backup's manifest (changed or "
                              "damaged since the backup was made); nothing was restored.")


def _matches_its_name(path: Path) -> bool:
    return file_hash(path) == path.name.split(".", 1)[0]


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _put_aside(ws: Workspace) -> list[str]:
    """Rename the existing workspace (file, write-ahead log, submissions) out of the way, never deleting it:
    a log left beside a restored file would otherwise be replayed into it."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    moved = []
    for path in (ws.path, ws.path.with_name(ws.path.name + ".wal"), ws.submissions_dir):
        if path.exists():
            aside = path.with_name(f"{path.name}.before-restore-{stamp}")
            os.replace(path, aside)
            moved.append(str(aside))
    return moved


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
