"""A council's 360Giving grants beside its RS outturn, on the real Trafford files: the grants are part of the
council's net current expenditure, so with both present they are shown as detail and not counted again
(seed 004: "double counting should be avoided"); while the two ids are not known to be one body, it is warned."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from count_ways import count_ways
from placespend.app.workspace import open_workspace
from placespend.count.consolidate import count_place
from placespend.count.every_place_count import count_all_places
from placespend.engine.ledger import ledger_of

GRANTS = "trafford-360giving-and-spend/trafford_council_voluntary_sector_grants.csv"
RS_2017 = "revenue-outturn-RS-bbc/rs_2017-18_net_current_expenditure_by_LA_gbp_thousands.csv"
ORGIDS = "lookups-drkane/la_orgid_to_gss.csv"
TRAFFORD = "E08000009"


def _grants_awarded(data, start: dt.date, end: dt.date) -> tuple[Decimal, int]:
    """Trafford's grants awarded in the financial year, summed from the file by hand."""
    with (data / GRANTS).open(encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle)
                if start <= dt.date.fromisoformat(row["Award Date"][:10]) <= end]
    return sum((Decimal(row["Amount Awarded"]) for row in rows), Decimal(0)), len(rows)


def _counts(cli) -> list[tuple[str, dict]]:
    return count_ways(cli, TRAFFORD, "2017-18")


def test_trafford_grants_inside_its_outturn_count_once(cli, shared_data):
    grants, how_many = _grants_awarded(shared_data, dt.date(2017, 4, 1), dt.date(2018, 3, 31))
    assert how_many == 38 and grants == Decimal("59385.05")

    cli("import", shared_data / RS_2017)
    outturn_only = {way: count for way, count in _counts(cli)}
    for way, count in outturn_only.items():
        assert count["outturn_detail"] == 0 and count["overlap_warnings"] == [], way

    # The grants file names the funder GB-LAE-TRF, the RS table E08000009: not yet known to be one body, so the
    # grants count on top of the outturn and the count says they may be counted twice.
    cli("import", shared_data / GRANTS)
    for way, unmatched in _counts(cli):
        assert Decimal(str(unmatched["total"])) == Decimal(str(outturn_only[way]["total"])) + grants, way
        [warning] = unmatched["overlap_warnings"]
        assert warning["type"] == "grants-outturn-unmatched" and warning["body"] == "gb-lae-trf", way
        assert Decimal(str(warning["amount"])) == grants and warning["outturn_bodies"] == [TRAFFORD.lower()], way
        assert warning["lines"] == how_many, way
        assert warning["message"] == (  # what the officer reads: the figures summed by hand above, and what to do
            f"Grants of gb-lae-trf (GBP {grants:,.2f}) are counted, but gb-lae-trf may be the council whose outturn "
            "is counted too (e08000009): if so these pounds count twice. Import the org-id lookup and merge the "
            "bodies (placespend bodies suggest --apply)."), way

    # With the org-id lookup the bodies register merges GB-LAE-TRF into E08000009; the grants become detail.
    cli("import", shared_data / ORGIDS)
    cli("bodies", "suggest", "--apply", "--rule", "same local authority area", "--by", "test")
    for way, matched in _counts(cli):
        assert matched["total"] == outturn_only[way]["total"], way
        assert Decimal(str(matched["outturn_detail"])) == grants, way
        [warning] = matched["overlap_warnings"]
        assert (warning["type"], warning["body"], Decimal(str(warning["amount"])), warning["lines"]) == \
            ("grants-in-outturn", TRAFFORD.lower(), grants, how_many), way
        assert warning["message"] == (
            f"{how_many} grants of e08000009 (GBP {grants:,.2f}) are part of its service outturn (RS/RSX) and are "
            "shown as detail, not counted again. Their year is the award's; a multi-year grant is paid over later "
            "years."), way
        assert matched["by_cofog"] == outturn_only[way]["by_cofog"], way

    # The grants are still in the ledger, shown with their status, and the one-pass count of every place agrees.
    lines = cli.json("explain", "--place", TRAFFORD, "--year", "2017-18", "--status", "outturn_detail")
    assert sum(Decimal(str(row["counted_amount"])) for row in lines) == grants
    with open_workspace(cli.db).read() as con:
        national = count_all_places(ledger_of(con), "2017-18", [TRAFFORD])[TRAFFORD]
        single = count_place(ledger_of(con), TRAFFORD, "2017-18")
    assert national.total == single.total and national.outturn_detail == single.outturn_detail == grants


def test_grants_of_a_council_without_its_outturn_still_count(cli, shared_data):
    """No outturn of the council in scope: its grants are the only record of that money, and count."""
    cli("import", shared_data / GRANTS)
    grants, _ = _grants_awarded(shared_data, dt.date(2017, 4, 1), dt.date(2018, 3, 31))
    for way, count in _counts(cli):
        assert Decimal(str(count["total"])) == grants and count["outturn_detail"] == 0, way
        assert count["overlap_warnings"] == [], way
