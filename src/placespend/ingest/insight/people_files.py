"""Reading partners' people files: the raw case records a partner pseudonymises on its own machine, and the
pseudonymised files it then shares (DESIGN.md §7).

Problems are reported by row and column only, never with the value: the value is personal data, and a
report is printed, logged and shown on screens (`Problem.value` stays empty here on purpose). A file without
the required columns, or that is not CSV, is refused; a blank or malformed identifier is a missing value,
counted in a warning, because real registers are full of them and one bad cell must not stop a match.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from placespend.domain.person_identifiers import (
    BLOOM_BITS,
    BLOOM_COLUMNS,
    FINGERPRINT_COLUMN,
    IDENTIFIER_COLUMNS,
    REQUIRED_COLUMNS,
    TOKEN_COLUMNS,
    TOKEN_HEX,
    Identifiers,
    PersonRecord,
    first_given_name,
    normal_name,
    normal_postcode,
    normal_sex,
    parse_birth_date,
)
from placespend.domain.problems import Report

# Beyond this many, bad cells of one column are summarised in one warning instead of listed one by one.
LISTED_PER_COLUMN = 20
_MISSING_MESSAGES = {
    "first_name": "the first name is blank or has no letters; treated as missing",
    "surname": "the surname is blank or has no letters; treated as missing",
    "date_of_birth": "the date of birth is blank, not a YYYY-MM-DD date, or impossible; treated as missing",
    "postcode": "the postcode is blank or not a UK postcode; treated as missing",
}


@dataclass
class RecordsFile:
    """A raw records file as read: records only when the report has no errors (nothing is half-loaded)."""

    report: Report
    records: list[PersonRecord] = field(default_factory=list)
    attribute_columns: list[str] = field(default_factory=list)


def _text(data: bytes, report: Report) -> str | None:
    if not data.strip():
        report.error("file-empty", "The file is empty: there is nothing to read.")
        return None
    if data[:2] == b"PK" or b"\x00" in data[:4096]:
        report.error("file-not-csv", "This file is not a CSV (it holds binary data, e.g. a workbook): save it as "
                     "CSV, UTF-8.")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.error("file-not-utf8", "This file is not UTF-8 text: save it as CSV, UTF-8.")
        return None


def _check_header(header: list[str], required: Iterable[str], allowed: set[str], report: Report) -> bool:
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    unknown = [h for h in names if h not in allowed and not h.startswith("x_")]
    duplicated = sorted({h for h in names if names.count(h) > 1})
    if missing:
        report.error("columns-missing", f"Required columns missing: {', '.join(missing)}.", row=1)
    if unknown:
        report.error("columns-unknown", f"Unknown columns: {', '.join(unknown)} (extra columns must start with x_).",
                     row=1)
    if duplicated:
        report.error("columns-duplicated", f"Columns appear twice: {', '.join(duplicated)}.", row=1)
    return not (missing or unknown or duplicated)


class _MissingCounter:
    """Warnings for missing values: each cell by row and column up to a cap, then one count per column."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.counts: dict[str, int] = {}

    def missing(self, row: int, column: str) -> None:
        self.counts[column] = self.counts.get(column, 0) + 1
        if self.counts[column] <= LISTED_PER_COLUMN:
            self.report.warn("value-missing", _MISSING_MESSAGES[column], row=row, column=column)

    def close(self) -> None:
        for column, count in self.counts.items():
            if count > LISTED_PER_COLUMN:
                self.report.warn("values-missing", f"{count} rows in all have this value missing or malformed "
                                 f"(the first {LISTED_PER_COLUMN} are listed above).", column=column)


def _identifiers(cells: dict[str, str], row: int, counter: _MissingCounter) -> Identifiers:
    first = first_given_name(cells["first_name"])
    surname = normal_name(cells["surname"])
    dob = parse_birth_date(cells["date_of_birth"])
    postcode = normal_postcode(cells["postcode"])
    for column, value in (("first_name", first), ("surname", surname), ("date_of_birth", dob),
                          ("postcode", postcode)):
        if not value:
            counter.missing(row, column)
    return Identifiers(first, surname, dob, postcode, normal_sex(cells.get("sex", "")))


def _rows(reader: Iterator[list[str]], width: int, report: Report) -> Iterator[tuple[int, list[str]]]:
    for row, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            report.error("row-shape", f"This row has {len(cells)} fields where the header has {width}.", row=row)
            continue
        yield row, cells


