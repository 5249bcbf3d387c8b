"""What a spend file's load report says about its money as a whole, and the cap on repeated warnings.

Row warnings say what happened to each row; the summary says what it adds up to: rows read, lines kept
and their amount, credits netted off, rows not counted, income reported apart, money that no rule could
classify (and the default COFOG it was put under), the years the lines fall in and the publication
thresholds in force. The figures are also given as JSON in the summary warning's `value`, so tests and
tools can read them without parsing prose.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from placespend.domain.problems import Report
from placespend.ingest.spend.profile import Profile, Threshold

WARNINGS_PER_KIND = 1000    # row warnings of one kind kept per file; the rest are counted in one more warning
ZERO = Decimal("0.00")


class Sink(Protocol):
    def warn(self, slug: str, message: str, **where: object) -> None: ...
    def error(self, slug: str, message: str, **where: object) -> None: ...


class Capped:
    """A report that keeps the first WARNINGS_PER_KIND warnings of each kind and counts the others."""

    def __init__(self, report: Report, limit: int = WARNINGS_PER_KIND) -> None:
        self.report, self.limit = report, limit
        self.counts: Counter[str] = Counter()
        self.last_row: dict[str, object] = {}

    def warn(self, slug: str, message: str, **where: object) -> None:
        self.counts[slug] += 1
        if self.counts[slug] <= self.limit:
            self.report.warn(slug, message, **where)
        else:
            self.last_row[slug] = where.get("row")

    def error(self, slug: str, message: str, **where: object) -> None:
        self.report.error(slug, message, **where)

    def flush(self) -> None:
        for slug, count in sorted(self.counts.items()):
            if count > self.limit:
                self.report.warn(f"{slug}-more", f"{count - self.limit:,} more '{slug}' warnings like those above "
                                 f"(up to row {self.last_row.get(slug)}) are not listed one by one.")


@dataclass
class Tally:
    rows: int = 0
    lines: int = 0
    kept: Decimal = ZERO
    credits: int = 0
    credit_amount: Decimal = ZERO
    rejected: Counter[str] = field(default_factory=Counter)   # reasons, a row may have several
    rejected_rows: int = 0
    rejected_amount: Decimal = ZERO          # of rejected rows whose amount could still be read
    totals_rows: int = 0
    income: int = 0
    income_amount: Decimal = ZERO
    income_kinds: Counter[str] = field(default_factory=Counter)
    unmapped: int = 0
    unmapped_amount: Decimal = ZERO
    unmapped_values: Counter[str] = field(default_factory=Counter)
    transfers: int = 0
    transfer_amount: Decimal = ZERO
    by_year: Counter[str] = field(default_factory=Counter)
    below_threshold: int = 0
    below_amount: Decimal = ZERO
    thresholds: set[Threshold] = field(default_factory=set)
    first: dt.date | None = None
    last: dt.date | None = None

    def seen_date(self, date: dt.date) -> None:
        if self.first is None or date < self.first:
            self.first = date
        if self.last is None or date > self.last:
            self.last = date

    def figures(self) -> dict[str, object]:
        return {"rows_read": self.rows, "lines": self.lines, "amount_kept": str(self.kept),
                "credits": self.credits, "credit_amount": str(self.credit_amount),
                "rows_rejected": self.rejected_rows,
                "rejected_amount": str(self.rejected_amount), "rejected_by_kind": dict(self.rejected),
                "totals_rows": self.totals_rows, "income_lines": self.income, "income_amount": str(self.income_amount),
                "unmapped_lines": self.unmapped, "unmapped_amount": str(self.unmapped_amount),
                "transfer_lines": self.transfers, "transfer_amount": str(self.transfer_amount),
                "by_year": {year: str(amount) for year, amount in sorted(self.by_year.items())}}


def gbp(amount: Decimal) -> str:
    return f"-GBP {-amount:,.2f}" if amount < 0 else f"GBP {amount:,.2f}"


def summarise(tally: Tally, profile: Profile, report: Report) -> None:
    """The file-level warnings: summary, unmapped money, income, years and thresholds."""
    rejected = tally.rejected_rows
    parts = [f"Read {tally.rows:,} rows as {profile.publisher.name} ({profile.id}): {tally.lines:,} lines kept, "
             f"{gbp(tally.kept)}"]
    if tally.credits:
        parts.append(f"including {tally.credits:,} credits of {gbp(tally.credit_amount)} that net off")
    if tally.transfers:
        parts.append(f"{tally.transfers:,} lines ({gbp(tally.transfer_amount)}) are transfers to public bodies")
    if rejected:
        readable = f", holding at least {gbp(tally.rejected_amount)}" if tally.rejected_amount else ""
        parts.append(f"{rejected:,} rows not counted{readable} (see the warnings above)")
    else:
        parts.append("no row rejected")
    if tally.totals_rows:
        parts.append(f"{tally.totals_rows} totals rows left out")
    if tally.income:
        parts.append(f"{tally.income:,} income lines ({gbp(tally.income_amount)}) reported apart, not counted")
    parts.append(f"unmapped to COFOG: {gbp(tally.unmapped_amount)}")
    report.warn("spend-summary", "; ".join(parts) + ".", value=json.dumps(tally.figures()))
    if tally.unmapped:
        top = ", ".join(f"'{name}'" for name, _ in tally.unmapped_values.most_common(5))
        report.warn("cofog-unmapped", f"{tally.unmapped:,} lines ({gbp(tally.unmapped_amount)}) match no rule of "
                    f"the profile and no keyword, so they are counted under COFOG {profile.default_cofog} (the "
                    f"profile's default). Most frequent: {top}. Add rules to the profile to classify them.",
                    value=str(tally.unmapped_amount))
    if tally.income:
        kinds = ", ".join(f"'{k}'" for k, _ in tally.income_kinds.most_common(4))
        report.warn("income-excluded", f"{tally.income:,} lines ({gbp(tally.income_amount)}) are income ({kinds}); "
                    "service income is not spending (seed 004), so they are reported here and not counted.",
                    value=str(tally.income_amount))
    if len(tally.by_year) > 1:
        years = ", ".join(f"{y}: {gbp(a)}" for y, a in sorted(tally.by_year.items()))
        report.warn("several-years", f"The lines fall in several financial years ({years}); each counts in the "
                    "year of its payment date.")
    _thresholds(tally, report)


def _thresholds(tally: Tally, report: Report) -> None:
    if len(tally.thresholds) > 1:
        steps = "; ".join(f"GBP {t.amount:,} ({t.vat} VAT) from {t.start:%d %B %Y}"
                          for t in sorted(tally.thresholds, key=lambda t: t.start))
        report.warn("threshold-changed", f"The publisher's reporting threshold changed within this file: {steps}. "
                    "Months published under a higher threshold leave out more small payments, so their totals "
                    "are not comparable.")
    if tally.below_threshold:
        report.warn("below-threshold", f"{tally.below_threshold:,} payments ({gbp(tally.below_amount)}) are below "
                    "the reporting threshold in force at their date; they are kept (the publisher listed them).")


def coverage(tally: Tally) -> str | None:
    """The dates a spend file covers, its first and last payment dates.

    The ledger supersedes a submitter's older lines for the same place and year, which is right for a
    partner's yearly return but would make each monthly file replace the month before. The body stays the
    submitter (its months are one partner's); the file supersedes only a file of the same dates, so a re-issue
    of a month replaces the first issue while other months add up.
    """
    if tally.first is None or tally.last is None:
        return None
    return f"{tally.first:%Y-%m-%d}..{tally.last:%Y-%m-%d}"


def submission_key(body: str, tally: Tally) -> str:
    """The body and the dates its file covers: one key per file of payments (the supplier files' key)."""
    dates = coverage(tally)
    return f"{body}#{dates}" if dates else body
