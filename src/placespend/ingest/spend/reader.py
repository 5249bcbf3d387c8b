"""The `spend` reader: recognise a transaction spend file by its header and load it as ledger lines.

`placespend import FILE...` probes each file; this reader claims it when a layout profile fits its header
(or nearly fits, so that a missing column is named), or when the header plainly is a spend file whose
publisher has no profile yet (then it says how to write one). Reading never stops at a bad row: rows are
reported one by one and the file loads with the rest, unless nothing in it can be read. The lines form one
accepted submission of the publishing body (see `tally.coverage` for how months add up).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.decoding import DecodedText, decode, read_raw
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch
from placespend.ingest.spend import header, rows
from placespend.ingest.spend import profile as profiles
from placespend.ingest.spend.tally import Capped, coverage, summarise
from placespend.ingest.spend.transactions import LineBuilder

README = "src/placespend/ingest/spend/profiles/README.md"


def matches(probe: Probe) -> bool:
    """A profile fits (or nearly fits) the header in the first lines, or the header is plainly spend."""
    if probe.sheets:
        return False
    head = list(enumerate(csv.reader(probe.head), 1))
    found, _ = profiles.all_profiles(probe.path)
    if header.locate(head, found) is not None:
        return True
    return any(header.looks_like_spend(cells) for _, cells in head[:header.HEADER_SEARCH])


def read(path: Path, report: Report, forced: profiles.Profile | None = None) -> list[ReferenceBatch]:
    builder = build(path, report, forced)
    if builder is None:
        return []
    if not builder.lines:
        report.warn("file-no-payments", "The file has a header but no payments; nothing is loaded.")
        return []
    profile = builder.profile
    body, dates = profile.publisher.body, coverage(builder.tally)
    note = f"{profile.description or profile.id}; stored as submitter '{body}'" + (f" for {dates}" if dates else "")
    return [ReferenceBatch("flows", None, note=note, lines=builder.lines, submitter=body, coverage=dates)]


def build(path: Path, report: Report, forced: profiles.Profile | None = None,
          keep_rows: bool = False) -> LineBuilder | None:
    """The file's rows read into ledger lines and tallied, or None when the file cannot be read at all.

    `keep_rows` also keeps each kept line's role values (`LineBuilder.kept_rows`), for readers that need
    more of a row than the ledger stores (the supplier resolution reads payees' identifiers).
    """
    decoded = _decoded(path, report)
    if decoded is None:
        return None
    try:
        source = list(rows.records(decoded))
    except csv.Error as exc:
        report.error("csv-unreadable", f"The file cannot be split into rows and columns ({exc}); save it again as "
                     "CSV from the spreadsheet it came from.")
        return None
    if decoded.truncated:
        report.warn("file-truncated", "The compressed file is cut short; the rows up to the cut are read and the "
                    "last row may be incomplete.", row=len(source))
    known, problems = profiles.all_profiles(path)
    for problem in problems:
        report.warn("spend-profile-invalid", f"A spend profile could not be used: {problem}")
    head = [(r.number, r.cells) for r in source[:header.HEADER_SEARCH]]
    layout = header.force(head, forced) if forced else header.locate(head, known)
    if layout is None:
        _unrecognised(source, report)
        return None
    if not _usable(layout, source, path, report):
        return None
    capped = Capped(report)
    builder = LineBuilder(layout.profile, path, capped, keep_rows)
    for row in rows.data_rows(source, layout, capped, decoded.fallback, rows.relayout_with(layout)):
        builder.add(row)
    capped.flush()
    tally = builder.tally
    report.rows_read = tally.rows
    if tally.rows and not tally.lines and not tally.income:
        report.error("file-no-lines", f"None of the {tally.rows:,} rows could be read as a payment; see the warnings "
                     "for each row.")
        return None
    summarise(tally, layout.profile, report)
    return builder


def _decoded(path: Path, report: Report) -> DecodedText | None:
    raw, truncated = read_raw(path)
    if not raw.strip():
        report.error("file-empty", "The file is empty (or a compressed file with nothing in it): nothing to load.")
        return None
    decoded = decode(raw)
    decoded.truncated = truncated
    if decoded.fallback is None and decoded.encoding not in ("utf-8", "utf-16"):
        report.warn("encoding-legacy", f"The file is not UTF-8; it was read as {decoded.encoding}. Names with "
                    "accents or symbols may need checking.")
    if decoded.nul_bytes:
        report.warn("nul-bytes", "The file contains NUL bytes (a sign of a bad export); they were removed.")
    return decoded


def _usable(layout: header.Layout, source: list[rows.Record], path: Path, report: Report) -> bool:
    """Errors for a header that cannot be read (missing columns); warnings for what was read unusually."""
    profile = layout.profile
    where = {"row": layout.header_row}
    for role in layout.missing:
        usual = profile.columns[role][0]
        report.error("column-missing", f"This looks like {profile.publisher.name}'s spend file ({profile.id}) but "
                     f"its '{usual}' column ({role.replace('_', ' ')}) is missing; no line can be read without "
                     "it.", column=usual, **where)
    if profile.date_from_filename and _filename_has_no_date(profile, path):
        report.error("date-from-filename", f"Profile {profile.id} takes the month from the file name, but "
                     f"'{path.name}' does not match '{profile.date_from_filename.pattern}'.")
    if not report.ok:
        return False
    preamble = [r for r in source if r.number < layout.header_row and any(c.strip() for c in r.cells)]
    if preamble:
        first = " ".join(preamble[0].cells).strip()
        report.warn("preamble-skipped", f"The {layout.header_row - 1} lines above the header (row {layout.header_row}) "
                    f"are a preamble and were skipped, starting '{first[:60]}'.", row=preamble[0].number)
    for column, found, usual in layout.variants:
        report.warn("header-variant", f"Column '{found}' is read as '{usual}', the name {profile.publisher.name} "
                    "usually gives it; check the column still holds the same thing.",
                    column=layout.label(column), value=found, **where)
    for column in layout.unknown:
        report.warn("column-unrecognised", f"Column '{layout.header[column]}' is not in profile {profile.id}; its "
                    "values are kept with each line but not used.", column=layout.label(column), **where)
    return True


def _filename_has_no_date(profile: profiles.Profile, path: Path) -> bool:
    pattern = profile.date_from_filename
    return pattern is not None and pattern.search(path.name) is None


def _unrecognised(source: list[rows.Record], report: Report) -> None:
    """No profile fits: say how to add one when the header is plainly spend, else that none was found."""
    spend_like = next((r.cells for r in source[:header.HEADER_SEARCH] if header.looks_like_spend(r.cells)), None)
    if spend_like is not None:
        report.error("spend-profile-missing", "This looks like a spend file (columns "
                     f"{', '.join(c.strip() for c in spend_like if c.strip())}) but no layout profile names its "
                     f"publisher. Write a profile (see {README}) beside the file as <name>.profile.json.")
    else:
        report.error("header-not-found", f"No spend file header was found in the first {header.HEADER_SEARCH} "
                     "lines.")


def _forced(profile: profiles.Profile) -> Callable[[Path, Report], list[ReferenceBatch]]:
    """The reader behind `--kind spend:<profile id>`: that profile, wherever its header fits best."""
    def read_forced(path: Path, report: Report) -> list[ReferenceBatch]:
        return read(path, report, profile)
    return read_forced


SPEND = Reader("spend", "flows", matches, read,
               "Transaction spend files ('spend over GBP 500', GLA, central government over GBP 25k), recognised "
               "by layout profiles")
# `--kind spend:<profile id>` forces one publisher's layout; these never claim a file by themselves.
PROFILE_READERS = tuple(Reader(f"spend:{profile.id}", "flows", lambda probe: False, _forced(profile),
                               f"Spend file of {profile.publisher.name} ({profile.description})")
                        for profile in profiles.packaged())
# Tried last (ingest.registry puts them at the end): the spend reader claims any file that merely looks like spend.
READERS = (*PROFILE_READERS, SPEND)
