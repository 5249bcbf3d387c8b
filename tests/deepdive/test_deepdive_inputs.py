"""The deep-dive readers and the layering: problems carry rows and columns; the method never imports upward."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from deepdive_support import DeepdiveCli

from placespend.app.deepdive import user_table
from placespend.deepdive import inputs
from placespend.deepdive.themes import glob_regex

SRC = Path(inputs.__file__).parent


@pytest.fixture
def dd(db):
    return DeepdiveCli(db)


def test_rates_are_read_as_people_write_them():
    # 0.035, 3.5% and a bare 3.5 are all 3.5%; optimism bias may exceed 100% when allowed.
    assert {inputs.parse_fraction(t, "r") for t in ("0.035", "3.5%", "3.5")} == {Decimal("0.035")}
    assert inputs.parse_fraction("150%", "ob", Decimal(10)) == Decimal("1.5")
    with pytest.raises(ValueError, match="out of range"):
        inputs.parse_fraction("150%", "r")
    with pytest.raises(ValueError):
        inputs.parse_fraction("-1%", "r")


def test_moves_parse():
    move = inputs.parse_move(" chaotic > barely coping : 12 ")
    assert (move.from_segment, move.to_segment, move.number) == ("chaotic", "barely coping", 12)


def test_unknown_columns_are_warned_and_ignored(dd, make_csv):
    path = make_csv("cba.csv", [{"Year": 0, "AGENCY": "a", "Kind": "Investment", "Amount": "£1,000",
                                 "colour": "blue"}, {"Year": 1, "AGENCY": "a", "Kind": "saving", "Amount": "1500"}])
    result = dd("cba", path, "--format", "json", "--discount-rate", "0")
    assert "Columns not used: colour" in result.stderr
    # Headings are matched loosely; 'saving' is a benefit. At 0%: NPV 1,500 - 1,000 = 500.
    assert '"npv": 500' in result.stdout


def test_blank_rows_are_skipped_and_counted_rows_reported(make_csv):
    path = make_csv("j.csv", [{"step": 1, "stage": "s", "agency": "a", "activity": "x", "actual_cost": "5"},
                              {"step": "", "stage": "", "agency": "", "activity": "", "actual_cost": ""},
                              {"step": 2, "stage": "s", "agency": "a", "activity": "y", "actual_cost": "-5"}])
    stops, report = inputs.read_journeys(user_table(path, inputs.JOURNEYS))
    assert [s.step for s in stops] == [1]
    assert report.rows_read == 2
    assert [(p.row, p.column, p.slug) for p in report.errors] == [(4, "actual_cost", "negative")]


def test_glob_patterns():
    assert glob_regex("*working neighbourhoods*") == "(?i)^.*working\\ neighbourhoods.*$"
    assert glob_regex("a?c") == "(?i)^a.c$"
    assert glob_regex("alcohol", anywhere=True) == "(?i)alcohol"


def test_the_method_layer_never_imports_upward():
    """DESIGN.md §2: deepdive may use engine, ingest, count and domain, never report, cli or web."""
    for module in SRC.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        upward = [n for n in names if n.startswith(("placespend.report", "placespend.cli", "placespend.web"))]
        assert not upward, f"{module.name} imports {upward}"
