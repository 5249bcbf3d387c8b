"""Themes on the ledger: hand tags and rules, totals across COFOG divisions and agencies, the inventory
(seed 001: Lewisham's 120 projects, 50 providers and 15 funding streams) and the lines behind a theme.

The ledger (Lewisham E09000023, 2008-09), built through the real CLI:

    council  spends 500,000 on 10.5 from the Working Neighbourhoods Fund, notes 'employment support', project Job Club
             spends 200,000 on 09.4, tagged by hand 'worklessness; skills', project Adult skills, access point Library
             spends 300,000 on 07.4, notes 'alcohol treatment'
             transfers 100,000 on 10.5 to a charity that sends no return (counted as the charity's spend),
             notes 'workless families outreach'
    jcp      spends 1,000,000 on 10.5 (JSA administration), project New Deal, access point Jobcentre
    pct      spends 400,000 on 07.3, notes 'drug treatment', tagged by hand 'Drugs and Alcohol'
    police   spends 2,000,000 on 03.1, no theme

Counted total: 500k + 200k + 300k + 100k + 1,000k + 400k + 2,000k = 4,500,000.
"""

from __future__ import annotations

import pytest
from deepdive_support import DeepdiveCli, example

from conftest import line

PLACE, YEAR = "E09000023", "2008-09"


@pytest.fixture
def ledger(dd, make_csv):
    council = dict(spender="council", spender_type="local_authority")
    files = {
        "council.csv": [
            line(**council, amount="500000", cofog="10.5", funding_stream="Working Neighbourhoods Fund",
                 notes="employment support", x_project="Job Club"),
            line(**council, amount="200000", cofog="09.4", theme="worklessness; skills", x_project="Adult skills",
                 funding_stream="LSC adult skills", x_access_point="Library"),
            line(**council, amount="300000", cofog="07.4", notes="alcohol treatment"),
            line(**council, flow="transfer", amount="100000", cofog="10.5", recipient="charity",
                 recipient_type="third_sector", notes="workless families outreach"),
        ],
        "jcp.csv": [line(spender="jcp", spender_type="central_government", amount="1000000", cofog="10.5",
                         funding_stream="JSA administration", x_project="New Deal", x_access_point="Jobcentre")],
        "pct.csv": [line(spender="pct", spender_type="nhs", amount="400000", cofog="07.3", notes="drug treatment",
                         theme="Drugs and Alcohol")],
        "police.csv": [line(spender="police", spender_type="police", amount="2000000", cofog="03.1")],
    }
    dd("ingest", *[make_csv(name, rows) for name, rows in files.items()])
    return dd


@pytest.fixture
def dd(db):
    return DeepdiveCli(db)


RULES = example("theme_rules_example.csv")


def themes(out):
    return {t["theme"]: t for t in out["themes"]}


def test_theme_totals_across_cofog_and_agencies(ledger):
    out = ledger.json("deepdive", "themes", "--place", PLACE, "--year", YEAR, "--rules", RULES)
    assert out["place_total"] == 4_500_000
    by = themes(out)
    assert set(by) == {"worklessness", "skills", "drugs and alcohol"}
    work = by["worklessness"]
    # 500k (stream, keyword, COFOG 10.5) + 200k (by hand) + 100k (keyword 'workless', 10.5) + 1,000k (10.5).
    assert (work["total"], work["lines"]) == (1_800_000, 4)
    assert work["share_of_place"] == pytest.approx(0.4)  # 1.8m / 4.5m
    assert work["by_cofog"] == {"09": 200_000, "10": 1_600_000}
    # The unreported transfer counts as the charity's spend: agencies council 700k, jcp 1m, charity 100k.
    assert work["by_agency"] == {"jcp": 1_000_000, "council": 700_000, "charity": 100_000}
    assert (work["cofog_divisions"], work["agencies"]) == (2, 3)
    # Hand tag 'Drugs and Alcohol' and the keyword rules name the same theme: 300k + 400k, each line once.
    assert (by["drugs and alcohol"]["total"], by["drugs and alcohol"]["lines"]) == (700_000, 2)
    assert by["skills"]["total"] == 200_000
    # Themes overlap (the 200k line is in two): distinct tagged lines 1.8m + 0.7m = 2.5m.
    assert out["tagged_total"] == 2_500_000


