"""Supplier resolution on the five publishers' real files: precision and recall on the hand-labelled pairs,
explanations, and users' links and splits applied on every later reading and every later run.

The workspace is built once, through `placespend suppliers resolve FILE...` with every file; tests that
change it work on a copy.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from suppliers_support import copy_workspace, real_workspace

from placespend.app import suppliers as uc
from placespend.app.workspace import open_workspace
from placespend.ingest.suppliers.names import supplier_name

from conftest import Cli

LABELLED = Path(__file__).parent / "labelled"


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    return real_workspace(tmp_path_factory)


def measure(db: Path, sample: str) -> dict[str, float | int]:
    found, _ = uc.resolution(open_workspace(db))
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "unsure": 0}
    with (LABELLED / sample).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["same"] == "?":
                counts["unsure"] += 1
                continue
            left, right = supplier_name(row["left_name"]).key, supplier_name(row["right_name"]).key
            joined = found.supplier_of[left] == found.supplier_of[right]
            truth = row["same"] == "1"
            counts[("t" if joined == truth else "f") + ("p" if joined else "n")] += 1
    return {**counts, "precision": counts["tp"] / (counts["tp"] + counts["fp"]),
            "recall": counts["tp"] / (counts["tp"] + counts["fn"])}


def test_precision_and_recall_on_the_held_out_pairs(real_db):
    measured = measure(real_db, "test_pairs.csv")
    print(f"\ntest pairs: {measured}")
    assert measured["tp"] + measured["fp"] + measured["fn"] + measured["tn"] + measured["unsure"] == 300
    assert measured["precision"] >= 0.95
    assert measured["recall"] >= 0.80


def test_precision_and_recall_on_the_development_pairs(real_db):
    measured = measure(real_db, "development_pairs.csv")
    print(f"\ndevelopment pairs: {measured}")
    assert measured["precision"] >= 0.95
    assert measured["recall"] >= 0.80


def test_every_file_was_read_and_every_name_resolved(real_db):
    result = json.loads((real_db.parent / "resolve.json").read_text(encoding="utf-8"))
    assert all(f["ok"] for f in result["files"]) and len(result["files"]) == 62
    summary = result["summary"]
    assert summary["names"] > summary["suppliers"] > 0.9 * summary["names"]
    assert {"VAT number", "same letters", "cut short", "name model"} <= set(summary["joins_by_rule"])


def test_a_model_join_is_explained_by_its_levels_and_weights(real_db):
    result = uc.explain(open_workspace(real_db), "WOMBLE BOND DICKINSON LLP", "Womble Bond Dickenson (UK) LLP")
    assert result["same_supplier"]
    [step] = result["steps"]
    assert step["rule"] == "name model" and step["probability"] >= result["threshold"]
    levels = {lvl["comparison"]: lvl for lvl in step["detail"]["levels"]}
    assert levels["name"]["level"] == "a typo or two" and levels["name"]["weight"] > 10
    assert step["weight"] == pytest.approx(sum(lvl["weight"] for lvl in levels.values()) + _prior(real_db), abs=0.05)


def _prior(db: Path) -> float:
    """The prior's weight: log2 of the odds that two random names match, as the model was trained."""
    model = json.loads(_model_json(db))
    p = model["probability_two_random_records_match"]
    return math.log2(p / (1 - p))


def _model_json(db: Path) -> str:
    with open_workspace(db).read() as con:
        return con.con.execute("SELECT model FROM supplier_runs ORDER BY run_id DESC LIMIT 1").fetchone()[0]


def test_a_rule_join_names_its_rule_and_the_folding(real_db):
    result = uc.explain(open_workspace(real_db), "Imperial Civil Enforcement Solution", "IMPERIAL CIVIL ENFORCEMENT "
                        "SOLUTIONS LTD")
    assert result["same_supplier"]
    assert [s["rule"] for s in result["steps"]] == ["cut short"]
    assert result["left"]["cut_short"] and result["left"]["partners"] == ["trafford-council"]
    same = uc.explain(open_workspace(real_db), "CAPITA BUSINESS SERVICES LTD", "Capita Business Services Limited")
    assert same["steps"][0]["rule"] == "same name once folded"
    assert "legal form dropped (ltd)" in same["left"]["spellings"][0]["folding"]


def test_vat_numbers_join_a_publishers_spellings(real_db):
    result = uc.explain(open_workspace(real_db), "MBL Seminars Limited", "MBL (Seminars) Ltd")
    assert result["same_supplier"]
    assert {s["rule"] for s in result["steps"]} <= {"VAT number", "supplier account", "same name once folded"}


def test_a_vat_group_without_a_shared_word_is_not_one_supplier(real_db):
    """Trafford pays Lancashire County Council and its schools under one VAT group number."""
    result = uc.explain(open_workspace(real_db), "Lancashire County Council", "Pear Tree School")
    assert not result["same_supplier"]


def test_splits_and_links_hold_on_every_later_reading_and_run(real_db, tmp_path):
    db = copy_workspace(real_db, tmp_path / "copy")
    cli = Cli(db)
    ws = open_workspace(db)
    joined = ("CAPITA BUSINESS SERVICES LTD", "CAPITA BUSINESS SERVICES LTD T/A ORANGE BUS")
    apart = ("BT PLC", "Bt Payphones")
    assert uc.explain(ws, *joined)["same_supplier"] and not uc.explain(ws, *apart)["same_supplier"]
    cli("suppliers", "split", *joined, "--reason", "Orange Bus is a separate contract", "--by", "tester")
    cli("suppliers", "link", *apart, "--reason", "BT payphones are BT plc's", "--by", "tester")
    assert not uc.explain(ws, *joined)["same_supplier"]
    assert uc.explain(ws, *apart)["same_supplier"]
    explained = uc.explain(ws, *apart)
    assert explained["steps"][0]["rule"] == "user link" and explained["steps"][0]["detail"]["by"] == "tester"
    cli("suppliers", "resolve")                       # a later run of the name model: overrides still hold
    assert not uc.explain(ws, *joined)["same_supplier"] and uc.explain(ws, *apart)["same_supplier"]
    shared = {s["name"]: s for s in uc.shared(ws)["suppliers"]}
    capita = next(s for s in shared.values() if "CAPITA BUSINESS SERVICES LTD" in s["names"])
    assert "CAPITA BUSINESS SERVICES LTD T/A ORANGE BUS" not in capita["names"]
    audit = json.loads(cli("suppliers", "overrides", "--format", "json").stdout)
    assert [(o["action"], o["left_name"], o["made_by"], o["reason"]) for o in audit] == [
        ("split", joined[0], "tester", "Orange Bus is a separate contract"),
        ("link", apart[0], "tester", "BT payphones are BT plc's")]
    cli("suppliers", "link", *joined, "--reason", "one contract after all", "--by", "tester")
    assert uc.explain(ws, *joined)["same_supplier"]   # the later override of a pair wins


def test_unknown_names_are_refused_with_the_nearest(real_db):
    result = Cli(real_db)("suppliers", "explain", "Capita Busines Services", "BT PLC", expect=2)
    assert "No supplier named 'Capita Busines Services'" in result.output
    assert "capita business services" in result.output and "Traceback" not in result.output
