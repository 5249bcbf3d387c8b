"""A workspace is one DuckDB file plus a folder of submitted files stored unchanged under their hash."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis
from ibis.backends.duckdb import Backend

from placespend.domain.problems import PlacespendError
from placespend.engine.migrations import migrate

DEFAULT_DB = "placespend.duckdb"


class Workspace:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path or os.environ.get("PLACESPEND_DB") or DEFAULT_DB).resolve()
        self.submissions_dir = self.path.with_name(self.path.stem + ".submissions")

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def read(self) -> Iterator[Backend]:
        """A read-only connection: validation and queries must never change the file's bytes."""
        if not self.exists:
            raise PlacespendError(f"No workspace at {self.path}; ingest or import something first, or pass --db.")
        con = ibis.duckdb.connect(str(self.path), read_only=True)
        try:
            yield con
        finally:
            con.disconnect()

    @contextmanager
    def write(self) -> Iterator[Backend]:
        """A read-write connection with the schema brought up to date."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = ibis.duckdb.connect(str(self.path))
        try:
            migrate(con)
            yield con
        finally:
            con.disconnect()

    def stored_file(self, name: str) -> Path:
        return self.submissions_dir / name
