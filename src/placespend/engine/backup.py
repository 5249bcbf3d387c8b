"""The database half of a backup: a copy of the workspace file that is whole and consistent by itself.

Why a checkpointed file copy and not an export: a DuckDB file copied while its write-ahead log still holds
committed work is missing that work (the log is replayed only beside its own file), and a file copied while
another thread writes can be torn. So the copy is taken holding the workspace's write lock (no writer, and
no reader mid-way through a write, in this process; DuckDB's file lock keeps other processes out), right
after a checkpoint has folded the log into the file. An export would also be consistent, but takes minutes
at national scale where a file copy takes seconds, and restores to a file that is not byte-identical.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from placespend.domain.problems import PlacespendError
from placespend.engine.migrations import schema_version_of
from placespend.engine.workspace import Workspace, stored_names


def copy_database(ws: Workspace, target: Path) -> tuple[int, set[str]]:
    """Copy the workspace's database file to `target`; returns its schema version and the stored files it
    names (those, and only those, belong in the backup: a file kept later belongs to a later state)."""
    if not ws.exists and not ws.is_shared:
        raise PlacespendError(f"No workspace at {ws.path}; there is nothing to back up.")
    with ws.write(changes_results=False) as con:
        con.con.execute("CHECKPOINT")
        _copy(ws.path, target)
        return schema_version_of(con), stored_names(con.con)


def check_database(path: Path) -> int:
    """Open a database file on its own and read every table through, so that DuckDB verifies the checksum of
    each block; returns its schema version. A damaged file is refused in a sentence."""
    try:
        raw = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise PlacespendError(f"{path.name} is damaged or not a DuckDB database: DuckDB cannot open it "
                              f"({_first_line(exc)}).") from None
    try:
        tables = raw.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
        for (table,) in tables:
            raw.execute(f'SELECT count(*) FROM (SELECT * FROM "{table}")').fetchall()
        found = {table for (table,) in tables}
        if "schema_version" not in found:
            raise PlacespendError(f"{path.name} is a DuckDB file but not a placespend workspace (no schema version).")
        return raw.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    except duckdb.Error as exc:
        raise PlacespendError(f"{path.name} is damaged: DuckDB cannot read it through ({_first_line(exc)}).") from None
    finally:
        raw.close()


# Run in a child process: POSIX record locks belong to the process, so opening and closing the database file
# here, while DuckDB holds it open, would release DuckDB's lock on it and let another process in.
_COPY = """import os, shutil, sys
with open(sys.argv[1], "rb") as read, open(sys.argv[2], "wb") as written:
    shutil.copyfileobj(read, written, 1 << 20)
    written.flush()
    os.fsync(written.fileno())
"""


def _copy(source: Path, target: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _COPY, str(source), str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        raise PlacespendError(f"Could not copy {source.name} to {target}: {done.stderr.strip().splitlines()[-1:]}")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
