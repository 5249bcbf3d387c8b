"""360Giving grants as ledger lines: Trafford's real file (totals summed here from the raw CSV) and small files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from placespend.app import ingest_files
from placespend.app.workspace import open_workspace
from placespend.count.consolidate import count_place
from placespend.domain.problems import Report
from placespend.engine import bodies_store
from placespend.engine.ledger import ledger_of
from placespend.ingest.grants import cofog_rules, orgids, threesixty
from placespend.ingest.registry import detect, probe

from conftest import SHARED

DATA = SHARED / "data"
TRAFFORD = DATA / "trafford-360giving-and-spend"
GRANTS_CSV = TRAFFORD / "trafford_council_voluntary_sector_grants.csv"
GRANTS_JSON = TRAFFORD / "trafford_council_voluntary_sector_grants.json"
ORGIDS = DATA / "lookups-drkane" / "la_orgid_to_gss.csv"
real = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent; these tests read the real public data")


def _raw_by_year() -> dict[str, Decimal]:
    """Amount Awarded summed by the financial year of Award Date, straight from the CSV."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    with GRANTS_CSV.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            date = dt.date.fromisoformat(row["Award Date"][:10])
            start = date.year - (date.month < 4)
            totals[f"{start}-{str(start + 1)[2:]}"] += Decimal(row["Amount Awarded"])
    return totals


@real
def test_trafford_grants_are_transfers_of_the_council_by_financial_year() -> None:
    report = Report(GRANTS_CSV.name)
    (batch,) = threesixty.read_360_csv(GRANTS_CSV, report)
    assert report.ok and batch.submitter == "gb-lae-trf"
    expected = _raw_by_year()
    got: dict[str, Decimal] = defaultdict(Decimal)
    for line in batch.lines:
        got[line.period] += line.counted_amount
    assert got == expected
    assert sum(expected.values()) == Decimal("1291436.54")  # PROVENANCE: GBP 1.29m awarded, 555 grants
    assert len(batch.lines) == 555
    assert {(x.flow, x.place, x.spender_type) for x in batch.lines} == {("transfer", "E08000009", "local_authority")}
    assert all(x.recipient and x.recipient_type in {"third_sector", "private"} for x in batch.lines)
    unmapped = [p for p in report.warnings if p.slug == "grant-cofog-unmapped"]
    fallback = [x for x in batch.lines if x.cofog_source == "fallback_rule"]
    assert unmapped and len(fallback) < 60  # most grants placed by a keyword rule


@real
def test_json_and_csv_give_the_same_lines() -> None:
    def key(lines: list) -> list[tuple]:
        return sorted((x.line_id, x.amount, x.period, x.place, x.cofog, x.recipient) for x in lines)

    (from_csv,) = threesixty.read_360_csv(GRANTS_CSV, Report("csv"))
    (from_json,) = threesixty.read_360_json(GRANTS_JSON, Report("json"))
    assert key(from_csv.lines) == key(from_json.lines)


@real
def test_import_and_count_trafford_grants(tmp_path: Path) -> None:
    assert detect(GRANTS_CSV).name == "360giving-csv" and detect(GRANTS_JSON).name == "360giving-json"
    ws = open_workspace(tmp_path / "ws.duckdb")
    result = ingest_files.import_reference(ws, GRANTS_CSV)
    assert result.outcome == "loaded", result.report.errors
    expected = _raw_by_year()["2019-20"]
    with ws.read() as con:
        counted = count_place(ledger_of(con), "E08000009", "2019-20")
    # nobody else reports in the workspace: every grant reached an unreported recipient
    assert counted.total == counted.unreported_transfers == expected


@real
def test_orgid_lookup_is_imported_and_places_grants(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws.duckdb")
    result = ingest_files.import_reference(ws, ORGIDS)
    assert (result.outcome, result.reader) == ("loaded", "orgid-gss-lookup")
    places = bodies_store.orgid_places(ws)
    with ORGIDS.open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["gss_code"].startswith(("E", "W", "S", "N"))]
    assert places["GB-LAE-TRF"] == "E08000009" and len(places) == len({r["org_id"] for r in rows})


