"""The count of one place from its questions compiled to SQL ahead of time, for the CLI's quick count.

Why: a whole `placespend count` process spent 1.5 s, of which importing Ibis, its DuckDB backend and pandas
took 1.2 s and compiling the questions to SQL 0.3-0.5 s, against 0.03 s of running them. The SQL here is what
Ibis compiles from `count.consolidate.count_queries` and `count.reconcile.reconciliation_of` on a workspace of
the latest schema, with the place and period as parameters (`app.count_compiler` writes it, and a test fails
as soon as it differs from what Ibis compiles today, so it cannot drift from the count). Its rows are folded by
the same `count.result.fold_count` as the count through Ibis, so both give the same figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from placespend.count.result import CountResult, Rows, fold_count

SQL_FILE = "one_place_count.json"
# Which SQL to run: the ledger's ids as stored, or with merged bodies' ids rewritten (bodies_store).
STORED_IDS, CANONICAL_IDS = "stored_ids", "canonical_ids"
Run = Callable[[str, dict[str, Any]], Rows]


@dataclass(frozen=True)
class CompiledCount:
    """The count's questions as SQL for a workspace at `schema_version`: variant -> question name -> SQL."""

    schema_version: int
    variants: dict[str, dict[str, str]]

    def as_json(self) -> str:
        return json.dumps({"schema_version": self.schema_version, "variants": self.variants}, indent=1,
                          sort_keys=True) + "\n"


def load() -> CompiledCount:
    stored = json.loads((resources.files("placespend.count") / "data" / SQL_FILE).read_text(encoding="utf-8"))
    return CompiledCount(stored["schema_version"], stored["variants"])


def count_compiled(questions: dict[str, str], run: Run, place: str, period: str) -> tuple[CountResult, Rows]:
    """The count and the transfer reconciliation of a place and period, from the compiled questions."""
    params = {"place": place, "period": period}

    def answer(name: str) -> Rows:
        return run(questions[name], params)

    return fold_count(place, period, answer), answer("reconciliation")
