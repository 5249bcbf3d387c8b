"""Partners' transaction spend files read as payments to suppliers, for resolving who those suppliers are.

The file is read by the spend reader (`ingest.spend.reader.build`): the same layout profiles, encodings,
repairs and row warnings as `placespend import`, and the same lines, so a supplier's figures add up to what
the ledger holds for the file. Besides each line, the reader keeps the row's cells by role, from which this
module takes the payee's published name, the identifiers some publishers give (the partner's own supplier
account, VAT, company and charity numbers) and what the money bought (the first of ProClass label,
expense type, CIPFA subjective, service area ... that the file has).

A file the spend reader refuses is refused here with its errors; a file without a payee column is refused
(there is nothing to resolve); a bad identifier is reported on its row and column and left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.fingerprint import file_fingerprint
from placespend.ingest.spend import classify, reader
from placespend.ingest.spend.header import Layout
from placespend.ingest.spend.tally import gbp, submission_key
from placespend.ingest.spend.transactions import KeptRow
from placespend.ingest.suppliers import identifiers
from placespend.ingest.suppliers.names import supplier_name

# Roles naming what was bought, most specific first, with the name of the scheme a reader sees.
CATEGORY_ROLES = (("proclass", "ProClass"), ("expense_type", "expense type"), ("subjective", "CIPFA subjective"),
                  ("service_area", "service area"), ("cost_centre", "cost centre"), ("expense_area", "expense area"),
                  ("unit", "organisational unit"))
ACCOUNT_ROLES = ("payee_id", "vendor_id", "supplier_id")
IDENTIFIER_ROLES = {"vat_number": identifiers.vat_number, "company_number": identifiers.company_number,
                    "charity_number": identifiers.charity_number}


@dataclass(frozen=True)
class SupplierPayment:
    """One kept line of a spend file, seen as a payment to a supplier."""

    row: int
    partner: str
    partner_name: str | None
    partner_type: str
    period: str
    amount: Decimal
    payee: str                     # as published, spaces collapsed
    payee_key: str | None          # folded name; None for a redacted or blank payee
    legal_name: str | None         # folded name before 'T/A' (the key when there is none)
    trading_name: str | None       # folded name after 'T/A'
    account: str | None            # the partner's own supplier id (scoped to the partner)
    vat_number: str | None
    company_number: str | None
    charity_number: str | None
    category: str | None
    category_scheme: str | None
    public_type: str | None        # body type when the payee is a public body
    own: bool                      # a payment to the partner itself
    capital_revenue: str


@dataclass
class SupplierFile:
    file_name: str
    source_key: str                # '<body>#<first date>..<last date>': a re-issued month replaces the first
    content_hash: str
    profile: str
    payments: list[SupplierPayment]

    @property
    def amount(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))


def read_supplier_file(path: Path, display_name: str | None = None) -> tuple[SupplierFile | None, Report]:
    """The file's payments, or None with the errors that refuse it."""
    report = Report(display_name or path.name)
    builder = reader.build(path, report, keep_rows=True)
    if builder is None:
        return None, report
    if not builder.lines:
        report.error("file-no-payments", "The file has a header but no payments: there are no suppliers to read.")
        return None, report
    layout = builder.kept_rows[0].layout
    if "payee" not in layout.index:
        usual = builder.profile.columns.get("payee", ["a supplier name"])[0]
        report.error("supplier-column-missing", f"The file has no column naming the supplier ({usual}); "
                     "suppliers cannot be read from it.", row=layout.header_row, column=usual)
        return None, report
    scheme = next(((role, label) for role, label in CATEGORY_ROLES if role in layout.index), None)
    bad: dict[tuple[str, str], list[int]] = {}
    payments = [_payment(line, kept, scheme, bad) for line, kept in zip(builder.lines, builder.kept_rows,
                                                                       strict=True)]
    _report_bad_identifiers(bad, layout, report)
    _summarise_identifiers(payments, report)
    key = submission_key(builder.profile.publisher.body, builder.tally)
    return SupplierFile(report.file, key, file_fingerprint(path), builder.profile.id, payments), report


def _payment(line, kept: KeptRow, scheme: tuple[str, str] | None,
             bad: dict[tuple[str, str], list[int]]) -> SupplierPayment:
    """One payment; a redacted payee keeps no identifier at all (a sole trader's VAT number is personal data)."""
    values = kept.values
    published = " ".join(values.get("payee", "").split())
    folded = supplier_name(published)
    found = {role: _identifier(role, values.get(role, ""), line.row, bad) if folded else None
             for role in IDENTIFIER_ROLES}
    account = next((values[r].strip() for r in ACCOUNT_ROLES if values.get(r, "").strip()), None) if folded else None
    category = (values.get(scheme[0], "").strip() or None) if scheme else None
    return SupplierPayment(
        row=line.row, partner=line.spender, partner_name=line.spender_name, partner_type=line.spender_type,
        period=line.period, amount=line.amount, payee=published, payee_key=folded.key if folded else None,
        legal_name=folded.legal if folded else None, trading_name=(folded.trading or None) if folded else None,
        account=account, vat_number=found["vat_number"], company_number=found["company_number"],
        charity_number=found["charity_number"], category=category, category_scheme=scheme[1] if scheme else None,
        public_type=classify.payee(published).public_type if published else None, own=kept.own,
        capital_revenue=line.capital_revenue)


def _identifier(role: str, text: str, row: int, bad: dict[tuple[str, str], list[int]]) -> str | None:
    if not text.strip():
        return None
    try:
        return _checked(role, text)
    except identifiers.IdentifierProblem:
        bad.setdefault((role, text.strip()), []).append(row)
        return None


@lru_cache(maxsize=65536)
def _checked(role: str, text: str) -> str | None:
    return IDENTIFIER_ROLES[role](text)


def _report_bad_identifiers(bad: dict[tuple[str, str], list[int]], layout: Layout, report: Report) -> None:
    """One warning per bad value (its first row, and how many rows repeat it): a file repeats a supplier's
    VAT number on every payment, and a thousand copies of one warning hide the others."""
    for (role, text), rows in bad.items():
        try:
            _checked(role, text)
        except identifiers.IdentifierProblem as problem:
            again = f" (and on {len(rows) - 1:,} more rows)" if len(rows) > 1 else ""
            column = layout.label(layout.index[role]) if role in layout.index else role
            report.warn(f"{role.replace('_', '-')}-invalid", f"{problem}; it is not used to match this "
                        f"supplier{again}.", row=rows[0], column=column, value=text)


def _summarise_identifiers(payments: list[SupplierPayment], report: Report) -> None:
    """What the file gives to resolve its suppliers with: names, how many are redacted, identifiers."""
    unnamed = [p for p in payments if p.payee_key is None]
    names = Counter(p.payee_key for p in payments if p.payee_key)
    with_ids = Counter(role for p in payments for role in ("account", *IDENTIFIER_ROLES) if getattr(p, role))
    amount = sum((p.amount for p in unnamed), Decimal(0))
    message = (f"{len(payments):,} payments to {len(names):,} supplier names; {len(unnamed):,} payments "
               f"({gbp(amount)}) are to redacted or blank payees, kept in the partner's totals but matched to no "
               "supplier.")
    if with_ids:
        message += " Identifiers given: " + ", ".join(f"{role.replace('_', ' ')} on {n:,} payments"
                                                      for role, n in sorted(with_ids.items())) + "."
    report.warn("supplier-summary", message)
