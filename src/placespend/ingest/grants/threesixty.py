"""360Giving grants (CSV or JSON) as ledger lines: the funder passes money to the recipient in a place.

Each grant becomes, for its funder (the spender; one submission per funder found in the file):

- a **transfer** to the recipient organisation (``recipient`` = its org-id, compared case-insensitively),
  or a **spend** line when the recipient is an individual: a grant to a person is a benefit the funder pays.
- **period**: the financial year (April-March) of the award date; the whole amount awarded counts there,
  even for multi-year grants, because 360Giving gives the award, not the payments.
- **place**: the beneficiary location's GSS codes; without one, the recipient organisation's location;
  without that, the recipient itself when it is a local authority. A location written as an org-id
  (``GB-LAE-TRF``) is placed through the workspace's org-id lookup (`orgids`). Several codes at the chosen
  level split the grant equally: one line per place carrying its part of the amount (pennies shared out so
  the parts add up exactly), apportionment ``indicator`` (a proxy). A grant that cannot be placed is
  reported and not loaded.
- **cofog**: the keyword rule of `cofog_rules` (``cofog_source`` ``keyword_rule``, the keyword kept in
  ``extra``); unmatched grants take the rule file's fallback and are reported (``fallback_rule``).
- **regrants**: a grant with a 360Giving ``regrantType`` (FRG010 common regrant ... FRG070 multipurpose) goes
  to an intermediary that passes the money on. It stays a transfer to the intermediary, marked with
  ``x_regrant_type`` in ``extra`` and a note. If the intermediary publishes its own grants too, its onward
  grants are transfers *from* it, which makes it a reporter (DESIGN.md §4): the regrant to it is eliminated
  and the pound counts once, where the onward grants end; what it received but did not pass on is shown in
  the count's ``pass_through`` reconciliation, not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from placespend.domain import vocabulary as v
from placespend.domain.ledger_lines import FlowLine
from placespend.domain.problems import Report
from placespend.ingest.grants import cofog_rules, orgids
from placespend.ingest.grants.parse import Grant, grants_from_csv, grants_from_json
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch
from placespend.ingest.reference.ons import header_of

MAX_WARNINGS = 10
REGRANT_TYPES = {
    "FRG010": "common regrant", "FRG020": "transfer to intermediary", "FRG030": "match funding",
    "FRG040": "funder collaboration", "FRG050": "fiscal sponsor", "FRG060": "endowment", "FRG070": "multipurpose",
}
# org-id scheme (org-id.guide) -> spender/recipient type; GB-COH companies are decided by charity status.
SCHEME_TYPES = {
    "GB-LAE": "local_authority", "GB-LAS": "local_authority", "GB-LANI": "local_authority",
    "GB-PLA": "local_authority", "GB-GOR": "central_government", "GB-GOV": "central_government",
    "GB-NHS": "nhs", "GB-EDU": "education", "GB-UKPRN": "education", "GB-SCOTEDU": "education",
    "GB-NIEDU": "education", "GB-CHC": "third_sector", "GB-SC": "third_sector", "GB-NIC": "third_sector",
    "GB-MPR": "third_sector", "GB-REV": "third_sector", "360G": "third_sector",
}
THIRD_SECTOR_WORDS = ("cic", "community interest", "charity", "charitable", "trust", "foundation", "association")


def body_type(org_id: str, name: str, charity_number: str = "") -> str:
    """The body type of an organisation from its org-id scheme; publisher-minted ``360G-`` ids are community
    groups in practice, so third sector."""
    upper = org_id.upper()
    if "lottery" in name.lower():
        return "lottery"
    scheme = next((s for s in sorted(SCHEME_TYPES, key=len, reverse=True) if upper.startswith(s + "-")), None)
    if scheme:
        return SCHEME_TYPES[scheme]
    if upper.startswith("GB-COH-"):
        third = charity_number or any(word in name.lower() for word in THIRD_SECTOR_WORDS)
        return "third_sector" if third else "private"
    return "other"


def financial_year(date_text: str) -> str | None:
    try:
        date = dt.date.fromisoformat(date_text.strip()[:10])
    except ValueError:
        return None
    start = date.year if date.month >= 4 else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def places_of(grant: Grant) -> tuple[list[str], list[str]]:
    """GSS codes where the grant's benefit lands, and location codes that could not be resolved."""
    unresolved: list[str] = []
    levels = [grant.beneficiary_locations, grant.recipient_locations,
              [grant.recipient_id] if grant.recipient_id.upper().startswith(("GB-LAE-", "GB-LAS-", "GB-PLA-"))
              else []]
    for codes in levels:
        placed = []
        for code in codes:
            place = orgids.place_of(code)
            if place:
                placed.append(place)
            elif codes is not levels[2]:
                unresolved.append(code)
        if placed:
            return list(dict.fromkeys(placed)), unresolved
    return [], unresolved


class _Problems:
    """Warnings of one kind, the first few with their row and then one summary, so a big file stays legible."""

    def __init__(self, report: Report) -> None:
        self.report, self.seen = report, defaultdict(list)

    def add(self, slug: str, grant: Grant, message: str) -> None:
        self.seen[slug].append(grant)
        if len(self.seen[slug]) <= MAX_WARNINGS:
            self.report.warn(slug, message, row=grant.row, value=grant.id)

    def close(self, summaries: dict[str, str]) -> None:
        for slug, grants in self.seen.items():
            if len(grants) > MAX_WARNINGS or slug in summaries:
                money = sum((g.amount or Decimal(0) for g in grants), Decimal(0))
                self.report.warn(slug, f"{len(grants)} grants in all (GBP {money:,.2f}): "
                                 f"{summaries.get(slug, 'see the first ones above')}.")


