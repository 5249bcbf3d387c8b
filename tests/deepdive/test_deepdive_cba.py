"""`placespend cba`: Green Book discounting, NPV, BCR, payback, who invests / who benefits, A - (B + C) = Y and
the Monte Carlo, each against figures worked out by hand in the comments (seed 000 Brighter Futures, seed 001
Leicester and Leicestershire)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from deepdive_support import DeepdiveCli, example

from placespend.deepdive.cba import Appraisal, CashFlow, appraise
from placespend.deepdive.uncertainty import Range

D = Decimal
COLUMNS = ["year", "agency", "kind", "amount", "low", "high", "component"]


@pytest.fixture
def dd(db):
    return DeepdiveCli(db)


def flow(year, agency, kind, amount, low="", high="", component=""):
    return {"year": year, "agency": agency, "kind": kind, "amount": amount, "low": low, "high": high,
            "component": component}


def test_brighter_futures_42m_over_15_years_yields_101m(dd):
    """Seed 000 §6.2: GBP 42m of early intervention over 15 years yields GBP 101m to the council."""
    out = dd.json("cba", example("brighter_futures_cba.csv"))
    # 15 years x 2.8m = 42m invested; benefits 2 + 4 + 6 + 7 + 8 x 10.25 = 101m.
    assert out["undiscounted"]["investment"] == 42_000_000
    assert out["undiscounted"]["benefit"] == 101_000_000
    # 101 / 42 = 2.4047... -> 2.40 undiscounted, as Birmingham's ratio.
    assert round(out["undiscounted"]["bcr"], 2) == 2.40
    # PV of 2.8m a year in years 0-14 at 3.5% = 2.8m x (1 - 1.035^-15) / (0.035 / 1.035)
    #   = 2.8m x (1 - 0.5968906) / 0.0338164 = 2.8m x 11.9205203 = 33,377,456.78.
    assert out["pv_investment"] == pytest.approx(33_377_456.78, abs=0.01)
    assert out["npv"] == pytest.approx(out["pv_benefit"] - 33_377_456.78, abs=0.01)


def test_leicester_8m_gross_for_3m_upfront(dd):
    """Seed 001 §5.9: GBP 8m gross savings over five years for GBP 3m upfront."""
    out = dd.json("cba", example("leicester_alcohol_cba.csv"))
    # 3m in year 0; 0.9m + 0.4m + 0.3m = 1.6m a year in years 1-5: 8m gross, 5m net, 8/3 = 2.667 undiscounted.
    assert out["undiscounted"] == {"investment": 3_000_000, "benefit": 8_000_000, "net": 5_000_000,
                                   "bcr": pytest.approx(2.666667, abs=1e-6)}
    # Discount factors 1.035^-t, t = 1..5: 0.966183575 + 0.933510700 + 0.901942706 + 0.871442228 + 0.841973167
    #   = 4.515052376; PV benefits = 1.6m x 4.515052376 = 7,224,083.80; NPV = 4,224,083.80.
    assert out["pv_benefit"] == pytest.approx(7_224_083.80, abs=0.01)
    assert out["npv"] == pytest.approx(4_224_083.80, abs=0.01)
    # BCR = 7,224,083.80 / 3,000,000 = 2.408028; ROI = 1.408028.
    assert out["bcr"] == pytest.approx(2.408028, abs=1e-6)
    assert out["roi"] == pytest.approx(1.408028, abs=1e-6)
    # Cumulative PV benefit: year 1 1,545,893.72 < 3m; year 2 + 1,493,617.12 = 3,039,510.84 >= 3m -> year 2.
    assert out["payback_year"] == 2
    # By agency (discounted net): council -2m + 0.3m x 4.515052376 = -645,484.29;
    # police 0.4m x 4.515052376 = 1,806,020.95; NHS -1m + 0.9m x 4.515052376 = 3,063,547.14.
    assert out["by_agency"] == {"Leicestershire County Council": pytest.approx(-645_484.29, abs=0.01),
                                "Leicestershire Police": pytest.approx(1_806_020.95, abs=0.01),
                                "NHS Leicestershire": pytest.approx(3_063_547.14, abs=0.01)}
    # A - (B + C) = Y: 7,224,083.80 - (3,000,000 + 0) = 4,224,083.80, the NPV.
    assert out["net_contribution"]["Y"] == pytest.approx(4_224_083.80, abs=0.01)
    assert any("no final arbiter" in w for w in out["warnings"])


def test_discounting_optimism_bias_and_deadweight(dd, make_csv):
    path = make_csv("cba.csv", [flow(0, "council", "investment", "100"), flow(2, "nhs", "benefit", "121")])
    # At 10%: PV benefit = 121 / 1.1^2 = 100 = PV investment: NPV 0, BCR 1, payback in year 2 (100 >= 100).
    out = dd.json("cba", path, "--discount-rate", "0.10")
    assert (out["npv"], out["bcr"], out["payback_year"]) == (0, 1, 2)
    assert dd.json("cba", path, "--discount-rate", "10%")["npv"] == 0
    # Year 1 has no flows but is listed: factor 1 / 1.1 = 0.909091.
    assert [y["year"] for y in out["years"]] == [0, 1, 2]
    assert out["years"][1]["discount_factor"] == pytest.approx(0.909091, abs=1e-6)
    # Optimism bias 20%: investment 120. Deadweight 10%: benefit 108.9, PV 90. NPV -30, BCR 0.75, never pays back.
    out = dd.json("cba", path, "--discount-rate", "0.10", "--optimism-bias", "20%", "--deadweight", "0.1")
    assert (out["npv"], out["bcr"], out["payback_year"]) == (-30, 0.75, None)


def test_default_rate_is_green_book_and_year_zero_undiscounted(dd, make_csv):
    path = make_csv("cba.csv", [flow(0, "a", "investment", "1000"), flow(1, "a", "benefit", "1035")])
    out = dd.json("cba", path)
    # 1035 / 1.035 = 1000: NPV 0 at the default 3.5%, year 0's 1000 undiscounted.
    assert out["discount_rate"] == 0.035
    assert out["npv"] == 0 and out["payback_year"] == 1


def test_who_invests_who_benefits(dd, make_csv):
    path = make_csv("cba.csv", [flow(0, "A", "investment", "100"), flow(0, "B", "investment", "300"),
                                flow(0, "A", "benefit", "600"), flow(0, "B", "benefit", "200")])
    out = dd.json("cba", path)
    # Investment shares: A 100/400 = 0.25, B 0.75. A's 600 of benefit: 150 credited to A, 450 to B;
    # B's 200: 50 to A, 150 to B.
    assert out["who_invests_who_benefits"] == {"A": {"A": 150, "B": 50}, "B": {"A": 450, "B": 150}}
    # BCR 800 / 400 = 2. Balancing: A gets 600 but earns 100 x 2 = 200 -> pays 400; B 200 - 600 = -400.
    assert out["balancing_transfers"] == {"A": 400, "B": -400}
    assert out["by_agency"] == {"A": 500, "B": -100}
    assert any(w.startswith("B invest(s) more") for w in out["warnings"])


def test_net_contribution_a_minus_b_plus_c():
    flows = [CashFlow(0, "nhs", "benefit", Range.exactly(D(1000))),
             CashFlow(0, "council", "investment", Range.exactly(D(300))),
             CashFlow(0, "council", "investment", Range.exactly(D(200)), component="C")]
    # A 1000 (savings), B 300 (enhanced community services), C 200 (universal provision): Y = 1000 - 500 = 500.
    assert appraise(flows, Appraisal()).net_contribution() == {"A": 1000, "B": 300, "C": 200, "Y": 500}


def test_monte_carlo_is_reproducible_and_narrower_than_all_at_worst(dd, make_csv):
    rows = [flow(0, "council", "investment", "1000", "900", "1300")]
    rows += [flow(year, agency, "benefit", "400", "100", "600") for year in (1, 2, 3) for agency in ("nhs", "police")]
    path = make_csv("cba.csv", rows)
    first = dd.json("cba", path, "--seed", "7", "--draws", "5000")
    assert first == dd.json("cba", path, "--seed", "7", "--draws", "5000")
    npv = first["monte_carlo"]["npv"]
    # All at worst: investment 1300, benefits 100 a year x 2 agencies, discounted (0.966184 + 0.933511 + 0.901943 =
    # 2.801637) -> 200 x 2.801637 - 1300 = -739.67. All at best: 1200 x 2.801637 - 900 = 2461.96.
    assert npv["all_at_worst"] == pytest.approx(-739.67, abs=0.01)
    assert npv["all_at_best"] == pytest.approx(2461.96, abs=0.01)
    assert npv["all_at_worst"] < npv["p10"] < npv["p50"] < npv["p90"] < npv["all_at_best"]
    # PERT means: investment (900 + 4000 + 1300) / 6 = 1033.33; benefit (100 + 1600 + 600) / 6 = 383.33.
    # Mean NPV = 2 x 383.33 x 2.801637 - 1033.33 = 1114.59 (within simulation error).
    assert npv["mean"] == pytest.approx(1114.59, rel=0.02)
    assert dd.json("cba", path, "--seed", "8", "--draws", "5000")["monte_carlo"]["npv"]["p50"] != npv["p50"]


def test_no_monte_carlo_without_ranges(dd, make_csv):
    out = dd.json("cba", make_csv("cba.csv", [flow(0, "a", "investment", "10"), flow(1, "a", "benefit", "20")]))
    assert out["monte_carlo"] is None


def test_bad_rows_are_reported_with_row_and_column(dd, make_csv):
    path = make_csv("cba.csv", [flow(0, "a", "investment", "10"), flow(1, "a", "spending", "x"),
                                flow(2, "a", "benefit", "10", "20", "30")], COLUMNS)
    result = dd("cba", path, "--format", "json", expect=1)
    assert result.stdout == ""
    assert "row 3, column kind" in result.stderr and "row 3, column amount" in result.stderr
    assert "row 4, column low" in result.stderr


def test_missing_column_and_bad_rate(dd, make_csv):
    result = dd("cba", make_csv("cba.csv", [{"year": 0, "agency": "a", "amount": 1}]), expect=1)
    assert "kind" in result.stderr
    path = make_csv("ok.csv", [flow(0, "a", "investment", "10")])
    assert "--discount-rate" in dd("cba", path, "--discount-rate", "abc", expect=2).stderr


def test_table_output(dd):
    text = dd("cba", example("leicester_alcohol_cba.csv")).stdout
    assert "£4,224,083.80" in text and "payback year: 2" in text
