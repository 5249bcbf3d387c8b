"""How `placespend count` prints a count, shared by the command and by the program's quick count.

Why a module of its own: the quick count (cli.program) prints before Typer is loaded, so the printing cannot
live with the command, whose module imports Typer; one function keeps the two outputs the same.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console

from placespend.app.quick_count import CountResult
from placespend.report.count_output import count_csv, count_dict, count_tables
from placespend.report.money import to_json

console = Console()  # stdout as it is when printing (Rich looks sys.stdout up at each print)


def show_count(result: CountResult, reconciliation: list[dict[str, Any]], fmt: str,
               notes: tuple[str, ...] | list[str] = ()) -> None:
    """The count on stdout as `fmt` (table, json or csv); `notes` go into the JSON (stderr has them too)."""
    if fmt == "json":
        sys.stdout.write(to_json({**count_dict(result, reconciliation), "notes": list(notes)}) + "\n")
    elif fmt == "csv":
        sys.stdout.write(count_csv(result))
    else:
        console.print(count_tables(result, reconciliation))
    sys.stdout.flush()
