"""One spend row to one ledger line, or to a reason it is not counted.

A row is not counted when it has no usable date or amount, when it is a totals row (it would count the
month twice), or when it is income (reported apart). Everything else becomes a FlowLine of the
publishing body in its place, in the financial year of its payment date, with its COFOG function, as a
`transfer` when the payee is another public body, and with the original cells in `extra` so that any
figure can be traced back to the publisher's own row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from placespend.domain.ledger_lines import FlowLine
from placespend.ingest.spend import classify
from placespend.ingest.spend.header import Layout
from placespend.ingest.spend.profile import Profile
from placespend.ingest.spend.rows import Row
from placespend.ingest.spend.tally import Sink, Tally, gbp
from placespend.ingest.spend.values import DateParser, ValueProblem, financial_year, fiscal_period_year, parse_amount
from placespend.ingest.values import looks_like_totals

TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sub total", "subtotal", "sub-total", "report total"})


@dataclass(frozen=True)
class KeptRow:
    """A kept line's cells by role and the header they were read under: what a reader needs of a row beyond
    the ledger line (the supplier resolution reads payees' VAT and company numbers and what was bought)."""

    values: dict[str, str]
    layout: Layout
    own: bool               # a payment to the publisher itself


class LineBuilder:
    """Turns the rows of one file into ledger lines with one profile, tallying what it kept and why not."""

    def __init__(self, profile: Profile, path: Path, report: Sink, keep_rows: bool = False) -> None:
        self.profile, self.report = profile, report
        self.keep_rows = keep_rows
        self.kept_rows: list[KeptRow] = []   # parallel to `lines` when keep_rows
        self.dates = DateParser(profile.date_formats)
        self.tally = Tally()
        self.lines: list[FlowLine] = []
        self.file_date = _date_from_name(profile.date_from_filename, path)
        self.classifiers: dict[int, classify.Classifier] = {}
        self.own: dict[tuple[str, str], bool] = {}

    def add(self, row: Row) -> None:
        self.tally.rows += 1
        if row.dropped:
            self.tally.rejected[row.dropped] += 1
            self.tally.rejected_rows += 1
            return
        layout = row.layout
        values = {role: row.cells[i].strip() for role, i in layout.index.items()}
        if self._is_totals(row, values):
            self.tally.totals_rows += 1
            self.report.warn("totals-row", f"This is a totals row ('{values.get('amount', '')}'); it is left out so "
                             "the month is not counted twice.", row=row.number, value=values.get("amount"))
            return
        if values.get("amount") and not any(c.strip() for i, c in enumerate(row.cells) if i != layout.index["amount"]):
            self.tally.totals_rows += 1
            self.report.warn("subtotal-row", f"This row holds an amount ({values['amount']}) and nothing else: a "
                             "subtotal. It is left out so the money is not counted twice.", row=row.number,
                             column=layout.label(layout.index["amount"]), value=values["amount"])
            return
        period, date = self._period(row, values)
        amount = self._amount(row, values)
        if period is None or amount is None:
            self.tally.rejected_rows += 1
            self.tally.rejected_amount += amount or 0
            return
        meaning = self._classifier(layout).meaning(values)
        if meaning.income is not None:
            self.tally.income += 1
            self.tally.income_amount += amount
            self.tally.income_kinds[values.get(meaning.income.column, "")] += 1
            return
        self._keep(row, values, period, date, amount, meaning)

    def _classifier(self, layout: Layout) -> classify.Classifier:
        found = self.classifiers.get(id(layout))
        if found is None:
            found = self.classifiers[id(layout)] = classify.Classifier(self.profile, list(layout.index))
        return found

    def _is_totals(self, row: Row, values: dict[str, str]) -> bool:
        if "total" not in "".join(row.cells).casefold():
            return False
        if any(cell.strip().casefold() in TOTAL_WORDS for cell in row.cells):
            return True
        if looks_like_totals(row.cells) is None or self.file_date is not None:
            return False
        try:
            self.dates(values.get("date", ""))
        except ValueProblem:
            return True
        return False

    def _reject(self, row: Row, slug: str, role: str, message: str, value: str | None = None) -> None:
        self.tally.rejected[slug] += 1
        column = row.layout.label(row.layout.index[role]) if role in row.layout.index else role
        self.report.warn(slug, f"{message} The row is not counted.", row=row.number, column=column, value=value)

    def _period(self, row: Row, values: dict[str, str]) -> tuple[str | None, dt.date | None]:
        if self.file_date is not None:
            return financial_year(self.file_date), self.file_date
        text = values.get("date", "")
        if text:
            try:
                date = self.dates(text)
                return financial_year(date), date
            except ValueProblem as problem:
                self._reject(row, problem.slug, "date", str(problem), text)
                return None, None
        ledger = values.get("fiscal_period", "")
        if ledger:
            try:
                year = fiscal_period_year(ledger)
            except ValueProblem as problem:
                self._reject(row, "date-missing", "date", f"The date is blank and {problem}", ledger)
                return None, None
            self.report.warn("date-missing", f"The date is blank; the line is put in {year} from its ledger period "
                             f"'{ledger}'.", row=row.number, column=row.layout.label(row.layout.index["date"]))
            return year, None
        self._reject(row, "date-missing", "date", "The payment date is blank.")
        return None, None

    def _amount(self, row: Row, values: dict[str, str]) -> Decimal | None:
        text = values.get("amount", "")
        if not text:
            self._reject(row, "amount-missing", "amount", "The amount is blank.")
            return None
        try:
            amount, rounded = parse_amount(text)
        except ValueProblem as problem:
            self._reject(row, problem.slug, "amount", str(problem), text)
            return None
        if rounded:
            self.report.warn("amount-rounded", f"'{text}' has more than two decimal places; it is counted as "
                             f"{gbp(amount)}.", row=row.number, column=row.layout.label(row.layout.index["amount"]),
                             value=text)
        return amount

    def _keep(self, row: Row, values: dict[str, str], period: str, date: dt.date | None, amount: Decimal,
              meaning: classify.Meaning) -> None:
        tally, profile = self.tally, self.profile
        cofog, spender = meaning.cofog, meaning.spender
        payee = classify.payee(values.get("payee", ""))
        own = self._own(payee, spender.body)
        transfer = payee.public_type is not None and not own
        notes = list(row.repairs)
        if own and payee.name:
            notes.append("payment to the publisher itself")
        tally.lines += 1
        tally.kept += amount
        tally.by_year[period] += amount
        if amount < 0:
            tally.credits += 1
            tally.credit_amount += amount
        if cofog.source == classify.UNMAPPED:
            tally.unmapped += 1
            tally.unmapped_amount += amount
            tally.unmapped_values[cofog.because] += 1
        if transfer:
            tally.transfers += 1
            tally.transfer_amount += amount
        if date is not None:
            tally.seen_date(date)
            self._threshold(date, amount)
        self.lines.append(FlowLine(
            sheet=None, row=row.number, period=period, place=profile.place, spender=spender.body,
            spender_type=spender.type, flow="transfer" if transfer else "spend", amount=amount, cofog=cofog.code,
            cofog_source=cofog.source, recipient=payee.id if transfer else None,
            recipient_type=payee.public_type if transfer else None, spender_name=spender.name,
            recipient_name=payee.name if transfer else None,
            service_scheme=profile.service_scheme if values.get("service_code") else None,
            service_code=values.get("service_code") or None, capital_revenue=meaning.capital_revenue,
            line_id=values.get("transaction_id") or None, notes="; ".join(notes) or None, extra=_extra(row),
        ))
        if self.keep_rows:
            self.kept_rows.append(KeptRow(values, row.layout, own))

    def _own(self, payee: classify.Payee, spender: str) -> bool:
        """A payment to the publisher itself (an internal recharge) is its own spend, never a transfer."""
        key = (payee.name, spender)
        found = self.own.get(key)
        if found is None:
            found = self.own[key] = payee.id == spender or any(p.search(payee.name) for p in self.profile.self_names)
        return found

    def _threshold(self, date: dt.date, amount: Decimal) -> None:
        threshold = self.profile.threshold_at(date)
        if threshold is None:
            return
        self.tally.thresholds.add(threshold)
        if Decimal(0) < amount < threshold.amount:
            self.tally.below_threshold += 1
            self.tally.below_amount += amount


def _extra(row: Row) -> dict[str, str]:
    """The publisher's own cells, under its own column names, for tracing a line back to its source row."""
    extra = {}
    for i, cell in enumerate(row.cells):
        text = cell.strip()
        if text:
            extra[row.layout.header[i] or row.layout.label(i)] = text
    if row.surplus:
        extra["surplus cells"] = " | ".join(row.surplus)
    return extra


def _date_from_name(pattern: re.Pattern[str] | None, path: Path) -> dt.date | None:
    """Files without a date column (monthly supplier totals) take the month their file name gives."""
    if pattern is None:
        return None
    match = pattern.search(path.name)
    if match is None:
        return None
    return dt.date(int(match.group("year")), int(match.group("month")), 1)

