"""Unit cost library (GMCA layout, uprating) and customer journeys costed stop by stop (Family Bresha, Derbyshire)."""

from __future__ import annotations

import pytest
from deepdive_support import DeepdiveCli, example

from placespend.deepdive.unit_costs import price_year


@pytest.fixture
def dd(db):
    return DeepdiveCli(db)


UNIT_COSTS = example("unit_costs_example.csv")
DEFLATORS = example("deflators_example.csv")


def test_family_bresha_total_is_reproduced(dd):
    """Seed 004 (Croydon): Family Bresha, GBP 56,890. The split into stops is illustrative; the total is not."""
    out = dd.json("deepdive", "journey", example("bresha_journey.csv"), "--unit-costs", UNIT_COSTS)
    journey = out["journeys"][0]
    # 50x12 + 25x48 + 120x7 + 36x15 + (450 + 6h x 40) + 1200x2 + 4000 + (2800 + 40 travel) + 15000x2 + 60x20
    # + 350 + 186.50x20 + 1200 + 3500 + 800x3 + 40h x 35
    # = 600 + 1200 + 840 + 540 + 690 + 2400 + 4000 + 2840 + 30000 + 1200 + 350 + 3730 + 1200 + 3500 + 2400 + 1400
    # = 56,890.
    assert journey["journey"] == "Family Bresha"
    assert journey["total"] == 56_890
    # Staff time 240 + 1,400 = 1,640; travel 40; service 56,890 - 1,680 = 55,210.
    assert journey["by_kind"] == {"service": 55_210, "staff_time": 1_640, "travel": 40}
    # School: 690 + 30,000; children's social care: 2,400 + 1,200 + 3,500.
    assert journey["by_agency"]["School"] == 30_690
    assert journey["by_agency"]["Children's social care"] == 7_100
    # The third referral (step 13) repeats step 6's activity by the same agency: 1,200 of repeat cost.
    assert journey["repeat_cost"] == 1_200
    assert [s["step"] for s in journey["stops"] if s["repeated"]] == [13]
    # Avoidable: referrals 2,400 + 1,200, police 2,400, professionals' calls 1,400 = 7,400.
    assert journey["avoidable_cost"] == 7_400
    assert [s["stage"] for s in journey["stages"]] == ["early years", "health", "identification", "assessment",
                                                       "support", "crisis"]
    # Crisis stage satisfaction: (1 + 2 + 1) / 3 scored stops = 1.3333 (step 16 has no score).
    assert journey["stages"][-1]["satisfaction"] == pytest.approx(1.3333, abs=1e-4)


def test_a_case_entered_by_hand(dd, make_csv):
    path = make_csv("case.csv", [
        {"journey": "Family X", "step": 2, "stage": "assessment", "agency": "council", "activity": "visit",
         "actual_cost": "200", "repeats": 3, "satisfaction": 2},
        {"journey": "Family X", "step": 1, "stage": "initial contact", "agency": "council", "activity": "call",
         "actual_cost": "10", "staff_hours": "0.5", "staff_rate": "30", "satisfaction": 4},
        {"journey": "Family X", "step": 3, "stage": "assessment", "agency": "council", "activity": "call",
         "actual_cost": "10", "travel_cost": "5", "avoidable": "yes"},
    ])
    journey = dd.json("deepdive", "journey", path)["journeys"][0]
    # Step 1: 10 + 0.5 x 30 = 25; step 2: 200 x 3 = 600; step 3: 10 + 5 = 15. Total 640, in step order.
    assert [s["total"] for s in journey["stops"]] == [25, 600, 15]
    assert journey["total"] == 640
    assert journey["by_stage"] == {"initial contact": 25, "assessment": 615}
    # Step 3 is a second call by the council: repeated (15) and marked avoidable (15); they overlap.
    assert (journey["repeat_cost"], journey["avoidable_cost"]) == (15, 15)


