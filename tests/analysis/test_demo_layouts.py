"""Seed 000 Tables 2 and 3 for Lewisham, reproduced by the analyses from the demo's ledger lines.

The demo's returns are synthetic but calibrated to the published shares; the analyses compute the shares
from the lines (never from `pilots_published.csv`) and must land on the printed figures.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from analysis_support import AnalyseCli, read

from placespend.analysis.composition import TABLE2_DIVISIONS, composition
from placespend.analysis.concentration import concentration
from placespend.analysis.funding_routes import funding_routes
from placespend.analysis.local_control import local_control
from placespend.app.demo import published
from placespend.engine.ledger import ledger_of

from conftest import demo_copy

LEWISHAM, YEAR, PILOT = "E09000023", "2008-09", "tp-lewisham"
TABLE2_MEASURE = {"social_protection": "cofog_10", "health": "cofog_07", "education": "cofog_09"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_copy(tmp_path_factory.mktemp("demo") / "demo.duckdb")


def printed(table: str, measure: str) -> Decimal:
    return next(f.value for f in published.published_figures()
                if f.table == table and f.pilot == PILOT and f.measure == measure)


def test_lewisham_table2_shares_equal_the_published_figures(demo):
    with read(demo.db) as con:
        lewisham = composition(ledger_of(con), [LEWISHAM], YEAR).places[0]
    shares = lewisham.table2()
    for name in TABLE2_DIVISIONS:
        # printed 35 / 20 / 20 percent
        assert shares[name] * 100 == printed("table2", TABLE2_MEASURE[name]), name
    assert shares["total"] * 100 == Decimal(75)


def test_lewisham_table3_shares_equal_the_published_figures(demo):
    with read(demo.db) as con:
        lewisham = composition(ledger_of(con), [LEWISHAM], YEAR).places[0]
    computed = {group: share * 100 for group, share in lewisham.table3().items()}
    assert computed == {group: printed("table3", group) for group in published.TABLE3_GROUPS}
    assert computed == {"local_authority": 55, "nhs": 20, "central_government": 15, "other": 10}


def test_every_analysis_runs_on_the_demo(demo):
    with read(demo.db) as con:
        total = composition(ledger_of(con), [LEWISHAM], YEAR).places[0].total
        conc = concentration(ledger_of(con), [LEWISHAM], YEAR).places[0]
        control = local_control(ledger_of(con), [LEWISHAM], YEAR).places[0]
        routes = funding_routes(ledger_of(con), [LEWISHAM], YEAR).places[0]
    assert total == Decimal("2290000000.00")
    assert conc.total == total and conc.ranking[-1].cumulative_share == 1
    assert control.total == total and sum(control.by_band().values()) == total
    assert abs(routes.total - total) < Decimal("0.01")
    out = AnalyseCli(demo.db)("composition", "-p", LEWISHAM, "-y", YEAR).stdout
    assert "35.0%" in out and "55.0%" in out
