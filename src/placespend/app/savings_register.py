"""Adding entries to a user's savings register file: the same CSV `placespend deepdive savings FILE` reads.

Other parts of placespend (an asset scenario, say) produce savings that belong in the register a partnership
keeps. They are appended to that file, in its own column order, so the register stays the one place savings
are totalled with their ranges (seed 000 §6.3.2). The file changes only when the result reads back without an
error and no id clashes with an entry already there: a register is never left half-written.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from placespend.app.deepdive import user_table
from placespend.deepdive.inputs import SAVINGS, read_savings
from placespend.deepdive.savings import Saving, financial_year
from placespend.domain.problems import Report


def saving_row(entry: Saving) -> dict[str, str]:
    """An entry as a row of the register, by canonical column name."""
    return {"id": entry.id, "description": entry.description, "agency": entry.agency, "low": str(entry.amount.low),
            "central": str(entry.amount.central), "high": str(entry.amount.high), "recurrence": entry.recurrence,
            "capital_revenue": entry.capital_revenue, "start_year": financial_year(entry.start_year),
            "profile": ";".join(str(share) for share in entry.profile), "status": entry.status, "basis": entry.basis,
            "evidence": entry.evidence, "theme": entry.theme, "group": entry.group}


def add_to_register(path: Path, entries: list[Saving]) -> Report:
    """Append `entries` to the register at `path` (a new file gets every column); problems in the report."""
    report = Report(path.name)
    canonical = [column.name for column in SAVINGS.columns]
    existing = path.read_bytes().decode("utf-8-sig") if path.exists() and path.stat().st_size else ""
    header = canonical
    if existing.strip():
        header = _existing_header(path, existing, entries, report)
        if not report.ok:
            return report
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not existing.strip():
        writer.writerow(canonical)
    for entry in entries:
        row = saving_row(entry)
        writer.writerow([row[column.name] if (column := SAVINGS.column_for(h)) else "" for h in header])
    text = existing + ("" if not existing or existing.endswith("\n") else "\n") + buffer.getvalue()
    draft = path.with_name(f".{path.name}.draft")
    draft.write_text(text, encoding="utf-8")
    _, check = read_savings(user_table(draft, SAVINGS))
    if not check.ok:
        draft.unlink()
        for problem in check.errors:
            report.error(problem.slug, problem.message, row=problem.row, column=problem.column)
        return report
    os.replace(draft, path)
    return report


def _existing_header(path: Path, existing: str, entries: list[Saving], report: Report) -> list[str]:
    """The register's own headings, after checking it reads cleanly, has every column and no clashing id."""
    if path.suffix.lower() != ".csv":
        report.error("register-not-csv", "Entries can be added to a CSV savings register only; save it as CSV.")
        return []
    current, check = read_savings(user_table(path, SAVINGS))
    if not check.ok:
        report.error("register-has-errors", f"The savings register has {len(check.errors)} error(s); fix them "
                     "(placespend deepdive savings shows them) before adding entries.")
        return []
    header = next(csv.reader(io.StringIO(existing)))
    present = {column.name for h in header if (column := SAVINGS.column_for(h))}
    missing = [name for name in (c.name for c in SAVINGS.columns) if name not in present]
    if missing:
        report.error("register-columns-missing", f"The register has no column(s) {', '.join(missing)}; add them "
                     "(they may stay blank on existing rows) so the new entries keep their ranges.", row=1)
    rows = {entry.id: entry.row for entry in current}
    for entry in entries:
        if entry.id in rows:
            report.error("id-duplicate", f"Saving '{entry.id}' is already in the register (row {rows[entry.id]}); "
                         "this scenario was added before.", row=rows[entry.id], column="id", value=entry.id)
    return header
