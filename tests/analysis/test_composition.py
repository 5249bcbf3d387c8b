"""Composition by COFOG division and body type, checked against the hand-worked ledger (analysis_support)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from analysis_support import PLACE, YEAR, AnalyseCli, build_ledger, read

from placespend.analysis.composition import composition
from placespend.engine.ledger import ledger_of

from conftest import line

D = Decimal
TOTAL = D(10_000_000)


@pytest.fixture
def ledger(cli, make_csv):
    return build_ledger(cli, make_csv)


def test_shares_by_division_and_table2_layout(ledger, engine):
    with read(ledger.db, engine) as con:
        place = composition(ledger_of(con), [PLACE], YEAR).places[0]
    # 10: dept 4,000,000 + council 400,000 + charity (unreported) 300,000 = 4,700,000
    # 09: council 600,000 + college 2,370,000 = 2,970,000;  07: pct 2,000,000
    # 06: council 200,000;  08: club 90,000 + parish 40,000 = 130,000.  Sum 10,000,000.
    assert place.total == TOTAL
    assert place.by_division == {"06": D(200_000), "07": D(2_000_000), "08": D(130_000), "09": D(2_970_000),
                                 "10": D(4_700_000)}
    # Table 2: 47% + 20% + 29.7% = 96.7%; the top three divisions are the same three here.
    assert place.table2() == {"social_protection": D("0.47"), "health": D("0.2"), "education": D("0.297"),
                              "total": D("0.967")}
    assert place.top3_divisions == ["10", "09", "07"] and place.top3_share == D("0.967")


def test_table3_layout(ledger, engine):
    with read(ledger.db, engine) as con:
        place = composition(ledger_of(con), [PLACE], YEAR).places[0]
    # LA: council 1,200,000 + parish 40,000 = 1,240,000 -> 12.4%;  NHS: pct 2,000,000 -> 20%
    # central: dept 4,000,000 -> 40%;  other: college 2,370,000 + charity 300,000 + club 90,000 = 2,760,000 -> 27.6%
    assert place.table3() == {"local_authority": D("0.124"), "nhs": D("0.2"), "central_government": D("0.4"),
                              "other": D("0.276")}
    assert sum(place.table3().values()) == 1


def test_several_places_side_by_side_through_the_cli(ledger, make_csv):
    ledger("ingest", make_csv("durham.csv", [line(place="E06000047", spender="dcc", amount="300.00", cofog="10"),
                                             line(place="E06000047", spender="dcc", amount="100.00", cofog="07")]))
    out = AnalyseCli(ledger.db).json("composition", "-p", PLACE, "-p", "e06000047", "-y", YEAR)
    assert [p["place"] for p in out["places"]] == [PLACE, "E06000047"]
    durham = out["places"][1]
    # 300 / 400 = 75% social protection, 100 / 400 = 25% health, no education: Table 2 total 100%.
    assert durham["table2"] == {"social_protection": 0.75, "health": 0.25, "education": 0, "total": 1}
    assert durham["table3"]["local_authority"] == 1
    assert out["places"][0]["by_cofog"]["10"] == {"name": "Social protection", "amount": 4_700_000, "share": 0.47}
    table = AnalyseCli(ledger.db)("composition", "-p", PLACE, "-y", YEAR).stdout
    assert "Table 2 layout" in table and "47.0%" in table


def test_empty_place_has_zero_shares_not_an_error(ledger):
    """A known place with no lines in the year (an unknown place is refused: tests/cli/test_unknown_codes.py)."""
    out = AnalyseCli(ledger.db).json("composition", "-p", "E09000023", "-y", "2010-11")
    assert out["places"][0]["total"] == 0 and out["places"][0]["table2"]["total"] == 0

