"""Which ONS vintage an indicator is read at (DESIGN.md §5): the year asked for when imported, else the nearest,
and between two equally near the earlier; the value is the sum over the place's areas at that one vintage."""

from __future__ import annotations

from decimal import Decimal

import ibis
import pytest

from placespend.engine.ledger import ledger_of
from placespend.estimate.indicators import indicator_for_areas

AREAS = ["E09000001", "E09000002"]


@pytest.fixture
def ledger(cli, make_csv):
    """Population of two districts at the vintages 2007, 2009 and 2012, each vintage's figures distinct."""
    cli("import", make_csv("stats.csv", [
        {"area": area, "period": year, "indicator": "population", "value": value}
        for year, values in (("2007", (100, 200)), ("2009", (1000, 2000)), ("2012", (10000, 20000)))
        for area, value in zip(AREAS, values, strict=True)]))
    con = ibis.duckdb.connect(str(cli.db), read_only=True)
    yield ledger_of(con)
    con.disconnect()


@pytest.mark.parametrize(("period", "vintage", "population", "nearest"), [
    ("2009-10", "2009", 1000 + 2000, False),     # the year's own vintage
    ("2008-09", "2007", 100 + 200, True),        # 2007 and 2009 are one year away each: the earlier wins
    ("2010-11", "2009", 1000 + 2000, True),      # 2009 is one year away, 2012 two
    ("2011-12", "2012", 10000 + 20000, True),    # 2012 is one year away, 2009 two
    ("2001-02", "2007", 100 + 200, True),        # before every vintage: the first
])
def test_the_nearest_vintage_and_the_earlier_of_two_as_near(ledger, period, vintage, population, nearest):
    value = indicator_for_areas(ledger, AREAS, "population", period)
    assert (value.period, value.value, value.areas, value.nearest) == (vintage, Decimal(population), 2, nearest)
