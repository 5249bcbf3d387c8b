"""Imports of reference and open data started from the browser (`/imports`).

A national statistics table or a year of a council's spend takes seconds to minutes to read, too long to hold
a request open and too long to leave a finance officer looking at a page that does not move. Each upload is
kept whole on disk, read in the background by the same `ingest_files.import_reference` that `placespend import`
runs (so the figures, the refusals and "nothing half-loaded" are the CLI's), and its progress is how far the
reader has got through the file: the position of the process's open handle on it, which every reader moves
as it streams rows. A job lives as long as the server; what it loaded stays in the workspace.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from placespend.app import accounts, ingest_files
from placespend.app.accounts import User
from placespend.app.workflow import NotFound
from placespend.domain.problems import WorkspaceClosed
from placespend.engine import reference_store
from placespend.engine.workspace import Workspace

STAFF = ("admin", "analyst")  # reference data changes every place's figures: the count team's to load


@dataclass
class ImportJob:
    job_id: str
    username: str
    file_name: str
    kind: str | None
    path: Path
    size: int
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    stage: str = "waiting"          # waiting, reading, done, failed
    result: ingest_files.ImportResult | None = None
    failure: str | None = None

    def fraction(self) -> float | None:
        """Share of the file read so far (None while unknown: not started, or not on a system with /proc)."""
        if self.stage in ("done", "failed"):
            return 1.0
        if self.stage != "reading" or not self.size:
            return None
        position = _read_position(self.path)
        return None if position is None else min(position / self.size, 1.0)

    def to_dict(self) -> dict[str, Any]:
        elapsed = (self.finished or time.monotonic()) - self.started
        return {"job_id": self.job_id, "file": self.file_name, "kind": self.kind, "bytes": self.size,
                "stage": self.stage, "fraction": self.fraction(), "seconds": round(elapsed, 1),
                "failure": self.failure, "result": self.result.to_dict() if self.result else None}


_jobs: dict[str, ImportJob] = {}
_lock = threading.Lock()


def start(ws: Workspace, user: User, file_name: str, upload: BinaryIO, kind: str | None = None) -> ImportJob:
    """Keep the upload under its own name (readers recognise some files by it) and read it in the background."""
    job_id = secrets.token_urlsafe(9)
    folder = ws.path.with_name(ws.path.stem + ".incoming") / job_id
    folder.mkdir(parents=True)
    path = folder / (Path(file_name).name or "upload")
    with path.open("wb") as out:
        shutil.copyfileobj(upload, out, 1 << 20)
    job = ImportJob(job_id, user.username, path.name, kind or None, path, path.stat().st_size)
    with _lock:
        _jobs[job_id] = job
    threading.Thread(target=_run, args=(ws, user, job), name=f"import-{job_id}", daemon=True).start()
    return job


def _run(ws: Workspace, user: User, job: ImportJob) -> None:
    job.stage = "reading"
    try:
        try:
            result = ingest_files.import_reference(ws, job.path, job.kind)
        finally:  # the upload is gone before anyone is told the job ended (a poller checks it is not kept)
            shutil.rmtree(job.path.parent, ignore_errors=True)
        accounts.audit(ws, user, "import", job.file_name, result.outcome)
        job.result, job.stage = result, "done"
    except WorkspaceClosed:  # the server stopped while it read: nothing was loaded, and nothing can be audited
        job.stage, job.failure = "failed", "The server stopped before the import finished; nothing was loaded."
    except Exception as exc:  # a reader's bug must not leave the job "reading" for ever; the page says so
        accounts.audit(ws, user, "import.failed", job.file_name, f"{type(exc).__name__}: {exc}")
        job.stage, job.failure = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        job.finished = time.monotonic()


def job(job_id: str) -> ImportJob:
    """One job, for the count team (reference data is theirs alike: any of them may follow another's import)."""
    found = _jobs.get(job_id)
    if found is None:
        raise NotFound(f"No import {job_id} is running or has finished since the server started.")
    return found


def jobs() -> list[ImportJob]:
    """The imports started since the server started, newest first."""
    with _lock:
        return sorted(_jobs.values(), key=lambda j: j.started, reverse=True)


def history(ws: Workspace) -> list[dict[str, Any]]:
    """Every reference import the workspace holds, newest first."""
    return reference_store.list_imports(ws)


def _read_position(path: Path) -> int | None:
    """The furthest position of this process's open handles on `path` (Linux /proc), or None."""
    target, furthest = str(path), None
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return None
    for fd in descriptors:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != target:
                continue
            with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as info:
                position = int(info.readline().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        furthest = position if furthest is None else max(furthest, position)
    return furthest
