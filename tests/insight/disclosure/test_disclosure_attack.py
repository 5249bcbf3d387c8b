"""Disclosure control attacked (issue "Customer insight II", point 5): for many random tables, an attacker
solves the min/max of every withheld count from what is published, and no small count may be narrowed to
fewer than N people; the pattern chosen is the cheapest one, checked against brute force."""

from __future__ import annotations

import itertools
import random

import pytest
from disclosure_attacker import feasible_ranges

from placespend.insight.disclosure import ProtectedTable, protect, protect_table

COLUMNS = ["left_only", "both", "right_only"]


def table(counts: list[list[int]], with_total: bool = True) -> list[dict]:
    rows = []
    for number, row in enumerate(counts):
        entry = {"group": f"g{number}", **dict(zip(COLUMNS[: len(row)], row, strict=True))}
        if with_total:
            entry["total"] = sum(row)
        rows.append(entry)
    return rows


def original_values(rows: list[dict], columns: list[str]) -> dict[tuple, int]:
    values = {(r, c): row[c] for r, row in enumerate(rows) for c in columns}
    for r, row in enumerate(rows):
        values[(r, "row total")] = sum(row[c] for c in columns)
    for c in columns:
        values[("total", c)] = sum(row[c] for row in rows)
    values[("grand",)] = sum(values[("total", c)] for c in columns)
    return values


def assert_protected(rows: list[dict], columns: list[str], total: str | None, threshold: int,
                     rounding: int | None = None) -> None:
    published = protect(rows, columns, total, threshold=threshold, rounding=rounding)
    truth = original_values(rows, columns)
    ranges = feasible_ranges(published, columns, total)
    for name, value in truth.items():
        if 1 <= value < threshold:
            assert name in ranges, f"small count {name} = {value} was published"
    for name, (low, high) in ranges.items():
        value = truth[name]
        never_published = (total is None and name[-1] == "row total") or (len(rows) == 1 and name[0] != 0)
        if never_published and not 1 <= value < threshold:
            continue  # not a small count, and not published as such: nothing to protect
        assert low - 1e-6 <= value <= high + 1e-6, f"{name} = {value} outside its range [{low}, {high}]"
        assert high - low > 1e-6, f"{name} = {value} is pinned down at {low}"
        if 1 <= value < threshold:
            assert high - low >= threshold - 1e-6, f"{name} = {value} narrowed to [{low}, {high}]"


def random_counts(rng: random.Random) -> list[list[int]]:
    n_rows, n_cols = rng.randint(1, 6), rng.randint(1, 3)
    pick = lambda: rng.choice([0, rng.randint(1, 9), rng.randint(10, 80), rng.randint(10, 80)])  # noqa: E731
    return [[pick() for _ in range(n_cols)] for _ in range(n_rows)]


@pytest.mark.parametrize("seed", range(60))
def test_no_small_count_can_be_recovered_from_a_random_table(seed: int) -> None:
    rng = random.Random(seed)
    counts = random_counts(rng)
    columns = COLUMNS[: len(counts[0])]
    with_total = seed % 3 != 0
    assert_protected(table(counts, with_total), columns, "total" if with_total else None, threshold=10)


@pytest.mark.parametrize("seed", range(10))
def test_rounded_tables_stay_protected_and_are_multiples_of_the_base(seed: int) -> None:
    rng = random.Random(1000 + seed)
    counts = random_counts(rng)
    columns = COLUMNS[: len(counts[0])]
    assert_protected(table(counts), columns, "total", threshold=5, rounding=5)
    for row in protect_table(table(counts), columns, "total", threshold=5, rounding=5):
        assert all(row[c] is None or row[c] % 5 == 0 for c in [*columns, "total"])


