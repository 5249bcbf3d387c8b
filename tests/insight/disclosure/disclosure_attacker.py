"""An attacker who sees only what was published and solves, by linear programming, how far each withheld
count can range. Written from the published table alone, independently of the protection model."""

from __future__ import annotations

import highspy
import numpy as np

from placespend.insight.disclosure import ProtectedTable


def feasible_ranges(published: ProtectedTable, count_columns: list[str], total_column: str | None,
                    ) -> dict[tuple, tuple[float, float]]:
    """(row index, column) | ("total", column) | ("grand",) -> (min, max) of every withheld count.

    A published value v is known exactly, or, when the table is rounded to base b, only to lie in
    [v - b/2, v + b/2]; every count is >= 0; rows, columns and the grand total add up.
    """
    names: list[tuple] = []
    known: dict[tuple, float | None] = {}
    for r, row in enumerate(published.rows):
        for col in count_columns:
            names.append((r, col))
            known[(r, col)] = row[col]
        names.append((r, "row total"))
        known[(r, "row total")] = row[total_column] if total_column else None
    for col in count_columns:
        names.append(("total", col))
        known[("total", col)] = published.column_totals[col] if len(published.rows) > 1 else None
    names.append(("grand",))
    known[("grand",)] = published.grand_total if len(published.rows) > 1 else None
    index = {name: i for i, name in enumerate(names)}
    half = (published.rounding or 0) / 2
    lower = np.array([0.0 if known[n] is None else max(0.0, known[n] - half) for n in names])
    upper = np.array([np.inf if known[n] is None else known[n] + half for n in names])
    equations = []
    for r in range(len(published.rows)):
        equations.append([(index[(r, c)], 1.0) for c in count_columns] + [(index[(r, "row total")], -1.0)])
    for c in count_columns:
        equations.append([(index[(r, c)], 1.0) for r in range(len(published.rows))] + [(index[("total", c)], -1.0)])
    equations.append([(index[("total", c)], 1.0) for c in count_columns] + [(index[("grand",)], -1.0)])
    ranges = {}
    for name in names:
        if known[name] is None:
            low = _optimise(lower, upper, equations, index[name], minimise=True)
            high = _optimise(lower, upper, equations, index[name], minimise=False)
            ranges[name] = (low, high)
    return ranges


def _optimise(lower: np.ndarray, upper: np.ndarray, equations: list, target: int, minimise: bool) -> float:
    h = highspy.Highs()
    h.silent()
    n = len(lower)
    h.addVars(n, lower, upper)
    cost = np.zeros(n)
    cost[target] = 1.0 if minimise else -1.0
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    for equation in equations:
        h.addRow(0.0, 0.0, len(equation), np.array([i for i, _ in equation], dtype=np.int32),
                 np.array([a for _, a in equation]))
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kUnbounded:
        return -np.inf if minimise else np.inf
    assert status == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(status)
    value = h.getSolution().col_value[target]
    return float(value)
