"""Shared suppliers of the real files, every figure recomputed here from the raw files with the csv module.

Which names are one supplier is the resolution's (measured apart, on the labelled pairs); the money is
re-added here, payment by payment, from the publishers' own cells: each partner's third-party spend, each
shared supplier's amount per partner, the partners' concentration, and the savings of joint procurement,
which must reach the deep dives' savings register unchanged.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from suppliers_support import COUNCILS, PUBLISHERS, copy_workspace, raw_payments, real_workspace

from placespend.app import suppliers as uc
from placespend.app.workspace import open_workspace
from placespend.ingest.suppliers.names import supplier_name

from conftest import Cli

PENNY = Decimal("0.01")


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    return real_workspace(tmp_path_factory)


@pytest.fixture(scope="module")
def shared(real_db) -> dict:
    return json.loads(Cli(real_db)("suppliers", "shared", "--format", "json").stdout, parse_float=Decimal)


@pytest.fixture(scope="module")
def raw() -> dict[str, list]:
    return {publisher: list(raw_payments(publisher)) for publisher in PUBLISHERS}


def by_name(payments) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for payment in payments:
        sums[payment.payee] += payment.amount
    return sums


@pytest.mark.parametrize("publisher", list(COUNCILS))
def test_each_councils_third_party_spend_is_its_payments_less_those_to_itself(shared, raw, publisher):
    partner = next(p for p in shared["partners"] if p["partner"] == COUNCILS[publisher])
    expected = sum((p.amount for p in raw[publisher]), Decimal(0))
    assert Decimal(str(partner["third_party_spend"])) == expected


def test_the_cabinet_offices_family_spends_what_its_files_hold(shared, raw):
    family = [p for p in shared["partners"] if p["partner"] not in COUNCILS.values()]
    assert {p["partner"] for p in family} >= {"cabinet-office", "crown-commercial-service", "buying-solutions"}
    total = sum(Decimal(str(p["third_party_spend"])) for p in family)
    assert total == sum((p.amount for p in raw["Cabinet Office"]), Decimal(0))


def test_shared_suppliers_amounts_per_partner_add_up_from_the_raw_rows(shared, raw):
    """The 40 largest shared suppliers: each partner's amount is the sum of its rows naming any of the
    supplier's spellings; the total is the sum over the partners paying it."""
    sums = {publisher: by_name(raw[publisher]) for publisher in PUBLISHERS}
    checked = 0
    for supplier in shared["suppliers"][:40]:
        names = set(supplier["names"])
        for entry in supplier["by_partner"]:
            publisher = next((k for k, v in COUNCILS.items() if v == entry["partner"]), None)
            if publisher is None:
                continue   # a Cabinet Office family body: the family is checked as one below
            expected = sum((a for n, a in sums[publisher].items() if n in names), Decimal(0))
            assert Decimal(str(entry["amount"])) == expected, (supplier["name"], publisher)
            checked += 1
        family = sum(Decimal(str(e["amount"])) for e in supplier["by_partner"] if e["partner"] not in COUNCILS.values())
        family_raw = sum((a for n, a in sums["Cabinet Office"].items() if n in names), Decimal(0))
        assert family == family_raw or (family_raw <= 0 and family == 0), supplier["name"]
        assert Decimal(str(supplier["total"])) == sum(Decimal(str(e["amount"])) for e in supplier["by_partner"])
    assert checked > 60


def test_shares_are_of_each_partners_third_party_spend(shared):
    spend = {p["partner"]: Decimal(str(p["third_party_spend"])) for p in shared["partners"]}
    for supplier in shared["suppliers"][:40]:
        for entry in supplier["by_partner"]:
            exact = Decimal(str(entry["amount"])) / spend[entry["partner"]]
            assert Decimal(str(entry["share"])) == exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def test_concentration_recomputed_from_the_raw_rows(real_db, shared, raw):
    """Manchester's top-10 share and Herfindahl index over its named suppliers, from the csv sums grouped by
    the supplier each name resolves to."""
    found, _ = uc.resolution(open_workspace(real_db))
    per_supplier: dict[str, Decimal] = defaultdict(Decimal)
    for name, amount in by_name(raw["Manchester"]).items():
        folded = supplier_name(name)
        if folded is not None:
            per_supplier[found.supplier_of[folded.key]] += amount
    positive = sorted((a for a in per_supplier.values() if a > 0), reverse=True)
    total = sum(positive, Decimal(0))
    hhi = sum(((a / total) ** 2 for a in positive), Decimal(0)) * 10_000
    manchester = next(p for p in shared["partners"] if p["partner"] == "manchester-city-council")
    assert manchester["named_suppliers"] == len(positive)
    assert Decimal(str(manchester["named_spend"])) == total
    assert Decimal(str(manchester["hhi"])) == hhi.quantize(PENNY)
    assert Decimal(str(manchester["top10_share"])) == (sum(positive[:10], Decimal(0)) / total).quantize(
        Decimal("0.000001"), rounding=ROUND_HALF_UP)


