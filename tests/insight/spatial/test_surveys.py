"""Survey estimates against a hand-worked 12-respondent example (design-based linearised variance), the key
drivers against the closed-form weighted least squares with its sandwich errors, and small-cell suppression.

Journey stages are Derbyshire's (seed 002 §8): initial contact, assessment, then overall satisfaction.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from conftest import Cli, write_csv

WEIGHTS = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
OVERALL = [5, 4, 4, 3, 5, 4, 3, 2, 4, 4, 3, 2]
CONTACT = [5, 5, 4, 3, 4, 4, 3, 2, 5, 3, 3, 1]
ASSESSMENT = [4, "", 4, 2, 5, 3, "", 2, 4, 5, 2, 2]  # two blank answers: missing, not zero
SEGMENTS = ["A"] * 8 + ["B"] * 4
T_975_11 = 2.200985160082949  # Student's t, 97.5th percentile, 11 degrees of freedom (tables)


def _survey(tmp_path, copies: int = 1):
    return write_csv(tmp_path / "survey.csv", [
        {"respondent_id": f"r{i}-{c}", "segment": SEGMENTS[i], "weight": WEIGHTS[i], "initial_contact": CONTACT[i],
         "assessment": ASSESSMENT[i], "overall": OVERALL[i]} for c in range(copies) for i in range(12)])


def test_weighted_mean_and_ci_by_hand(tmp_path):
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path))
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
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path, copies=2))
    segment = {r["group"]: r for r in out["questions"][2]["by"]["segment"]}
    assert segment["B"] == {"group": "B", "n": None, "suppressed": "fewer than 10 respondents",
                            "satisfied": {"n": None, "suppressed": "fewer than 10 respondents"}}
    # All 24 answered and A's 16 would give B's 8 away by subtraction: A is withheld too, estimates and all.
    assert segment["(all)"]["n"] == 24 and segment["A"]["n"] is None and "worked out" in segment["A"]["suppressed"]
    single = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path))
    assert all("suppressed" in r for r in single["questions"][2]["by"]["segment"][1:])


@pytest.mark.parametrize("asked", ["1", "3", "9"])
def test_the_threshold_cannot_go_below_the_default(tmp_path, asked):
    """Asking for 3 would publish B's 4 respondents: the command refuses it, names the default and prints nothing."""
    result = Cli(tmp_path / "unused.duckdb")("insight", "surveys", _survey(tmp_path), "--threshold", asked,
                                             "--format", "json", expect=2)
    message = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert "cannot be lower than 10" in message and f"asked for {asked}" in message
    assert "respondents" not in message and "{" not in message  # no result, not even a partial one


def test_the_threshold_may_be_raised(tmp_path):
    higher = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path, copies=2),
                                                  "--threshold", "20")
    # 24 answered in all, A's 16 and B's 8 are both under 20: only the total is published.
    assert higher["threshold"] == 20 and higher["questions"][2]["by"]["segment"][0]["n"] == 24
    assert [r["n"] for r in higher["questions"][2]["by"]["segment"][1:]] == [None, None]


def _counts(value, key=None):
    """Every count of respondents anywhere in a published answer: the values of its `n` keys."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _counts(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _counts(item, key)
    elif key == "n" and value is not None:
        yield value


def test_nothing_under_ten_respondents_is_published(tmp_path):
    """Segments of every size from 1 to 14 respondents: no count of 1 to 9 appears anywhere in the answer."""
    sizes = range(1, 15)
    rows = [{"respondent_id": f"{size}-{i}", "segment": f"s{size}", "area": f"a{i % 3}", "weight": 1 + i % 2,
             "initial_contact": 1 + i % 5, "overall": 1 + (i * size) % 5} for size in sizes for i in range(size)]
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", write_csv(tmp_path / "s.csv", rows))
    counts = list(_counts(out))
    assert out["respondents"] == sum(sizes) and sum(sizes) in counts
    assert counts and all(n == 0 or n >= 10 for n in counts), sorted(counts)
    segment = {r["group"]: r["n"] for r in out["questions"][0]["by"]["segment"]}
    assert all(segment[f"s{size}"] is None for size in range(1, 10))


def test_key_drivers_match_closed_form_weighted_least_squares(tmp_path):
    out = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", _survey(tmp_path))
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
