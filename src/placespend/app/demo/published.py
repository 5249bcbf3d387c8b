"""Seed 000's published pilot figures (Tables 1-3), recomputed from their own inputs.

The 2010 report printed results that do not always follow from the inputs beside them (seed README:
Kent 5.5% vs 5.40%, Lewisham 6% vs 6.53%, ...). Software that reproduces a published table must compute
from the inputs and say where the print disagrees, never copy the printed result: this module keeps the
printed figures as data (`data/pilots_published.csv`) and reports each disagreement as a `Discrepancy`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

DATA_PACKAGE = "placespend.app.demo.data"
PUBLISHED_FILE = "pilots_published.csv"
PLACES_FILE = "pilot_places.csv"
TOTAL_ROW = "total"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TABLE2_COMPONENTS = ("cofog_10", "cofog_07", "cofog_09")
TABLE3_GROUPS = ("local_authority", "nhs", "central_government", "other")

@dataclass(frozen=True)
class PublishedFigure:
    """One printed number: `value` keeps the printed digits (its exponent is the printed precision)."""

    table: str
    pilot: str
    measure: str
    value: Decimal | None  # None where the report printed a dash
    unit: str
    source: str


@dataclass(frozen=True)
class Table1Row:
    """A pilot's centre-out estimate A and locally-led count B (GBP bn) and the printed 1 - B/A (percent)."""

    pilot: str
    centre_out: Decimal
    locally_led: Decimal
    difference_printed: Decimal
    source: str

    @property
    def difference(self) -> Decimal:
        """1 - B/A as a fraction, computed, never read from the print."""
        return table1_difference(self.centre_out, self.locally_led)


@dataclass(frozen=True)
class Table2Row:
    """A pilot's printed shares of social protection, health and education, and the printed 'Total %'."""

    pilot: str
    shares: dict[str, Decimal]  # cofog_10, cofog_07, cofog_09 -> percent
    total_printed: Decimal
    source: str


@dataclass(frozen=True)
class Table3Row:
    """A pilot's printed shares by body type; None where the report printed a dash (not given)."""

    pilot: str
    shares: dict[str, Decimal | None]
    source: str


@dataclass(frozen=True)
class Discrepancy:
    """A printed figure that its own inputs do not reproduce, with both numbers and why it matters."""

    table: str
    pilot: str
    measure: str
    printed: Decimal
    computed: Decimal
    message: str

    def __str__(self) -> str:
        return f"{self.table} {self.pilot} {self.measure}: {self.message}"


def read_data_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV shipped in `placespend.app.demo.data` (read through importlib so it works from a wheel)."""
    with resources.files(DATA_PACKAGE).joinpath(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def published_figures() -> tuple[PublishedFigure, ...]:
    """Every printed figure of Tables 1-3, as transcribed, with the seed line it appears on."""
    return tuple(
        PublishedFigure(row["table"], row["pilot"], row["measure"],
                        Decimal(row["value"]) if row["value"].strip() else None, row["unit"], row["source"])
        for row in read_data_csv(PUBLISHED_FILE)
    )


def _by_pilot(table: str) -> dict[str, dict[str, PublishedFigure]]:
    grouped: dict[str, dict[str, PublishedFigure]] = defaultdict(dict)
    for figure in published_figures():
        if figure.table == table:
            grouped[figure.pilot][figure.measure] = figure
    return grouped


def _table1_row(pilot: str, measures: dict[str, PublishedFigure]) -> Table1Row:
    def value(measure: str) -> Decimal:
        figure = measures[measure].value
        if figure is None:
            raise ValueError(f"{PUBLISHED_FILE}: table1 {pilot} {measure} has no printed value")
        return figure

    return Table1Row(pilot, value("centre_out"), value("locally_led"), value("difference_printed"),
                     measures["centre_out"].source)


def published_table1() -> list[Table1Row]:
    """The 13 pilots' rows of Table 1 in printed order (the printed Total row is `published_table1_total`)."""
    return [_table1_row(p, m) for p, m in _by_pilot("table1").items() if p != TOTAL_ROW]


def published_table1_total() -> Table1Row:
    """Table 1's printed Total line: sum of A, sum of B and the aggregate difference, as printed."""
    return _table1_row(TOTAL_ROW, _by_pilot("table1")[TOTAL_ROW])


def published_table2() -> list[Table2Row]:
    """Table 2 rows in printed order; the COFOG shares and the printed 'Total %' of the three."""
    rows = []
    for pilot, measures in _by_pilot("table2").items():
        shares = {m: measures[m].value or Decimal(0) for m in TABLE2_COMPONENTS}
        total = measures["total_printed"].value or Decimal(0)
        rows.append(Table2Row(pilot, shares, total, measures["total_printed"].source))
    return rows


def published_table3() -> list[Table3Row]:
    """Table 3 rows in printed order; a dash in the print is None."""
    return [Table3Row(pilot, {g: measures[g].value for g in TABLE3_GROUPS}, measures[TABLE3_GROUPS[0]].source)
            for pilot, measures in _by_pilot("table3").items()]


def table1_difference(centre_out: Decimal, locally_led: Decimal) -> Decimal:
    """Seed 000's difference 100% - (B/A)%, as a fraction: positive when the local count is below PESA's."""
    return 1 - locally_led / centre_out


