"""Department -> regional agency -> council chains, one per area, for the count's pass-through rule.

The agency (an NDPB) reports only transfers, each naming the department as its funder: it is a
pass-through (DESIGN.md §4). Amounts in GBP, 2008-09, every line with place share 1:

    tp-whole (area E07000101), the whole chain: dept transfers 1,234,567.89 to the agency, the agency
        passes all of it to the council, the council spends it on 09.1 (funder: the agency).
    tp-short (area E07000102), passed on less: dept transfers 500,000.00 to the agency, the agency passes
        420,000.00 to the council, the council spends 420,000.00 on 09.1. The agency kept 80,000.00 that
        nobody reported spending.
    tp-silent (area E07000103), to a body that reports nothing: dept transfers 300,000.00 to the agency,
        the agency passes all of it to a trust (third sector) that sends no return.
    tp-chain is the three areas together.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import Cli, line, write_csv

WHOLE, SHORT, SILENT, CHAIN = "tp-whole", "tp-short", "tp-silent", "tp-chain"
AREAS = {WHOLE: "E07000101", SHORT: "E07000102", SILENT: "E07000103"}
YEAR = "2008-09"
D = Decimal

DEPT = {"spender": "dept", "spender_type": "central_government", "spender_name": "Department"}
AGENCY = {"spender": "agency", "spender_type": "ndpb", "spender_name": "Regional Agency",
          "funder": "dept", "funder_type": "central_government"}
COUNCIL = {"spender": "council", "spender_type": "local_authority", "funder": "agency", "funder_type": "ndpb"}
TO_AGENCY = {"flow": "transfer", "recipient": "agency", "recipient_type": "ndpb"}
TO_COUNCIL = {"flow": "transfer", "recipient": "council", "recipient_type": "local_authority"}
TO_TRUST = {"flow": "transfer", "recipient": "trust", "recipient_type": "third_sector"}


def chain_files() -> dict[str, list[dict[str, Any]]]:
    """Each body's return: the lines of the three chains above."""
    return {
        "dept.csv": [line(place=AREAS[WHOLE], **DEPT, **TO_AGENCY, amount="1234567.89", cofog="09.1"),
                     line(place=AREAS[SHORT], **DEPT, **TO_AGENCY, amount="500000.00", cofog="09.1"),
                     line(place=AREAS[SILENT], **DEPT, **TO_AGENCY, amount="300000.00", cofog="10.7")],
        "agency.csv": [line(place=AREAS[WHOLE], **AGENCY, **TO_COUNCIL, amount="1234567.89", cofog="09.1"),
                       line(place=AREAS[SHORT], **AGENCY, **TO_COUNCIL, amount="420000.00", cofog="09.1"),
                       line(place=AREAS[SILENT], **AGENCY, **TO_TRUST, amount="300000.00", cofog="10.7")],
        "council.csv": [line(place=AREAS[WHOLE], **COUNCIL, amount="1234567.89", cofog="09.1"),
                        line(place=AREAS[SHORT], **COUNCIL, amount="420000.00", cofog="09.1")],
    }


def build_chain_ledger(cli: Cli, folder: Path) -> None:
    places = [{"place": place, "name": place, "area": area} for place, area in AREAS.items()]
    places += [{"place": CHAIN, "name": "Chain", "area": area} for area in AREAS.values()]
    cli("import", write_csv(folder / "chain-places.csv", places))
    cli("ingest", *[write_csv(folder / "chain" / name, rows) for name, rows in chain_files().items()])


# The count of each place worked by hand from the lines above (not from the code under test).
EXPECTED: dict[str, dict[str, Any]] = {
    # Only the council's spend counts; dept -> agency and agency -> council are both eliminated.
    WHOLE: {"total": D("1234567.89"), "unreported": D(0), "eliminated": D("2469135.78"), "lines": 3,
            "by_cofog": {"09": D("1234567.89")}, "by_type": {"local_authority": D("1234567.89")},
            "pass_through": (D("1234567.89"), D("1234567.89"), D(0))},
    # The council's 420,000.00; the 80,000.00 the agency did not pass on is shown, not counted.
    SHORT: {"total": D("420000.00"), "unreported": D(0), "eliminated": D("920000.00"), "lines": 3,
            "by_cofog": {"09": D("420000.00")}, "by_type": {"local_authority": D("420000.00")},
            "pass_through": (D("500000.00"), D("420000.00"), D("80000.00"))},
    # The agency's transfer to the silent trust is the trust's spend, once; dept -> agency is eliminated.
    SILENT: {"total": D("300000.00"), "unreported": D("300000.00"), "eliminated": D("300000.00"), "lines": 2,
             "by_cofog": {"10": D("300000.00")}, "by_type": {"third_sector": D("300000.00")},
             "pass_through": (D("300000.00"), D("300000.00"), D(0))},
    # The three together: 1,234,567.89 + 420,000.00 + 300,000.00.
    CHAIN: {"total": D("1954567.89"), "unreported": D("300000.00"), "eliminated": D("3689135.78"), "lines": 8,
            "by_cofog": {"09": D("1654567.89"), "10": D("300000.00")},
            "by_type": {"local_authority": D("1654567.89"), "third_sector": D("300000.00")},
            "pass_through": (D("2034567.89"), D("1954567.89"), D("80000.00"))},
}
