"""The Bolton case (seed 000): people with a social-care adaptation and no council-tax disablement relief, as
protected counts by ward for the public and as a record list only for the partner that owns the records; and
people known to several services with the cost of their services (unit costs from the deep dives)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from people_support import FIELDS, agreement_add
from placespend.cli.main import app
from placespend.insight.synthetic_people import make_partners

runner = CliRunner()
OWNERS = ("--left-owner", "lbl", "--right-owner", "pct", "--as", "analyst")
FIELDS_COSTED = (*FIELDS, "x_unit_cost_code", "x_units")


def hub(folder: Path):
    """`placespend --db <the hub's workspace> insight ...`: every run is under the adaptations agreement."""
    return lambda *args: runner.invoke(app, ["--db", str(folder / "hub.duckdb"), "insight", *args],
                                       catch_exceptions=False)


@pytest.fixture(scope="module")
def bolton(tmp_path_factory):
    """Adaptations (left) and disablement relief (right) with no errors and no twins, so every link is right."""
    folder = tmp_path_factory.mktemp("bolton")
    run = hub(folder)
    assert run(*agreement_add("adaptations", fields=FIELDS_COSTED)).exit_code == 0
    partners = make_partners(600, 500, 300, seed=5, error_rate=0.0, twin_share=0.0)
    (folder / "adaptations.csv").write_text(partners.left_csv)
    (folder / "relief.csv").write_text(partners.right_csv)
    run("keygen", "--out", str(folder / "k.key"))
    for name in ("adaptations", "relief"):
        assert run("pseudonymise", str(folder / f"{name}.csv"), "--key", str(folder / "k.key"),
                   "--out", str(folder / f"{name}_t.csv")).exit_code == 0
    return folder, partners


def test_counts_by_ward_for_the_public_are_the_true_counts_or_withheld(bolton):
    folder, partners = bolton
    result = hub(folder)("unmatched", str(folder / "adaptations_t.csv"), str(folder / "relief_t.csv"), "--by", "x_ward",
                 "--format", "json", *OWNERS)
    payload = json.loads(result.output)
    matched_left = {a for a, _ in partners.true_pairs}
    expected = Counter(p.ward for rid, p in partners.left_people.items() if rid not in matched_left)
    assert sum(expected.values()) == 300
    published = {g["group"]: g["not_matched"] for g in payload["groups"]}
    assert set(published) <= set(expected) | {"(not recorded)"}
    for ward, count in published.items():
        assert count is None or count == expected[ward]
        assert count is None or count == 0 or count >= 10
    assert any(count is not None for count in published.values())


def test_record_list_only_for_the_owner(bolton, tmp_path):
    folder, partners = bolton
    args = ["unmatched", str(folder / "adaptations_t.csv"), str(folder / "relief_t.csv"), "--by", "x_ward",
            "--list-out", str(tmp_path / "list.csv"), "--key", str(folder / "k.key"), *OWNERS]
    run = hub(folder)
    refused = run(*args, "--owner-records", str(folder / "relief.csv"))  # not the file LEFT was made from
    assert refused.exit_code == 2 and "only for the partner that owns" in " ".join(refused.output.split())
    assert not (tmp_path / "list.csv").exists()
    allowed = run(*args, "--owner-records", str(folder / "adaptations.csv"))
    assert allowed.exit_code == 0
    with (tmp_path / "list.csv").open(newline="") as handle:
        listed = {row["record_id"] for row in csv.DictReader(handle)}
    assert listed == set(partners.left_people) - {a for a, _ in partners.true_pairs}


def test_people_known_to_several_services_and_their_cost(bolton, tmp_path):
    folder, _ = bolton
    for name, code in (("adaptations", "CC-SES"), ("relief", "HE-GP")):
        with (folder / f"{name}_t.csv").open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        with (tmp_path / f"{name}.csv").open("w", newline="") as out:
            writer = csv.DictWriter(out, [*rows[0], "x_unit_cost_code", "x_units"])
            writer.writeheader()
            writer.writerows(row | {"x_unit_cost_code": code, "x_units": "2"} for row in rows)
    library = tmp_path / "costs.csv"
    library.write_text("Ref,Outcome category,Outcome detail,Agency,Unit,Cost,Price base,Source\n"
                       "CC-SES,Social services,Session,Local authority,per session,25.00,2009-10,test\n"
                       "HE-GP,Health,GP consultation,NHS,per consultation,36.00,2009-10,test\n")
    result = hub(folder)("services", str(tmp_path / "adaptations.csv"), str(tmp_path / "relief.csv"), "--by", "x_ward",
                 "--unit-costs", str(library), "--format", "json", "--owner", "lbl", "--owner", "pct",
                 "--as", "analyst")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    totals = payload["totals"]
    assert totals["known_to_2"] == 300 and totals["known_to_1"] == (600 - 300) + (500 - 300)
    costs = {row["services"]: row for row in payload["costs"]["rows"]}
    # each person known to both: 2 sessions at 25.00 + 2 consultations at 36.00 = 122.00
    assert Decimal(str(costs["known to 2"]["cost"])) == 300 * Decimal("122.00")
    assert Decimal(str(costs["known to 2"]["cost_per_person"])) == Decimal("122.00")
    assert Decimal(str(costs["known to 1"]["cost"])) == 300 * 2 * Decimal("25.00") + 200 * 2 * Decimal("36.00")