def test_public_bodies_are_shown_only_when_asked(real_db, shared):
    names = {s["name"] for s in shared["suppliers"]}
    everyone = json.loads(Cli(real_db)("suppliers", "shared", "--include-public", "--format", "json").stdout)
    public = [s for s in everyone["suppliers"] if s["public_type"]]
    assert public and not names & {s["name"] for s in public}
    assert any("REVENUE" in s["name"].upper() for s in public)   # HMRC is paid by several partners


def test_joint_procurement_savings_reach_the_savings_register(real_db, raw, tmp_path):
    """Manchester's addressable spend is its net payments to the suppliers it shares with another partner in
    2019-20 (all its payments are revenue); the range is that times 2%, 5% and 8%; the register's rows total
    over five years as `placespend deepdive savings` reads them, and a user's own row stays as it was."""
    db = copy_workspace(real_db, tmp_path / "copy")
    cli = Cli(db)
    register = tmp_path / "register.csv"
    own = {"id": "S1", "description": "Single visiting team", "agency": "Council", "low": "80000",
           "central": "120000", "high": "150000", "recurrence": "recurring", "capital_revenue": "revenue",
           "start_year": "2020-21", "profile": "1", "status": "estimate", "basis": "local", "evidence": "",
           "theme": "worklessness", "group": ""}
    with register.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(own))
        writer.writeheader()
        writer.writerow(own)
    result = json.loads(cli("suppliers", "savings", "--central", "5", "--low", "2", "--high", "8", "--year",
                            "2019-20", "--start", "2020-21", "--register", register, "--format", "json").stdout,
                        parse_float=Decimal)
    shared = json.loads(cli("suppliers", "shared", "--year", "2019-20", "--format", "json").stdout)
    shared_names = {n for s in shared["suppliers"] for n in s["names"]}
    found, _ = uc.resolution(open_workspace(db))
    nets: dict[str, Decimal] = defaultdict(Decimal)
    for name, amount in by_name(raw["Manchester"]).items():
        if name in shared_names:
            nets[found.supplier_of[supplier_name(name).key]] += amount
    addressable = sum((a for a in nets.values() if a > 0), Decimal(0))
    manchester = next(p for p in result["by_partner"] if p["partner"] == "manchester-city-council")
    assert Decimal(str(manchester["addressable"])) == addressable
    for level, rate in (("low", 2), ("central", 5), ("high", 8)):
        assert Decimal(str(manchester[level])) == (addressable * rate / 100).quantize(PENNY, rounding=ROUND_HALF_UP)
    assert "trafford-council" not in {p["partner"] for p in result["by_partner"]}   # its year is 2024-25
    deepdive = json.loads(cli("deepdive", "savings", register, "--format", "json").stdout, parse_float=Decimal)
    central_a_year = sum(Decimal(str(p["central"])) for p in result["by_partner"])
    assert Decimal(str(deepdive["total"]["central"])) == 5 * (central_a_year + 120_000)
    assert Decimal(str(deepdive["by_theme"]["procurement"])) == 5 * central_a_year
    with register.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0] == own and {r["group"] for r in rows[1:]} == {"joint-procurement"}
    cli("suppliers", "savings", "--central", "4", "--year", "2019-20", "--start", "2020-21", "--register", register)
    with register.open(newline="", encoding="utf-8") as handle:
        again = list(csv.DictReader(handle))
    assert len(again) == len(rows) and again[0] == own   # the entries were replaced, not added twice