def test_derbyshire_stages_with_uprated_unit_costs(dd):
    out = dd.json("deepdive", "journey", example("derbyshire_journey.csv"), "--unit-costs", UNIT_COSTS,
                  "--deflators", DEFLATORS, "--price-year", "2009/10")
    journey = out["journeys"][0]
    # The social care unit costs are priced 2008-09 (index 98); 2009-10 is 100: factor 100 / 98.
    # Unit-costed stops: (8.50 x 2 + 310 + 15 x 28 + 180 + 8.50 x 3) = 952.50 x 100/98 = 971.94;
    # plus 12 travel and the 45 closure = 1,028.94.
    assert journey["total"] == pytest.approx(1028.94, abs=0.005)
    assert [s["stage"] for s in journey["stages"]] == ["initial contact", "assessment", "service start", "review",
                                                       "closure"]
    # Review: 180 x 100/98 = 183.67 plus the chasing calls 8.50 x 3 x 100/98 = 26.02 -> 209.69; scores (3 + 2) / 2.
    review = journey["stages"][3]
    assert review["cost"] == pytest.approx(209.69, abs=0.005)
    assert review["satisfaction"] == 2.5
    assert journey["repeat_cost"] == pytest.approx(26.02, abs=0.005)


def test_unit_costs_in_gmca_layout_uprated(dd, make_csv, tmp_path):
    path = tmp_path / "ucd.csv"
    path.write_text(
        "Unit Cost Database (illustrative extract)\n\n"
        "Ref,Outcome category,Outcome detail,Agency,Unit,Cost,Price base,Fiscal / Economic / Social,Source\n"
        "CR1.0,Crime,Arrest,Police,per arrest,100.00,2008/09,Fiscal,example\n"
        "HE2.0,Health,A&E attendance,NHS,per attendance,\"£1,000\",2010-2011,Fiscal,example\n", encoding="utf-8")
    out = dd.json("deepdive", "unit-costs", path, "--deflators", DEFLATORS, "--price-year", "2010-11")
    costs = {c["code"]: c for c in out["costs"]}
    # 100 x 102.5 / 98 = 104.59; the 2010-11 cost is already in the target year (factor 1).
    assert costs["CR1.0"]["cost"] == pytest.approx(104.59, abs=0.005)
    assert costs["CR1.0"]["uprating_factor"] == pytest.approx(1.045918, abs=1e-6)
    assert (costs["HE2.0"]["cost"], costs["HE2.0"]["original_price_year"]) == (1000, "2010-11")
    assert costs["CR1.0"]["agency"] == "Police" and costs["CR1.0"]["row"] == 4
    assert out["price_year"] == "2010-11"


def test_unit_cost_problems(dd, make_csv):
    path = make_csv("costs.csv", [
        {"code": "A", "cost": "10", "price_year": "2001-02", "agency": "x"},
        {"code": "A", "cost": "10", "price_year": "2009-10", "agency": "x"},
        {"code": "B", "cost": "ten", "price_year": "2009-10", "agency": "x"},
    ])
    err = dd("deepdive", "unit-costs", path, "--deflators", DEFLATORS, "--price-year", "2009-10", expect=1).stderr
    assert "row 2, column price_year" in err and "no index for 2001-02" in err
    assert "row 3, column code" in err and "row 4, column cost" in err
    err = dd("deepdive", "unit-costs", make_csv("c.csv", [{"code": "A", "cost": "1", "price_year": "2008-09"}]),
             "--price-year", "2009-10", expect=1).stderr
    assert "give a deflator series" in err


def test_journey_with_unknown_code(dd, make_csv):
    path = make_csv("j.csv", [{"journey": "j", "step": 1, "stage": "s", "agency": "a", "activity": "x",
                               "unit_cost_code": "NOPE"}])
    err = dd("deepdive", "journey", path, "--unit-costs", UNIT_COSTS, expect=1).stderr
    assert "row 2, column unit_cost_code" in err


def test_price_years():
    assert price_year("2008/09") == price_year("2008-2009") == price_year(" 2008-09 ") == "2008-09"
    assert price_year("1999-00") == "1999-00" and price_year("2010") == "2010"
    with pytest.raises(ValueError):
        price_year("2008-10")
