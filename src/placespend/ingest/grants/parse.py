"""360Giving grants, from either serialisation, as one plain record per grant.

The 360Giving Standard publishes the same grant as flattened CSV (``Recipient Org:Identifier``,
``Beneficiary Location:0:Geographic Code`` ...) or as JSON (``{"grants": [{"recipientOrganization": [...]}]}``).
Both are read into `Grant`, so the rules that turn grants into ledger lines are written once.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from placespend.domain.problems import Report
from placespend.ingest.decoding import open_text

INDEX = re.compile(r":\d+(?=:|$)")
REQUIRED_CSV = ("identifier", "amount awarded", "award date", "funding org:identifier")


@dataclass
class Grant:
    row: int                       # CSV line, or position in the JSON list (1-based)
    id: str
    title: str = ""
    description: str = ""
    currency: str = "GBP"
    amount: Decimal | None = None
    award_date: str = ""
    funder_id: str = ""
    funder_name: str = ""
    recipient_id: str = ""
    recipient_name: str = ""
    charity_number: str = ""
    company_number: str = ""
    to_individual: bool = False
    recipient_locations: list[str] = field(default_factory=list)
    beneficiary_locations: list[str] = field(default_factory=list)
    regrant_type: str = ""
    programme: str = ""
    classifications: list[str] = field(default_factory=list)


def amount_of(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


# ---- CSV ---------------------------------------------------------------------------------------------------

def _path_of(name: str) -> tuple[str, int]:
    """'Beneficiary Location:1:Geographic Code' -> ('beneficiary location:geographic code', 1)."""
    key = name.strip().lower()
    index = re.search(r":(\d+)(?=:|$)", key)
    return INDEX.sub("", key), int(index.group(1)) if index else 0


def grants_from_csv(path: Path, report: Report) -> list[Grant]:
    rows = csv.reader(open_text(path))
    header = next(rows, [])
    paths = [_path_of(name) for name in header]
    missing = [key for key in REQUIRED_CSV if key not in {p for p, _ in paths}]
    if missing:
        report.error("column-missing", f"360Giving columns missing: {', '.join(missing)}.")
        return []
    grants = []
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values: dict[str, list[tuple[int, str]]] = {}
        for (key, index), cell in zip(paths, cells, strict=False):
            if cell.strip():
                values.setdefault(key, []).append((index, cell.strip()))

        def one(key: str, values: dict[str, list[tuple[int, str]]] = values) -> str:
            found = sorted(values.get(key, []))
            return found[0][1] if found else ""

        def many(key: str, values: dict[str, list[tuple[int, str]]] = values) -> list[str]:
            return [text for _, text in sorted(values.get(key, []))]

        grants.append(Grant(
            row=number, id=one("identifier"), title=one("title"), description=one("description"),
            currency=one("currency") or "GBP", amount=amount_of(one("amount awarded")),
            award_date=one("award date"), funder_id=one("funding org:identifier"),
            funder_name=one("funding org:name"), recipient_id=one("recipient org:identifier"),
            recipient_name=one("recipient org:name"), charity_number=one("recipient org:charity number"),
            company_number=one("recipient org:company number"),
            to_individual=bool(one("recipient ind:identifier")) and not one("recipient org:identifier"),
            recipient_locations=many("recipient org:location:geographic code"),
            beneficiary_locations=many("beneficiary location:geographic code"),
            regrant_type=one("regrant type"), programme=one("grant programme:title"),
            classifications=many("classifications:title"),
        ))
    report.rows_read = len(grants)
    return grants


# ---- JSON --------------------------------------------------------------------------------------------------

def _first(items: Any) -> dict[str, Any]:
    if isinstance(items, list):
        return items[0] if items and isinstance(items[0], dict) else {}
    return items if isinstance(items, dict) else {}


def _codes(locations: Any) -> list[str]:
    found = locations if isinstance(locations, list) else [locations] if isinstance(locations, dict) else []
    return [str(loc["geoCode"]).strip() for loc in found if isinstance(loc, dict) and loc.get("geoCode")]


def grants_from_json(path: Path, report: Report) -> list[Grant]:
    try:
        data = json.loads(open_text(path).read(), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        report.error("json-invalid", f"This is not valid JSON: {exc.msg} at line {exc.lineno}.")
        return []
    items = data.get("grants") if isinstance(data, dict) else None
    if not isinstance(items, list):
        report.error("json-no-grants", "The JSON has no 'grants' list (360Giving JSON starts {\"grants\": [...]}).")
        return []
    grants = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        recipient, funder = _first(item.get("recipientOrganization")), _first(item.get("fundingOrganization"))
        individual = _first(item.get("recipientIndividual"))
        grants.append(Grant(
            row=number, id=str(item.get("id", "")), title=str(item.get("title", "")),
            description=str(item.get("description", "")), currency=str(item.get("currency") or "GBP"),
            amount=amount_of(item.get("amountAwarded")), award_date=str(item.get("awardDate", "")),
            funder_id=str(funder.get("id", "")), funder_name=str(funder.get("name", "")),
            recipient_id=str(recipient.get("id", "")), recipient_name=str(recipient.get("name", "")),
            charity_number=str(recipient.get("charityNumber", "")),
            company_number=str(recipient.get("companyNumber", "")),
            to_individual=bool(individual) and not recipient,
            recipient_locations=_codes(recipient.get("location")),
            beneficiary_locations=_codes(item.get("beneficiaryLocation")),
            regrant_type=str(item.get("regrantType") or ""),
            programme=str(_first(item.get("grantProgramme")).get("title", "")),
            classifications=[str(c.get("title", "")) for c in item.get("classifications") or [] if isinstance(c, dict)],
        ))
    report.rows_read = len(grants)
    return grants