def table1_aggregate_difference(rows: list[Table1Row]) -> Decimal:
    """1 - sum(B)/sum(A) over the pilots: the aggregate is a ratio of sums, not a mean of the differences."""
    return table1_difference(sum((r.centre_out for r in rows), Decimal(0)),
                             sum((r.locally_led for r in rows), Decimal(0)))


def _as_printed(fraction: Decimal, printed: Decimal) -> Decimal:
    """A fraction as a percentage rounded (half away from zero) to the printed number of decimals."""
    exponent = printed.as_tuple().exponent
    step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    return (fraction * HUNDRED).quantize(step, rounding=ROUND_HALF_UP)


def _pct(fraction: Decimal) -> Decimal:
    return (fraction * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _half_unit(printed: Decimal) -> Decimal:
    exponent = printed.as_tuple().exponent
    return Decimal(5).scaleb((exponent if isinstance(exponent, int) else 0) - 1)


def _difference_range(row: Table1Row) -> tuple[Decimal, Decimal]:
    """Smallest and largest 1 - B/A if A and B were rounded to their printed precision before printing."""
    a_half, b_half = _half_unit(row.centre_out), _half_unit(row.locally_led)
    low = table1_difference(row.centre_out - a_half, row.locally_led + b_half)
    high = table1_difference(row.centre_out + a_half, row.locally_led - b_half)
    return low, high


def _table1_check(row: Table1Row, computed: Decimal) -> Discrepancy | None:
    if _as_printed(computed, row.difference_printed) == row.difference_printed:
        return None
    low, high = _difference_range(row)
    reachable = _as_printed(low, row.difference_printed) <= row.difference_printed \
        <= _as_printed(high, row.difference_printed)
    percent = _pct(computed)
    why = ("it is reachable only if the unrounded A and B differ from the printed ones"
           if reachable else "no rounding of the printed A and B gives it")
    message = (f"printed {row.difference_printed}% but 1 - {row.locally_led}/{row.centre_out} = {percent}% "
               f"(rounds to {_as_printed(computed, row.difference_printed)}% at the printed precision); "
               f"with A and B rounded as printed the difference lies in "
               f"{_pct(low)}%..{_pct(high)}%, so {why}.")
    return Discrepancy("table1", row.pilot, "difference_printed", row.difference_printed, percent, message)


def table1_discrepancies() -> list[Discrepancy]:
    """Pilots (and the Total line) whose printed difference is not 1 - B/A at the printed precision."""
    rows = published_table1()
    found = [d for row in rows if (d := _table1_check(row, row.difference)) is not None]
    total = published_table1_total()
    for measure, printed, computed in (
        ("centre_out", total.centre_out, sum((r.centre_out for r in rows), Decimal(0))),
        ("locally_led", total.locally_led, sum((r.locally_led for r in rows), Decimal(0))),
    ):
        if computed != printed:
            found.append(Discrepancy("table1", TOTAL_ROW, measure, printed, computed,
                                     f"printed total {printed} but the pilots sum to {computed} (GBP bn)."))
    aggregate = _table1_check(total, table1_aggregate_difference(rows))
    return [*found, *([aggregate] if aggregate else [])]


def _rounding_note(parts: int, gap: Decimal, allowance: Decimal) -> str:
    figures = f"rounding {parts} whole-percent figures"
    if abs(gap) <= allowance:
        return f"{figures} could explain up to {allowance} points, so it may be rounding."
    return f"{figures} explains at most {allowance} points, so it is not rounding."


def table2_discrepancies() -> list[Discrepancy]:
    """Table 2 rows whose three printed shares do not add up to the printed 'Total %'."""
    found = []
    for row in published_table2():
        computed = sum(row.shares.values(), Decimal(0))
        if computed == row.total_printed:
            continue
        sums = " + ".join(f"{row.shares[m]}%" for m in TABLE2_COMPONENTS)
        note = _rounding_note(len(row.shares) + 1, computed - row.total_printed,
                              Decimal("0.5") * (len(row.shares) + 1))
        found.append(Discrepancy("table2", row.pilot, "total_printed", row.total_printed, computed,
                                 f"the printed shares {sums} = {computed}% but the printed total is "
                                 f"{row.total_printed}%; {note}"))
    return found


def table3_discrepancies() -> list[Discrepancy]:
    """Table 3 rows whose shares of the whole do not sum to 100% (rows with dashes: only if over 100%)."""
    found = []
    for row in published_table3():
        given = {g: s for g, s in row.shares.items() if s is not None}
        computed = sum(given.values(), Decimal(0))
        missing = [g for g in TABLE3_GROUPS if g not in given]
        if computed == HUNDRED or (missing and computed < HUNDRED):
            continue
        sums = " + ".join(f"{s}%" for s in given.values())
        dashes = f" ({', '.join(missing)} printed as a dash)" if missing else ""
        note = _rounding_note(len(given), computed - HUNDRED, Decimal("0.5") * len(given))
        found.append(Discrepancy("table3", row.pilot, "sum", HUNDRED, computed,
                                 f"shares of the whole {sums} = {computed}%{dashes}, not 100%; {note}"))
    return found
