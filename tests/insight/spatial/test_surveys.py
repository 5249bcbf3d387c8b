"""Survey estimates against a hand-worked 12-respondent example (design-based linearised variance), the key
drivers against the closed-form weighted least squares with its sandwich errors, and small-cell suppression.

Journey stages are Derbyshire's (seed 002 §8): initial contact, assessment, then overall satisfaction.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import Cli, write_csv

WEIGHTS = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
OVERALL = [5, 4, 4, 3, 5, 4, 3, 2, 4, 4, 3, 2]
CONTACT = [5, 5, 4, 3, 4, 4, 3, 2, 5, 3, 3, 1]
ASSESSMENT = [4, "", 4, 2, 5, 3, "", 2, 4, 5, 2, 2]  # two blank answers: missing, not zero
SEGMENTS = ["A"] * 8 + ["B"] * 4
T_975_11 = 2.200985160082949  # Student's t, 97.5th percentile, 11 degrees of freedom (tables)


def _survey(tmp_path):
    return write_csv(tmp_path / "survey.csv", [
        {"respondent_id": f"r{i}", "segment": SEGMENTS[i], "weight": WEIGHTS[i], "initial_contact": CONTACT[i],
         "assessment": ASSESSMENT[i], "overall": OVERALL[i]} for i in range(12)])


def test_weighted_mean_and_ci_by_hand(tmp_path):
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path), "--threshold", "5")
    overall = next(q for q in out["questions"] if q["question"] == "overall")
    everyone = overall["by"]["segment"][0]
    # By hand: sum w = 24, sum w*y = 16*1 + 14*2 + 13*3 = 83, mean = 83/24.
    mean = 83 / 24
    squares = sum(w * w * (y - mean) ** 2 for w, y in zip(WEIGHTS, OVERALL, strict=True))
    se = math.sqrt(12 / 11 * squares / 24 ** 2)
    assert everyone["group"] == "(all)" and everyone["n"] == 12
    assert everyone["mean"] == pytest.approx(mean, abs=1e-12) and everyone["se"] == pytest.approx(se, abs=1e-12)
    assert everyone["ci_low"] == pytest.approx(mean - T_975_11 * se, abs=1e-9)
    assert everyone["ci_high"] == pytest.approx(mean + T_975_11 * se, abs=1e-9)
    # Satisfied = score 4 or 5: weights 1+1+1 + 2+2 + 3+3 = 13 of 24.
    assert everyone["satisfied"]["mean"] == pytest.approx(13 / 24, abs=1e-12)
    # Stages keep the file's order (the journey reads left to right).
    assert [q["question"] for q in out["questions"]] == ["initial_contact", "assessment", "overall"]
    assessment = out["questions"][1]["by"]["segment"][0]
    assert assessment["n"] == 10 and assessment["weighted_n"] == 24 - 1 - 2


def test_small_cells_are_suppressed(tmp_path):
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path), "--threshold", "5")
    segment = {r["group"]: r for r in out["questions"][2]["by"]["segment"]}
    assert segment["B"] == {"group": "B", "n": None, "suppressed": "fewer than 5 respondents",
                            "satisfied": {"n": None, "suppressed": "fewer than 5 respondents"}}
    # All 12 answered and A's 8 would give B's 4 away by subtraction: A is withheld too, estimates and all.
    assert segment["(all)"]["n"] == 12 and segment["A"]["n"] is None and "worked out" in segment["A"]["suppressed"]
    default = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path))
    assert all("suppressed" in r for r in default["questions"][2]["by"]["segment"][1:])


def test_key_drivers_match_closed_form_weighted_least_squares(tmp_path):
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path), "--threshold", "5")
    keep = [i for i in range(12) if ASSESSMENT[i] != ""]
    x = np.array([[1, CONTACT[i], ASSESSMENT[i]] for i in keep], dtype=float)
    y, w = np.array([OVERALL[i] for i in keep], float), np.array([WEIGHTS[i] for i in keep], float)
    bread = np.linalg.inv(x.T @ (w[:, None] * x))
    beta = bread @ x.T @ (w * y)
    e = y - x @ beta
    meat = (x * ((w * e) ** 2)[:, None]).T @ x
    cov = bread @ meat @ bread * len(keep) / (len(keep) - 3)
    drivers = {d["question"]: d for d in out["key_drivers"]["drivers"]}
    assert out["key_drivers"]["n"] == 10
    for k, name in ((1, "initial_contact"), (2, "assessment")):
        assert drivers[name]["coefficient"] == pytest.approx(beta[k], abs=1e-9)
        assert drivers[name]["se"] == pytest.approx(math.sqrt(cov[k, k]), abs=1e-9)


def test_bad_survey_cells_are_named(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("respondent_id,segment,weight,overall\nr1,A,1,5\nr2,A,-1,4\nr3,A,1,good\n")
    result = Cli(tmp_path / "unused.duckdb")("insight", "surveys", path, expect=1)
    assert "s.csv, row 3, column weight" in result.stderr and "s.csv, row 4, column overall" in result.stderr


def test_no_withheld_group_can_be_worked_out_from_what_is_published(tmp_path):
    """Three segments, one small: whatever is published, the small one's count is not a difference of them."""
    sizes = {"A": 14, "B": 3, "C": 11}
    rows = [{"respondent_id": f"{g}{i}", "segment": g, "weight": 1 + i % 3, "overall": 1 + (i * 7) % 5}
            for g, n in sizes.items() for i in range(n)]
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", write_csv(tmp_path / "s.csv", rows))
    published = {r["group"]: r["n"] for r in out["questions"][0]["by"]["segment"]}
    withheld = [g for g in sizes if published[g] is None]
    assert "B" in withheld and (published["(all)"] is None or len(withheld) >= 2)
    for group in sizes:
        assert published[group] in (None, sizes[group])
        if published[group] is not None:
            assert published[group] >= 10
