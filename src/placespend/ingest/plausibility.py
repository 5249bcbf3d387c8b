"""Amounts no return can hold, whatever its cells say: the checks a finance officer makes by eye.

A one-line file of GBP 99,999,999,999,999 passed every cell rule and replaced a council's GBP 1.22bn return;
the place's total became GBP 100 trillion. Two rules catch such lines, each an error with its row and column:

- beyond any public body's budget (`AMOUNT_CEILING`): never right, so it cannot be confirmed;
- larger than the same submitter's whole previous accepted return for that place and period, by more than
  `LARGE_LINE_MARGIN`: possible (a body restating a small return), so the user may confirm it and load it.

The facts are gathered by `checks` (FlowLines) and `columnar_checks` (SQL); the messages are written here
once, so both paths say the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from placespend.domain.ledger_lines import FlowLine
from placespend.domain.problems import Report

AMOUNT_CEILING = Decimal("500000000000.00")
"""GBP 500bn: more than any UK public body spends in a year, so no line of one body's return can exceed it.

The largest spender is the Department for Work and Pensions: GBP 188bn in 2018-19, just under a quarter of all
government spending (DWP Annual Report and Accounts 2018-19, as charted by ICAEW chart of the week no. 86,
martinwheatcroft.com/icaewchart086); NHS England's budget is smaller. The ceiling leaves DWP's whole year
room to grow well past today's level, and sits far below what an extra digit or a pasted total produces, and
far below the DECIMAL(18, 2) limit of the ledger (GBP 10^16) that 999999999999999999 would overflow."""

LARGE_LINE_MARGIN = Decimal("0.25")
"""How much larger than the body's whole previous return one line may be before it must be confirmed. Without a
margin every upward correction of a one-line return (a department's single grant line, a budget followed by
its outturn) would need confirming; with it, a line that alone outweighs everything the body reported there
by more than a quarter still does. A quarter is the spread of two independent counts of a whole place's
spending in seed 000 Table 1 (§3.4: 2% to 27%), so a single line beyond it is no ordinary restatement."""

SliceKey = tuple[str, str, str]  # submitter, place, period: what one submission supersedes


@dataclass(frozen=True)
class SliceTotals:
    """A return's lines for one place and period: how many, their counted total, and their best basis."""

    lines: int
    total: Decimal
    rank: int  # vocabulary.BASIS_RANK of the best basis among the lines (outturn outranks a budget)
    submission_id: int | None = None  # the stored submission holding them, for a previous return


@dataclass(frozen=True)
class LargeLine:
    """A line counting more in its place than its submitter's whole previous return there (beyond the margin)."""

    sheet: str | None
    row: int
    counted: Decimal
    key: SliceKey


def exceeds(counted: Decimal, previous: SliceTotals) -> bool:
    """Whether one line is larger than the whole previous return by more than the margin (a previous return
    of nothing gives nothing to compare with)."""
    return previous.total > 0 and counted > previous.total * (1 + LARGE_LINE_MARGIN)


def gbp(amount: Decimal) -> str:
    return f"GBP {amount:,.2f}"


def ceiling_message(amount: str) -> str:
    return (f"The amount {amount} is more than any UK public body spends in a year (the largest, the Department for "
            f"Work and Pensions, spent GBP 188bn in 2018-19); one line cannot exceed {gbp(AMOUNT_CEILING)}. "
            "Check for extra digits, an amount in pence, or a pasted total.")


def report_beyond_ceiling(lines: Iterable[FlowLine], report: Report) -> None:
    """An error per line of a read file beyond `AMOUNT_CEILING`, at the line's sheet and row."""
    for line in lines:
        if abs(line.amount) > AMOUNT_CEILING:
            report.error("amount-implausible", ceiling_message(gbp(line.amount)), sheet=line.sheet, row=line.row,
                         column="amount", value=str(line.amount))


def report_large_lines(found: list[LargeLine], previous: dict[SliceKey, SliceTotals], column: str, report: Report,
                       confirmed: bool) -> None:
    """An error per large line, or a warning per line the user confirmed is right."""
    for line in found:
        submitter, place, period = line.key
        before = previous[line.key]
        said = (f"This line counts {gbp(line.counted)} in {place} {period}, more than {submitter}'s whole previous "
                f"return there ({gbp(before.total)} in {before.lines} lines, submission {before.submission_id}) "
                f"by more than {LARGE_LINE_MARGIN:.0%}.")
        if confirmed:
            report.warn("amount-exceeds-previous-return", f"{said} Loaded as confirmed.", sheet=line.sheet,
                        row=line.row, column=column, value=str(line.counted))
        else:
            report.error("amount-exceeds-previous-return", f"{said} If it is right, confirm it (--confirm-large on "
                         "the command line, 'These large lines are right' on the upload page) and load the file "
                         "again; if not, check for extra digits or a pasted total.", sheet=line.sheet, row=line.row,
                         column=column, value=str(line.counted))