def lines_of(grant: Grant, problems: _Problems) -> list[FlowLine]:
    if grant.amount is None or grant.currency.upper() != "GBP":
        problems.add("grant-amount-unusable", grant, f"Grant {grant.id}: amount '{grant.amount}' "
                     f"{grant.currency} is not an amount in GBP; not loaded.")
        return []
    period = financial_year(grant.award_date)
    funder = v.normalise_id(grant.funder_id or grant.funder_name)
    if period is None or not funder:
        problems.add("grant-incomplete", grant, f"Grant {grant.id} has no usable award date or funder; not loaded.")
        return []
    places, unresolved = places_of(grant)
    if unresolved:
        problems.add("grant-location-unknown", grant, f"Grant {grant.id}: location(s) {', '.join(unresolved)} are "
                     "neither ONS codes nor org-ids of the imported org-id lookup.")
    if not places:
        problems.add("grant-unplaced", grant, f"Grant {grant.id} (GBP {grant.amount:,.2f}) has no location that "
                     "resolves to an ONS area; not loaded.")
        return []
    recipient = v.normalise_id(grant.recipient_id or grant.recipient_name)
    if recipient and recipient == funder:
        problems.add("grant-to-self", grant, f"Grant {grant.id} is from {funder} to itself; not loaded.")
        return []
    match = cofog_rules.classify(grant.classifications, [grant.title, grant.description, grant.programme,
                                                         grant.recipient_name])
    if match.keyword is None:
        problems.add("grant-cofog-unmapped", grant, f"Grant {grant.id} ('{grant.title[:60]}') matched no keyword "
                     f"rule; counted under the fallback COFOG {match.cofog}.")
    extra = {k: val for k, val in (("x_cofog_keyword", match.keyword or ""), ("x_charity_number",
             grant.charity_number), ("x_company_number", grant.company_number),
             ("x_regrant_type", grant.regrant_type.upper())) if val}
    regrant = REGRANT_TYPES.get(grant.regrant_type.upper())
    note = (f"regrant ({grant.regrant_type.upper()} {regrant}): the intermediary passes this money on as grants"
            if regrant else None)
    individual = grant.to_individual or not recipient
    parts = _parts(grant.amount, len(places))
    if len(places) > 1:
        note = "; ".join(filter(None, [note, f"equal part of GBP {grant.amount:,.2f} shared by {len(places)} "
                                              "beneficiary areas"]))
    return [FlowLine(
        sheet=None, row=grant.row, period=period, place=place, spender=funder,
        spender_type=body_type(grant.funder_id, grant.funder_name), flow="spend" if individual else "transfer",
        amount=part, cofog=match.cofog, cofog_source=v.GRANT_COFOG_SOURCES[0 if match.keyword else 1],
        recipient=None if individual else recipient,
        recipient_type=None if individual else body_type(grant.recipient_id, grant.recipient_name,
                                                         grant.charity_number),
        spender_name=grant.funder_name or None, recipient_name=None if individual else grant.recipient_name or None,
        apportionment="actual" if len(places) == 1 else "indicator", funding_stream=grant.programme or None,
        line_id=grant.id if len(places) == 1 else f"{grant.id}#{n}", notes=note, extra=extra,
    ) for n, (place, part) in enumerate(zip(places, parts, strict=True), start=1)]


def _parts(amount: Decimal, count: int) -> list[Decimal]:
    """Equal parts to the penny that add up to exactly the amount (the first parts take the odd pennies)."""
    pennies = int((amount * 100).to_integral_value())
    base, extra = divmod(pennies, count)
    return [Decimal(base + (1 if n < extra else 0)) / 100 for n in range(count)]


def to_batches(grants: list[Grant], report: Report, source: str) -> list[ReferenceBatch]:
    problems = _Problems(report)
    by_funder: dict[str, list[FlowLine]] = defaultdict(list)
    names: dict[str, str] = {}
    for grant in grants:
        for line in lines_of(grant, problems):
            by_funder[line.spender].append(line)
            names.setdefault(line.spender, grant.funder_name or line.spender)
    problems.close({"grant-unplaced": "not loaded", "grant-cofog-unmapped": "counted under the fallback COFOG"})
    return [ReferenceBatch("flows", None, f"{source}: grants of {names[funder]}, {len(lines)} lines", lines, funder)
            for funder, lines in sorted(by_funder.items())]


def is_360_csv(probe: Probe) -> bool:
    keys = set(header_of(probe))
    return {"identifier", "amount awarded", "funding org:identifier"} <= keys


def is_360_json(probe: Probe) -> bool:
    text = "".join(probe.head[:40])
    return not probe.sheets and text.lstrip().startswith("{") and '"grants"' in text and "amountawarded" in text


def read_360_csv(path: Path, report: Report) -> list[ReferenceBatch]:
    return to_batches(grants_from_csv(path, report), report, "360Giving CSV")


def read_360_json(path: Path, report: Report) -> list[ReferenceBatch]:
    return to_batches(grants_from_json(path, report), report, "360Giving JSON")


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("360giving-csv", "flows", is_360_csv, read_360_csv,
           "360Giving grants (flattened CSV): funder -> recipient transfers placed by beneficiary location"),
    Reader("360giving-json", "flows", is_360_json, read_360_json,
           "360Giving grants (JSON): funder -> recipient transfers placed by beneficiary location"),
)
