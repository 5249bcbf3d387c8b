"""Disclosure control: the one way out for every count of people (issue "Customer insight II", point 5).

Every count of people that placespend publishes (CLI output, API responses, web pages, XLSX/PDF exports,
reports) passes through `protect` / `protect_table` on its way out; nothing else may print, return or
render such a count. Counts of money, lines or areas are not counts of people and do not pass here.

What it guarantees, for a table of counts with row totals, column totals and a grand total:

- **Primary suppression.** Any count from 1 to N-1 (N = `threshold`, default 10) is published as `None`.
  Zero is not sensitive (nobody is revealed by "no one"), so zeros are published unless chosen as
  secondary suppressions.
- **Secondary suppression by an integer program.** Publishing the totals lets an attacker solve for a
  lone suppressed cell, so further cells are suppressed, chosen by a mixed-integer program solved with
  HiGHS that minimises the total of the suppressed counts (plus one per cell, so zeros are not suppressed
  needlessly). The program is the classical "protection by witness tables" model (Fischetti and Salazar,
  also used by tau-ARGUS): for every sensitive count p there must be two other non-negative tables that
  agree with everything published and whose values of p lie at least N apart. That is exactly "the
  feasible range of p, min to max by linear programming over what is published, is at least N wide", so
  no attacker can narrow p to fewer than N people, let alone pin it down.
- **Totals are published as they are** (the row total and the column totals), except that a total that
  is itself 1..N-1 is a small count and is suppressed like any other; a large total is only suppressed in
  the rare table where nothing else protects a small count (it costs far more than any inner cell).
- **Rounding** (when a sharing agreement asks for it): every published count is then rounded to the
  nearest multiple of `rounding`. Rounding only widens what an attacker can infer, so it never undoes the
  protection above; rounded totals need not add up, and are not meant to.

A table with one row has no separate column totals to publish (they would be the row itself).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from placespend.domain.problems import PlacespendError

DEFAULT_THRESHOLD = 10
TIME_LIMIT_SECONDS = 20.0


@dataclass(frozen=True)
class ProtectedTable:
    """What may be published: the rows with suppressed counts as None, and the protected column totals."""

    rows: list[dict]
    column_totals: dict[str, int | None]
    grand_total: int | None
    threshold: int
    rounding: int | None
    suppressed: int  # how many counts (cells and totals) are withheld

    def as_dict(self) -> dict:
        """As the overlap JSON has it (DESIGN.md §7): the rows are its `groups`."""
        return {"threshold": self.threshold, "rounding": self.rounding, "groups": self.rows,
                "column_totals": self.column_totals, "grand_total": self.grand_total,
                "suppressed": self.suppressed}


def published_threshold(asked: int) -> int:
    """The threshold a caller asks for, refused if it is below the default: a user may withhold more, never
    less, because a count of 1 or 2 people identifies them whoever asks (issue "Customer insight II", point 5).
    Checked before any work, so a refused request publishes nothing."""
    if asked < DEFAULT_THRESHOLD:
        raise PlacespendError(f"The disclosure threshold cannot be lower than {DEFAULT_THRESHOLD}: counts of 1 to "
                              f"{DEFAULT_THRESHOLD - 1} people are never published (asked for {asked}). A higher "
                              "threshold may be asked for.")
    return asked


def protect_table(rows: list[dict], count_columns: list[str], total_column: str | None,
                  threshold: int = DEFAULT_THRESHOLD, rounding: int | None = None) -> list[dict]:
    """The rows of `protect(...)`: each row a copy with its counts (and total) as int, or None when withheld.

    The caller may publish the column totals and grand total only as `protect(...)` gives them.
    """
    return protect(rows, count_columns, total_column, threshold, rounding).rows


def protect(rows: list[dict], count_columns: list[str], total_column: str | None,
            threshold: int = DEFAULT_THRESHOLD, rounding: int | None = None) -> ProtectedTable:
    """Suppress and round a table of counts of people so that no small count can be worked out."""
    _check_arguments(rows, count_columns, total_column, threshold, rounding)
    cells = _Cells(rows, count_columns, total_column, threshold)
    suppress = _choose_suppressions(cells, threshold)
    return _published(rows, cells, suppress, threshold, rounding)


# --- the table as a linear system ------------------------------------------------------------------------

class _Cells:
    """Every count of the table as one vector: inner cells, row totals, column totals, grand total.

    `equations` are the additive relations an attacker knows hold (each row, each column, the grand
    total), as lists of (cell index, coefficient) summing to zero.
    """

    def __init__(self, rows: list[dict], count_columns: list[str], total_column: str | None,
                 threshold: int) -> None:
        n_rows, n_cols = len(rows), len(count_columns)
        self.n_rows, self.n_cols = n_rows, n_cols
        self.col_names, self.total_name = list(count_columns), total_column
        self.inner = [[r * n_cols + c for c in range(n_cols)] for r in range(n_rows)]
        self.row_total = [n_rows * n_cols + r for r in range(n_rows)]
        self.col_total = [n_rows * n_cols + n_rows + c for c in range(n_cols)]
        self.grand = n_rows * n_cols + n_rows + n_cols
        values = [int(row[col]) for row in rows for col in count_columns]
        row_sums = [sum(int(row[col]) for col in count_columns) for row in rows]
        col_sums = [sum(int(row[col]) for row in rows) for col in count_columns]
        self.values = np.array([*values, *row_sums, *col_sums, sum(row_sums)], dtype=float)
        self.size = len(self.values)
        self.equations: list[list[tuple[int, float]]] = []
        for r in range(n_rows):
            self.equations.append([*((i, 1.0) for i in self.inner[r]), (self.row_total[r], -1.0)])
        for c in range(n_cols):
            self.equations.append([*((self.inner[r][c], 1.0) for r in range(n_rows)), (self.col_total[c], -1.0)])
        self.equations.append([*((i, 1.0) for i in self.col_total), (self.grand, -1.0)])
        small = (self.values >= 1) & (self.values < threshold)
        self.sensitive = [i for i in range(self.size) if small[i]]
        self.forced = set(self.sensitive)
        if total_column is None:  # row totals are not published at all
            self.forced.update(self.row_total)
        if n_rows == 1:  # the column totals would be the row itself: not published separately
            self.forced.update(self.col_total)
            self.forced.add(self.grand)
        totals = {*self.row_total, *self.col_total, self.grand}
        big = float(self.values[-1] + 1) * 1000.0
        self.cost = np.array([big if i in totals else self.values[i] + 1.0 for i in range(self.size)])


def _choose_suppressions(cells: _Cells, threshold: int) -> np.ndarray:
    """The 0/1 suppression pattern of least cost that protects every sensitive count."""
    pattern = np.zeros(cells.size, dtype=bool)
    pattern[list(cells.forced)] = True
    if not cells.sensitive:
        return pattern
    model = _WitnessModel(cells, threshold)
    chosen = model.solve()
    return chosen if chosen is not None else np.ones(cells.size, dtype=bool)


class _WitnessModel:
    """Binary s_i (cell i withheld) and, per sensitive count and direction, a deviation table f.

    f satisfies every equation (so the moved table agrees with all published totals), may move cell i
    only if it is withheld (-value_i * s_i <= f_i <= big * s_i, keeping counts non-negative); the two
    tables of a sensitive count put it at least N apart.
    """

    def __init__(self, cells: _Cells, threshold: int) -> None:
        self.cells = cells
        self.threshold = threshold
        self.highs = highspy.Highs()
        self.highs.silent()
        self.highs.setOptionValue("time_limit", TIME_LIMIT_SECONDS)
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self._build()

    def _build(self) -> None:
        cells, h = self.cells, self.highs
        n = cells.size
        lower = np.array([1.0 if i in cells.forced else 0.0 for i in range(n)])
        h.addVars(n, lower, np.ones(n))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cells.cost)
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
        big = float(self.threshold) * n
        offset = n
        for p in cells.sensitive:
            down, up = offset, offset + n
            self._add_witness(down, big)
            self._add_witness(up, big)
            # the range of p is at least [value + f_down, value + f_up]: make it N wide
            h.addRow(float(self.threshold), np.inf, 2, np.array([up + p, down + p], dtype=np.int32),
                     np.array([1.0, -1.0]))
            offset += 2 * n

    def _add_witness(self, offset: int, big: float) -> None:
        cells, h = self.cells, self.highs
        n = cells.size
        h.addVars(n, np.full(n, -np.inf), np.full(n, np.inf))
        for equation in cells.equations:
            index = np.array([offset + i for i, _ in equation], dtype=np.int32)
            coefficient = np.array([a for _, a in equation])
            h.addRow(0.0, 0.0, len(index), index, coefficient)
        for i in range(n):  # f_i - big * s_i <= 0 and f_i + value_i * s_i >= 0
            pair = np.array([offset + i, i], dtype=np.int32)
            h.addRow(-np.inf, 0.0, 2, pair, np.array([1.0, -big]))
            h.addRow(0.0, np.inf, 2, pair, np.array([1.0, cells.values[i]]))

    def solve(self) -> np.ndarray | None:
        """The chosen pattern, or None when HiGHS found no feasible pattern in its time."""
        self.highs.run()
        if self.highs.getInfo().primal_solution_status != 2:  # 2 = feasible solution available
            return None
        values = np.array(self.highs.getSolution().col_value[: self.cells.size])
        return values > 0.5


# --- publishing --------------------------------------------------------------------------------------------

def _published(rows: list[dict], cells: _Cells, suppress: np.ndarray, threshold: int,
               rounding: int | None) -> ProtectedTable:
    def shown(index: int) -> int | None:
        if suppress[index]:
            return None
        value = int(cells.values[index])
        return value if not rounding else rounding * ((value + rounding // 2) // rounding)  # halves round up

    columns = list(cells.col_names)
    out = []
    for r, row in enumerate(rows):
        copy = dict(row)
        for c, col in enumerate(columns):
            copy[col] = shown(cells.inner[r][c])
        if cells.total_name is not None:
            copy[cells.total_name] = shown(cells.row_total[r])
        out.append(copy)
    column_totals = {col: shown(cells.col_total[c]) for c, col in enumerate(columns)}
    withheld = int(suppress[: cells.n_rows * cells.n_cols].sum())
    if cells.n_rows > 1:
        withheld += int(suppress[cells.col_total].sum()) + int(suppress[cells.grand])
    if cells.total_name is not None:
        withheld += int(suppress[cells.row_total].sum())
    return ProtectedTable(out, column_totals, shown(cells.grand), threshold, rounding, withheld)


def _check_arguments(rows: list[dict], count_columns: list[str], total_column: str | None,
                     threshold: int, rounding: int | None) -> None:
    """Misuse raises: a count that is not a non-negative whole number, or a total that is not the sum."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    if rounding is not None and rounding < 1:
        raise ValueError(f"rounding must be a positive whole number, not {rounding}")
    for number, row in enumerate(rows, start=1):
        for col in count_columns:
            value = row.get(col)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"row {number}, column {col!r}: a count must be a whole number >= 0, not {value!r}")
        if total_column is not None and row.get(total_column) != sum(row[col] for col in count_columns):
            raise ValueError(f"row {number}, column {total_column!r}: the total {row.get(total_column)!r} is not "
                             f"the sum of {', '.join(count_columns)}")
