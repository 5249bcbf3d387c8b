"""The spectrum of local control, checked against the hand-worked ledger (analysis_support)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from analysis_support import PLACE, YEAR, AnalyseCli, build_ledger, read

from placespend.analysis.local_control import local_control, score
from placespend.engine.ledger import ledger_of

D = Decimal


@pytest.fixture
def ledger(cli, make_csv):
    return build_ledger(cli, make_csv)


@pytest.mark.parametrize(("args", "band", "points"), [
    # a national body's own spend is centrally directed whatever its flags
    (("central_government", "central_government", False, False, 0), "centrally_directed", 0),
    (("ndpb", None, None, None, 0), "centrally_directed", 0),
    # a council's own income, no ring-fence, not statutory: 0 points
    (("local_authority", "local_authority", False, False, 0), "locally_decided", 0),
    # statutory only: 1;  an unringfenced departmental grant, one hand-over: national source 1
    (("local_authority", "local_authority", False, True, 0), "local_discretion", 1),
    (("local_authority", "central_government", False, False, 1), "local_discretion", 1),
    # ring-fenced: 2;  ring-fenced departmental grant: 2 + 1 = 3
    (("nhs", "nhs", True, False, 0), "locally_constrained", 2),
    (("local_authority", "central_government", True, False, 1), "locally_constrained", 3),
    # ring-fenced + statutory + national source = 4;  + 5 intermediaries capped at 2 -> 6
    (("local_authority", "ndpb", True, True, 1), "centrally_conditioned", 4),
    (("third_sector", "eu", True, True, 6), "centrally_conditioned", 6),
])
def test_scoring_rule(args, band, points):
    found, detail = score(*args)
    assert (found, sum(detail.values())) == (band, points)


def test_bands_of_the_hand_worked_ledger(ledger, engine):
    with read(ledger.db, engine) as con:
        place = local_control(ledger_of(con), [PLACE], YEAR).places[0]
    flows = {(f.body, f.source, f.hand_overs, f.amount): (f.band, sum(f.points.values())) for f in place.flows}
    assert flows == {
        ("dept", "dept", 0, D(4_000_000)): ("centrally_directed", 0),         # national body
        ("council", "dept", 1, D(600_000)): ("centrally_conditioned", 4),     # ring 2 + statutory 1 + national 1
        ("council", "council", 0, D(400_000)): ("locally_decided", 0),        # own income, no flags
        ("council", "council", 0, D(200_000)): ("local_discretion", 1),       # statutory 1
        ("charity", "dept", 2, D(300_000)): ("locally_constrained", 2),       # national 1 + 1 intermediary
        ("college", "dept", 2, D(2_370_000)): ("centrally_conditioned", 4),   # ring 2 + national 1 + 1 interm.
        ("pct", "pct", 0, D(2_000_000)): ("local_discretion", 1),             # statutory 1
        ("club", "club", 0, D(90_000)): ("locally_decided", 0),               # flags blank: scored as no
        ("parish", "parish", 0, D(40_000)): ("locally_decided", 0),
    }
    # locally decided 400,000 + 90,000 + 40,000 = 530,000;  local discretion 200,000 + 2,000,000 = 2,200,000
    # constrained 300,000;  conditioned 600,000 + 2,370,000 = 2,970,000;  directed 4,000,000.
    assert place.by_band() == {"locally_decided": D(530_000), "local_discretion": D(2_200_000),
                               "locally_constrained": D(300_000), "centrally_conditioned": D(2_970_000),
                               "centrally_directed": D(4_000_000)}
    assert place.under_local_control == D(2_730_000)          # 27.3% of 10,000,000
    assert place.unknown_flags == D(90_000)                  # the club left both flags blank


def test_cli_json_names_the_rule_and_shares(ledger):
    out = AnalyseCli(ledger.db).json("local-control", "-p", PLACE, "-y", YEAR)
    place = out["places"][0]
    assert "ring-fenced 2, statutory 1" in out["rule"] and "Seed 000" in out["rule"]
    assert [(b["band"], b["share"]) for b in place["bands"]] == [
        ("locally_decided", 0.053), ("local_discretion", 0.22), ("locally_constrained", 0.03),
        ("centrally_conditioned", 0.297), ("centrally_directed", 0.4)]
    assert place["under_local_control_share"] == 0.273
    assert "Spectrum of local control" in AnalyseCli(ledger.db)("local-control", "-p", PLACE, "-y", YEAR).stdout
