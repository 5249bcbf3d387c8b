"""The one door to the workspace (DESIGN.md §2): the app layer opens it, with the tables its stores derive
from the ledger, and reads it on the engine a user chose.

Why here: the workspace runs the refresh of derived tables (`place_lines`) as each write closes, but the engine
must not decide which stores derive what from inside `Workspace` (that made a circle of imports: workspace ->
place_lines_store -> tables -> bodies_store -> workspace). The app, above both, hands the stores to it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from placespend.app.selection import Selection, check
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.engine import place_lines_store
from placespend.engine.ledger import ledger_of
from placespend.engine.spark import export_folder, export_parquet, spark_read
from placespend.engine.workspace import Workspace, WorkspaceBusy

__all__ = ["ENGINES", "Workspace", "WorkspaceBusy", "checked_read", "export_ledger", "no_notes", "open_workspace",
           "read_on"]

ENGINES = ("duckdb", "spark")


def open_workspace(path: str | os.PathLike[str] | None = None) -> Workspace:
    """The workspace at `path` (default: $PLACESPEND_DB or ./placespend.duckdb) with its derived tables."""
    return Workspace(path, derived=(place_lines_store,))


@contextmanager
def read_on(ws: Workspace, engine: str = "duckdb") -> Iterator[Any]:
    """A read connection on the chosen engine: DuckDB, or Spark over the ledger as Parquet (engine.spark).

    Both are Ibis backends, so the method layers run unchanged on either.
    """
    if engine == "duckdb":
        with ws.read() as con:
            yield con
        return
    if engine != "spark":
        raise PlacespendError(f"Unknown engine '{engine}': use duckdb or spark.")
    with spark_read(ws) as con:
        yield con


def export_ledger(ws: Workspace, folder: Path | None = None) -> tuple[Path, dict[str, int]]:
    """The ledger as Parquet, one folder per table, for Spark: into `folder`, or beside the workspace (where
    `--engine spark` looks); the folder written and the rows of each table."""
    target = folder or export_folder(ws)
    return target, export_parquet(ws, target)


def no_notes(notes: tuple[str, ...]) -> None:
    """Where notes go when the caller shows none."""


@contextmanager
def checked_read(ws: Workspace, engine: str = "duckdb", notes: Callable[[tuple[str, ...]], None] = no_notes,
                 **given: Any) -> Iterator[tuple[Selection, Ledger]]:
    """The workspace read on `engine`, what the user asked for checked (`selection.check`: unknown codes are
    refused before any figure is computed), its notes handed to `notes` at once, then the checked selection and
    the ledger for the method layers: the first steps of every use case that computes figures."""
    with read_on(ws, engine) as con:
        asked = check(con, **given)
        notes(asked.notes)
        yield asked, ledger_of(con)