def test_a_lone_small_cell_is_protected_by_the_cheapest_cycle_of_four() -> None:
    # 3 alone would be 38 - 20 - 15. Worked by hand, the 4-cycles through it and their cost (cells + 1 each):
    # 3,20/12,0 -> 39; 3,15/12,30 -> 64; 3,15/40,11 -> 73; 3,20/40,22 -> 89. In the cheapest, 3 moves by t
    # with 20 - t, 12 - t, 0 + t, so t in [0, min(20, 12)] and 3 ranges over [3, 15]: 12 wide, enough.
    rows = table([[3, 20, 15], [40, 22, 11], [12, 0, 30]])
    out = protect_table(rows, COLUMNS, "total")
    assert [[row[c] for c in COLUMNS] for row in out] == [[None, None, 15], [40, 22, 11], [None, None, 30]]
    assert [row["total"] for row in out] == [38, 73, 42]  # totals published as they are
    ranges = feasible_ranges(protect(rows, COLUMNS, "total"), COLUMNS, "total")
    assert ranges[(0, "left_only")] == pytest.approx((3, 15))


def test_a_table_without_small_counts_is_published_unchanged_and_zeros_are_not_sensitive() -> None:
    rows = table([[0, 25, 14], [31, 0, 10]])
    published = protect(rows, COLUMNS, "total")
    assert published.rows == rows
    assert published.column_totals == {"left_only": 31, "both": 25, "right_only": 24}
    assert published.grand_total == 80
    assert published.suppressed == 0


def test_a_small_group_total_is_itself_withheld() -> None:
    rows = table([[2, 3, 0], [30, 40, 50], [20, 25, 60]])
    out = protect_table(rows, COLUMNS, "total")
    assert out[0]["total"] is None
    assert_protected(rows, COLUMNS, "total", threshold=10)


def test_the_threshold_is_configurable() -> None:
    rows = table([[4, 20, 15], [40, 22, 11]])
    assert protect_table(rows, COLUMNS, "total", threshold=3) == rows  # 4 is not small under N = 3
    assert protect_table(rows, COLUMNS, "total", threshold=5)[0]["left_only"] is None


def test_inconsistent_input_is_refused_with_the_row_and_column() -> None:
    with pytest.raises(ValueError, match=r"row 2, column 'total'"):
        protect_table([{"a": 1, "total": 1}, {"a": 2, "total": 5}], ["a"], "total")
    with pytest.raises(ValueError, match=r"row 1, column 'a'"):
        protect_table([{"a": 1.5}], ["a"], None)


def pattern_cost(rows: list[dict], pattern: set[tuple]) -> int:
    return sum(rows[r][c] + 1 for r, c in pattern)


@pytest.mark.parametrize("seed", range(4))
def test_the_pattern_chosen_is_the_cheapest_that_protects(seed: int) -> None:
    # Brute force over every set of inner cells of a 2x3 table (totals published), audited by the attacker.
    rng = random.Random(500 + seed)
    counts = [[rng.choice([rng.randint(1, 9), rng.randint(10, 60)]) for _ in range(3)] for _ in range(3)]
    counts[0][0] = rng.randint(1, 9)
    rows = table(counts)
    cells = [(r, c) for r in range(len(rows)) for c in COLUMNS]
    best = None
    for size in range(len(cells) + 1):
        for chosen in itertools.combinations(cells, size):
            if best is not None and pattern_cost(rows, set(chosen)) >= best:
                continue
            if _pattern_protects(rows, set(chosen)):
                best = pattern_cost(rows, set(chosen))
    published = protect(rows, COLUMNS, "total")
    chosen = {(r, c) for r, row in enumerate(published.rows) for c in COLUMNS if row[c] is None}
    assert all(row["total"] is not None for row in published.rows)  # no small totals here: all published
    assert pattern_cost(rows, chosen) == best


def _pattern_protects(rows: list[dict], chosen: set[tuple]) -> bool:
    shown = [{**row, **{c: None for (r, c) in chosen if r == number}} for number, row in enumerate(rows)]
    truth = original_values(rows, COLUMNS)
    column_totals = {c: truth[("total", c)] for c in COLUMNS}
    candidate = ProtectedTable(shown, column_totals, truth[("grand",)], 10, None, len(chosen))
    if any(1 <= truth[(r, c)] < 10 and (r, c) not in chosen for r in range(len(rows)) for c in COLUMNS):
        return False
    ranges = feasible_ranges(candidate, COLUMNS, "total")
    return all(high - low >= 10 - 1e-6 for name, (low, high) in ranges.items() if 1 <= truth[name] < 10)
