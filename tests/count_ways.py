"""The count of one place by each way the code computes it, for the tests of figures worked by hand.

Why: on DuckDB `placespend count` runs the count's questions as SQL compiled ahead of time (app.quick_count), so
a figure read from the CLI checks that SQL and the folding (count.result), not the Ibis expressions the SQL was
compiled from (count.consolidate, count.overlaps, count.reconcile), which the web app, `compare` and Spark run.
Each hand-worked figure is therefore checked on both: the CLI's JSON, and the count through Ibis
(app.figures.count) printed the same way. On Spark the CLI takes Ibis already.
"""

from __future__ import annotations

import json
from typing import Any

from placespend.app import figures
from placespend.app.workspace import open_workspace
from placespend.report.count_output import count_dict
from placespend.report.money import to_json

from conftest import Cli


def count_ways(cli: Cli, place: str, year: str, engine: str = "duckdb") -> list[tuple[str, dict[str, Any]]]:
    """(way, the count as `placespend count --format json` prints it) for each way the engine may take."""
    printed = cli.json("count", "--place", place, "--year", year, "--engine", engine)
    if engine != "duckdb":
        return [(f"{engine}: CLI through Ibis", printed)]
    counted = figures.count(open_workspace(cli.db), place, year)
    through_ibis = {**count_dict(counted.result, counted.reconciliation), "notes": list(counted.asked.notes)}
    return [("duckdb: CLI (compiled SQL where it applies)", printed),
            ("duckdb: through Ibis", json.loads(to_json(through_ibis)))]