def test_inventory_of_a_theme(ledger):
    out = ledger.json("deepdive", "themes", "--place", PLACE, "--year", YEAR, "--rules", RULES,
                      "--theme", "Worklessness")
    (work,) = out["themes"]
    # Projects Job Club, Adult skills, New Deal (the charity line has none); providers council, jcp, charity;
    # streams WNF, LSC adult skills, JSA administration; access points Library and Jobcentre.
    assert work["inventory_counts"] == {"projects": 3, "providers": 3, "funding_streams": 3, "access_points": 2}
    assert {p["name"] for p in work["inventory"]["projects"]} == {"Job Club", "Adult skills", "New Deal"}


def test_lines_behind_a_theme_say_why(ledger):
    rows = ledger.json("deepdive", "themes", "--place", PLACE, "--year", YEAR, "--rules", RULES,
                       "--theme", "drugs and alcohol", "--lines")["lines"]
    assert sorted((r["file_name"], r["source_row"], r["counted_amount"]) for r in rows) == [
        ("council.csv", 4, 300_000), ("pct.csv", 2, 400_000)]
    pct = next(r for r in rows if r["file_name"] == "pct.csv")
    assert pct["tagged_by"] == "hand; rule row 7: keyword ~ drug"


def test_hand_tags_without_rules_and_rules_on_x_columns(ledger, make_csv):
    out = ledger.json("deepdive", "themes", "--place", PLACE, "--year", YEAR)
    assert {t["theme"]: t["total"] for t in out["themes"]} == {"worklessness": 200_000, "skills": 200_000,
                                                              "drugs and alcohol": 400_000}
    rules = make_csv("rules.csv", [{"theme": "programmes", "field": "x_project", "pattern": "new*"},
                                   {"theme": "programmes", "field": "body", "pattern": "char?ty"}])
    out = ledger.json("deepdive", "themes", "--place", PLACE, "--year", YEAR, "--rules", rules,
                      "--theme", "programmes")
    # New Deal (1,000k, x_project) + the charity transfer (100k, recipient matches 'char?ty').
    assert out["themes"][0]["total"] == 1_100_000


def test_lewisham_inventory_120_projects_50_providers_15_streams(dd, make_csv):
    """Seed 001: over 120 projects for workless people in Lewisham, by over 50 providers via 15 funding streams."""
    rows = [line(spender=f"provider-{i % 50}", spender_type="third_sector", amount="1000", cofog="10.5",
                 x_project=f"project-{i}", funding_stream=f"stream-{i % 15}", theme="worklessness")
            for i in range(120)]
    dd("ingest", "--submitter", "lewisham-partnership", make_csv("lewisham.csv", rows))
    (work,) = dd.json("deepdive", "themes", "--place", PLACE, "--year", YEAR)["themes"]
    assert work["inventory_counts"] == {"projects": 120, "providers": 50, "funding_streams": 15, "access_points": 0}
    assert work["total"] == 120 * 1000


def test_bad_rules(ledger, make_csv):
    rules = make_csv("rules.csv", [{"theme": "t", "field": "colour", "pattern": "red"},
                                   {"theme": "t", "field": "cofog", "pattern": "99.9"}])
    err = ledger("deepdive", "themes", "--place", PLACE, "--year", YEAR, "--rules", rules, expect=1).stderr
    assert "row 2, column field" in err and "row 3, column pattern" in err
    assert "Give --place and --year" in ledger("deepdive", "themes", expect=2).stderr
