"""Amounts, dates and financial years as publishers write them, with a reason when a cell is not one.

Spend files come out of finance systems and spreadsheets, so the same pound is written '1,234.56',
'£1,234.56', '(1,234.56)', '1234.56-', '1234.56 CR' or '-1234.56'; the same day '2019-04-01',
'01/04/2019', '1 Apr 2019', '01-APR-19', '01.04.2019' or an Excel serial number. Credits are kept as
negative amounts so that they net off against the payments they reverse.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d-%b-%Y",
                        "%d-%b-%y", "%d %B %Y", "%Y/%m/%d")
EXCEL_FORMAT = "excel"           # a date format naming Excel's serial day numbers (43789 = 2019-11-20)
EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
_CREDIT_SUFFIX = re.compile(r"^(.*?)\s*(CR|Cr|cr|-)$")
_NOISE = str.maketrans("", "", "£$€, \xa0'")
_FISCAL_PERIOD = re.compile(r"^(\d{4})\s*[-/ ]?\s*[Pp]?(\d{1,2})$")


class ValueProblem(ValueError):
    """A cell that is not the value its column needs; slug and message are for the load report."""

    def __init__(self, slug: str, message: str) -> None:
        super().__init__(message)
        self.slug = slug


def parse_amount(text: str) -> tuple[Decimal, bool]:
    """GBP to the penny and whether it had to be rounded (more than two decimal places)."""
    cleaned = text.strip().replace("GBP", "").replace("−", "-").translate(_NOISE)
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned, negative = cleaned[1:-1], True
    suffix = _CREDIT_SUFFIX.match(cleaned)
    if suffix and suffix.group(1) and not negative:
        cleaned, negative = suffix.group(1), True
    cleaned = cleaned.lstrip("+")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueProblem("amount-not-number", f"'{text}' is not an amount in pounds.") from None
    if not value.is_finite():
        raise ValueProblem("amount-not-number", f"'{text}' is not an amount in pounds.")
    if negative:
        value = -abs(value)
    pennies = value.quantize(PENNY, rounding=ROUND_HALF_UP)
    return pennies, pennies != value


class DateParser:
    """Parses dates with a publisher's formats, remembering each distinct string (files repeat them)."""

    def __init__(self, formats: tuple[str, ...] = DEFAULT_DATE_FORMATS) -> None:
        self.formats = formats
        self.seen: dict[str, dt.date | ValueProblem] = {}

    def __call__(self, text: str) -> dt.date:
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = self._parse(text)
        if isinstance(found, ValueProblem):
            raise found
        return found

    def _parse(self, text: str) -> dt.date | ValueProblem:
        value = text.strip()
        candidates = [value]
        if len(value) > 10 and (" " in value or "T" in value):   # a time after the date: 00:00:00
            candidates.append(value.replace("T", " ").split(" ")[0])
        for candidate in candidates:
            for fmt in self.formats:
                date = _excel_serial(candidate) if fmt == EXCEL_FORMAT else _strptime(candidate, fmt)
                if date is not None:
                    if not EARLIEST <= date <= LATEST:
                        return ValueProblem("date-out-of-range", f"{date:%d %B %Y} is not a plausible payment "
                                            "date; check the year.")
                    return date
        return ValueProblem("date-invalid", f"'{text}' is not a date this publisher writes "
                            f"(expected e.g. {_example(self.formats)}).")


def financial_year(date: dt.date) -> str:
    """UK financial year 'YYYY-YY' running 1 April to 31 March."""
    start = date.year if date.month >= 4 else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def fiscal_period_year(text: str) -> str:
    """Financial year of a ledger period written 'YYYYPP' (e.g. Gateshead's 201908: 2019-20, period 8)."""
    match = _FISCAL_PERIOD.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 16:
        raise ValueProblem("period-invalid", f"'{text}' is not a ledger period like 201908 (year, period).")
    start = int(match.group(1))
    return f"{start}-{(start + 1) % 100:02d}"


def _strptime(text: str, fmt: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def _excel_serial(text: str) -> dt.date | None:
    try:
        serial = float(text)
    except ValueError:
        return None
    if not 20000 <= serial <= 80000:  # 1954 .. 2119: anything else is not a date serial
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _example(formats: tuple[str, ...]) -> str:
    sample = dt.date(2019, 4, 30)
    return " or ".join(sample.strftime(f) if f != EXCEL_FORMAT else "43585" for f in formats[:2])