def read_records(data: bytes, name: str) -> RecordsFile:
    """A partner's raw case records (`record_id`, names, date of birth, postcode, optional sex, `x_` columns)."""
    report = Report(name)
    text = _text(data, report)
    if text is None:
        return RecordsFile(report)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        allowed = {"record_id", *IDENTIFIER_COLUMNS}
        if not _check_header(header, REQUIRED_COLUMNS, allowed, report):
            return RecordsFile(report)
        names = [h.strip().lower() for h in header]
        attributes = [h for h in names if h.startswith("x_")]
        counter, seen, records = _MissingCounter(report), {}, []
        for row, cells in _rows(reader, len(names), report):
            values = dict(zip(names, cells, strict=True))
            record_id = values["record_id"].strip()
            if not record_id:
                report.error("record-id-missing", "The record_id is blank: every record needs one.", row=row,
                             column="record_id")
                continue
            if record_id in seen:
                report.error("record-id-duplicate", f"This record_id is also on row {seen[record_id]}.", row=row,
                             column="record_id")
                continue
            seen[record_id] = row
            records.append(PersonRecord(record_id, _identifiers(values, row, counter),
                                        {a: values[a] for a in attributes}))
    except csv.Error as exc:
        report.error("file-not-csv", f"This file cannot be read as CSV ({type(exc).__name__}).")
        return RecordsFile(report)
    counter.close()
    report.rows_read = len(records)
    return RecordsFile(report, records if report.ok else [], attributes)


@dataclass
class TokenFile:
    """A pseudonymised file as read: `table` (all strings, missing tokens null) only when the report is clean."""

    report: Report
    table: pa.Table | None = None
    fingerprint: str = ""

    @property
    def attribute_columns(self) -> list[str]:
        return [c for c in self.table.column_names if c.startswith("x_")] if self.table is not None else []


def read_tokens(data: bytes, name: str) -> TokenFile:
    """A `pseudonymise` output: `record_id`, `key_fingerprint`, the token columns and `x_` columns."""
    report = Report(name)
    if _text(data[:65536], report) is None and not report.ok:
        return TokenFile(report)
    try:
        # Every column is text: a token such as 1234e567... must not be read as a number and written back changed.
        header = next(csv.reader(io.StringIO(data[:65536].decode("utf-8-sig", "replace").split("\n", 1)[0])), [])
        table = pacsv.read_csv(pa.py_buffer(data), convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=True, null_values=[""],
            auto_dict_encode=False, check_utf8=True), read_options=pacsv.ReadOptions(autogenerate_column_names=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, csv.Error):  # csv.Error: a lone carriage return in the header
        report.error("file-not-csv", "This file cannot be read as CSV with one header row and rows of the same "
                     "number of fields.")
        return TokenFile(report)
    required = ("record_id", FINGERPRINT_COLUMN, *TOKEN_COLUMNS)
    if not _check_header(table.column_names, required, set(required), report):
        report.error("not-pseudonymised", "This is not a file made by `placespend insight pseudonymise`.")
        return TokenFile(report)
    table = table.rename_columns([c.strip().lower() for c in table.column_names])
    table = table.cast(pa.schema([pa.field(c, pa.string()) for c in table.column_names]))
    return _checked_tokens(table, report)


def _checked_tokens(table: pa.Table, report: Report) -> TokenFile:
    ids = table.column("record_id")
    if ids.null_count:
        report.error("record-id-missing", f"{ids.null_count} rows have a blank record_id.", column="record_id")
    if pc.count_distinct(ids).as_py() != len(ids) - ids.null_count:
        report.error("record-id-duplicate", "Some record_ids appear more than once.", column="record_id")
    prints = [p for p in pc.unique(table.column(FINGERPRINT_COLUMN)).to_pylist() if p]
    if len(prints) != 1 or table.column(FINGERPRINT_COLUMN).null_count:
        report.error("key-mixed", "The rows were not all pseudonymised with one key (key_fingerprint differs or "
                     "is blank): pseudonymise the whole file again with one key.", column=FINGERPRINT_COLUMN)
    for column in TOKEN_COLUMNS:
        digits = BLOOM_BITS // 4 if column in BLOOM_COLUMNS else TOKEN_HEX
        well_formed = pc.match_substring_regex(table.column(column), f"^[0-9a-f]{{{digits}}}$")
        bad = pc.sum(pc.invert(well_formed)).as_py()  # blanks are missing values: null, not counted
        if bad:
            report.error("token-malformed", f"{bad} rows have a value that is not a token of {digits} hex digits: "
                         "the file was changed after `placespend insight pseudonymise` made it.", column=column)
    if table.num_rows == 0:
        report.error("file-empty", "The file has a header but no records.")
    report.rows_read = table.num_rows
    if not report.ok:
        return TokenFile(report)
    return TokenFile(report, table, prints[0])
