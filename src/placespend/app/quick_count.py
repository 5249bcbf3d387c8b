"""The CLI's quick count of one place: the same figures as `figures.count`, read with DuckDB alone.

Why: as a whole process, `placespend count` took 1.5 s, 1.2 s of it importing Ibis, its DuckDB backend and
pandas, for 0.03 s of queries. When the workspace is up to date (engine.plain_read) and the place and year are
ones `selection.check` accepts without a note (a known place with lines that year), the count's questions run
as SQL compiled ahead of time from the count's own expressions (count.compiled_count) and are folded by the
count's own code. In every other case this answers None and the caller takes `figures.count`, which gives the
check's error or note, reaches a running server, migrates an older workspace, or counts from `flows`.

Imports nothing that imports Ibis: that is its point (tests/cli/test_quick_count.py checks it).
"""

from __future__ import annotations

import os

from placespend.count import compiled_count
from placespend.count.compiled_count import CANONICAL_IDS, STORED_IDS
from placespend.count.result import CountResult, Rows
from placespend.domain.vocabulary import has_control_characters, is_valid_period, normalise_place
from placespend.engine.plain_read import plain_read


def quick_count(db: str | os.PathLike[str] | None, place: str, year: str) -> tuple[CountResult, Rows] | None:
    """The count and transfer reconciliation of `place` in `year` as `figures.count` gives them, or None where
    only `figures.count` can answer."""
    code, period = normalise_place(place), year.strip()
    if not code or has_control_characters(code) or not is_valid_period(period):
        return None
    compiled = compiled_count.load()
    with plain_read(db, compiled.schema_version) as read:
        if read is None or not read.countable(code, period):
            return None
        questions = compiled.variants[CANONICAL_IDS if read.bodies_merged() else STORED_IDS]
        return compiled_count.count_compiled(questions, read.rows, code, period)
