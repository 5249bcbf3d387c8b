"""The savings register: profiles, one-offs, horizons and ranges combined by Monte Carlo, not by adding lows."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from deepdive_support import DeepdiveCli, example

from placespend.deepdive.uncertainty import Distribution, Range, draw, mean_of, uniforms

D = Decimal


@pytest.fixture
def dd(db):
    return DeepdiveCli(db)


def entry(id_, agency, low, central, high, start, **extra):
    return {"id": id_, "description": f"saving {id_}", "agency": agency, "low": low, "central": central,
            "high": high, "start_year": start, **extra}


@pytest.fixture
def register(make_csv):
    return make_csv("savings.csv", [
        entry("R1", "council", "80", "100", "150", "2010-11", profile="0.5;1", status="business_case",
              evidence="https://example.org/case"),
        entry("O1", "nhs", "1000", "1000", "1000", "2011-12", recurrence="one_off", capital_revenue="capital",
              profile="0.25;0.75"),
        entry("P1", "police", "10", "20", "30", "2013-14", basis="pilot", status="idea"),
    ])


def test_profiles_one_offs_and_horizon(dd, register):
    out = dd.json("deepdive", "savings", register, "--horizon", "3")
    assert out["years"] == ["2010-11", "2011-12", "2012-13"]
    # R1 recurring 100 a year ramped 0.5 then 1: 50, 100, 100. O1 one-off 1000 split 0.25 / 0.75 from 2011-12:
    # 0, 250, 750. P1 starts 2013-14, after the horizon: 0.
    assert [y["central"] for y in out["by_year"]] == [50, 350, 850]
    assert out["total"]["central"] == 1250
    # Lows: 40 + (80 + 250) + (80 + 750) = 1200; highs: 75 + (150 + 250) + (150 + 750) = 1375.
    assert (out["total"]["all_at_worst"], out["total"]["all_at_best"]) == (1200, 1375)
    assert out["by_agency"] == {"council": 250, "nhs": 1000, "police": 0}
    assert out["by_capital_revenue"] == {"capital": 1000, "revenue": 250}
    assert out["by_status"] == {"business_case": 250, "estimate": 1000, "idea": 0}
    warnings = " ".join(out["warnings"])
    assert "P1: savings achieved in a pilot" in warnings and "Seed 004" in warnings
    assert "O1: no margin for error" in warnings
    assert "P1: ideas" in warnings and "P1: start after the horizon" in warnings


def test_percentiles_lie_inside_the_naive_sums(dd, register):
    total = dd.json("deepdive", "savings", register, "--horizon", "3")["total"]
    assert total["all_at_worst"] < total["p10"] < total["p50"] < total["p90"] < total["all_at_best"]


def test_independent_ranges_narrow_the_total_and_groups_move_together(dd, make_csv):
    rows = [entry(i, "council", "0", "100", "200", "2010") for i in ("X", "Y")]
    independent = dd.json("deepdive", "savings", make_csv("a.csv", rows), "--horizon", "1", "--seed", "3")["total"]
    grouped = dd.json("deepdive", "savings", make_csv("b.csv", [{**r, "group": "g"} for r in rows]),
                      "--horizon", "1", "--seed", "3")["total"]
    single = dd.json("deepdive", "savings", make_csv("c.csv", rows[:1]), "--horizon", "1", "--seed", "3")["total"]
    # Sum of lows 0 + 0 = 0, sum of highs 400: the naive band. In one group X and Y are the same draw, so the
    # total's P10 is exactly twice one entry's P10 (the same uniforms feed the one stream).
    assert grouped["p10"] == pytest.approx(2 * single["p10"], abs=0.02)
    # Independent: the spread of a sum of two is sqrt(2), not 2, times one entry's, so P10 of the total is higher
    # than twice one P10 and P90 lower than twice one P90.
    assert independent["p10"] > 2 * single["p10"] + 5
    assert independent["p90"] < 2 * single["p90"] - 5
    # Symmetric PERT on (0, 100, 200): mean (0 + 400 + 200) / 6 = 100 per entry, 200 for both.
    assert independent["mean"] == pytest.approx(200, abs=2)


def test_distributions_by_hand():
    u = np.array([0.0, 0.125, 0.5, 1.0])
    # Triangular (0, 1, 2): F(x) = x^2 / 2 for x <= 1, so x = sqrt(2u): u = 0.125 -> 0.5; median 1; ends 0 and 2.
    assert draw(Range(D(0), D(1), D(2)), u, Distribution.triangular) == pytest.approx([0, 0.5, 1, 2])
    # PERT (0, 50, 100) is Beta(3, 3) on [0, 100]: symmetric, median 50.
    assert draw(Range(D(0), D(50), D(100)), np.array([0.5]))[0] == pytest.approx(50, abs=0.01)
    # PERT (0, 0, 100) is Beta(1, 5): F(x) = 1 - (1 - x)^5; u = 0.5 -> x = 1 - 0.5^(1/5) = 0.129449 -> 12.9449.
    assert draw(Range(D(0), D(0), D(100)), np.array([0.5]))[0] == pytest.approx(12.9449, abs=0.001)
    assert mean_of(Range(D(0), D(0), D(100))) == pytest.approx(D(100) / 6)
    # A certain figure is the same in every draw.
    assert set(draw(Range.exactly(D(7)), np.array([0.1, 0.9]))) == {7.0}


def test_uniforms_do_not_depend_on_row_order():
    a, b = uniforms(["x", "y"], 10, 1), uniforms(["y", "x"], 10, 1)
    assert all((a[k] == b[k]).all() for k in a)


def test_bad_register_rows(dd, make_csv):
    path = make_csv("bad.csv", [entry("A", "council", "200", "100", "150", "2010-11"),
                                entry("B", "council", "1", "2", "3", "2010", recurrence="one_off", profile="0.5"),
                                entry("C", "council", "1", "2", "3", "20xx", status="maybe")])
    err = dd("deepdive", "savings", path, expect=1).stderr
    assert "row 2, column low" in err and "row 3, column profile" in err
    assert "row 4, column start_year" in err and "row 4, column status" in err


def test_example_register(dd):
    out = dd.json("deepdive", "savings", example("savings_example.csv"))
    # S2 120k from 2010-11 for 5 years = 600k; S3 90k from 2011-12 for 4 = 360k; S5 one-off 500k capital.
    entries = {e["id"]: e for e in out["entries"]}
    assert (entries["S2"]["over_horizon"], entries["S3"]["over_horizon"], entries["S5"]["over_horizon"]) == (
        600_000, 360_000, 500_000)
    # S1 900k ramped 0.5 then 1: 450k + 4 x 900k = 4.05m. S4 400k ramped 0.25, 0.5, 1 from 2011-12:
    # 100k + 200k + 400k + 400k = 1.1m. Total 4.05m + 0.6m + 0.36m + 1.1m + 0.5m = 6.61m.
    assert out["total"]["central"] == 6_610_000
    assert out["by_basis"] == {"local": 5_510_000, "scaled": 1_100_000}