def _grants_csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    columns = sorted({k for row in rows for k in row})
    path = tmp_path / "grants.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _grant(**extra: str) -> dict[str, str]:
    base = {"Identifier": "360G-x-1", "Title": "Grant", "Description": "Football for young people",
            "Currency": "GBP", "Amount Awarded": "1000", "Award Date": "2020-03-31",
            "Recipient Org:Identifier": "GB-CHC-123", "Recipient Org:Name": "Club",
            "Funding Org:Identifier": "GB-GOR-PB188", "Funding Org:Name": "Sport England",
            "Beneficiary Location:0:Geographic Code": "E09000012"}
    base.update(extra)
    return base


def test_places_splits_orgids_fallbacks_and_regrants(tmp_path: Path) -> None:
    path = _grants_csv(tmp_path, [
        _grant(),
        _grant(**{"Identifier": "g2", "Beneficiary Location:0:Geographic Code": "E09000012",
                  "Beneficiary Location:1:Geographic Code": "E09000023", "Beneficiary Location:2:Geographic Code":
                  "E09000001", "Amount Awarded": "100"}),
        _grant(**{"Identifier": "g3", "Beneficiary Location:0:Geographic Code": "GB-LAE-TRF"}),
        _grant(**{"Identifier": "g4", "Beneficiary Location:0:Geographic Code": "",
                  "Recipient Org:Location:0:Geographic Code": "E08000009", "Regrant Type": "FRG010"}),
        _grant(**{"Identifier": "g5", "Beneficiary Location:0:Geographic Code": "", "Award Date": "2020-04-01"}),
        _grant(**{"Identifier": "g6", "Currency": "EUR"}),
    ])
    assert threesixty.is_360_csv(probe(path))
    report = Report(path.name)
    with orgids.use_orgid_places({"gb-lae-trf": "E08000009"}):
        (batch,) = threesixty.read_360_csv(path, report)
    lines = {x.line_id: x for x in batch.lines}
    assert batch.submitter == "gb-gor-pb188" and lines["360G-x-1"].spender_type == "central_government"
    assert lines["360G-x-1"].period == "2019-20" and lines["360G-x-1"].cofog == "08.1"
    split = [lines[f"g2#{n}"] for n in (1, 2, 3)]
    assert {x.apportionment for x in split} == {"indicator"}
    assert [x.counted_amount for x in split] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert lines["g3"].place == "E08000009"                   # an org-id location, through the lookup
    assert lines["g4"].place == "E08000009"                   # the recipient's location as fallback
    assert lines["g4"].extra["x_regrant_type"] == "FRG010" and "regrant" in lines["g4"].notes
    assert "g5" not in lines and "g6" not in lines
    slugs = {p.slug for p in report.warnings}
    assert {"grant-unplaced", "grant-amount-unusable"} <= slugs
    report_without_lookup = Report(path.name)
    (batch,) = threesixty.read_360_csv(path, report_without_lookup)
    assert "g3" not in {x.line_id for x in batch.lines}
    assert "grant-location-unknown" in {p.slug for p in report_without_lookup.warnings}


def test_json_grants_to_individuals_are_the_funders_spend(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    path.write_text(json.dumps({"grants": [{
        "id": "360G-i-1", "title": "Hardship grant", "description": "Help with fuel bills", "currency": "GBP",
        "amountAwarded": 250.5, "awardDate": "2021-06-01", "recipientIndividual": {"id": "360G-i-p1"},
        "fundingOrganization": [{"id": "GB-CHC-999", "name": "Local Trust"}],
        "beneficiaryLocation": [{"geoCode": "E09000023"}], "classifications": [{"title": "Poverty"}]}]}))
    assert threesixty.is_360_json(probe(path))
    (batch,) = threesixty.read_360_json(path, Report("j"))
    (line,) = batch.lines
    assert (line.flow, line.recipient, line.amount, line.cofog, line.spender_type) == (
        "spend", None, Decimal("250.5"), "10.7", "third_sector")


def test_cofog_rules_prefer_classifications_and_report_the_fallback() -> None:
    assert cofog_rules.classify(["Arts and culture"], ["Football club"]).cofog == "08.2"
    assert cofog_rules.classify([], ["Football club for young people"]).cofog == "08.1"  # sport before youth
    assert cofog_rules.classify([], ["Lunch club for older people"]).keyword == "older people"
    fallback = cofog_rules.classify([], ["General costs"])
    assert fallback.keyword is None and fallback.cofog == cofog_rules.rules()[-1].cofog
