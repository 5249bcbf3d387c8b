"""Layout profiles, user-declared publishers, public-body payees and encodings.

A new publisher is added by writing one JSON profile beside its files (or in PLACESPEND_SPEND_PROFILES);
the packaged profiles must all be valid; payees that are public bodies make a payment a transfer.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from spend_helpers import count_total, data_dir, import_json

from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v
from placespend.ingest import decoding, registry
from placespend.ingest.registry import read_reference
from placespend.ingest.spend import classify, profile, reader

PROFILES = Path(profile.__file__).parent / "profiles"


def manchester_rows(count: int = 40) -> list[list[str]]:
    path = data_dir() / "spend-odileeds" / "manchester_clean" / "2019-06.csv.gz"
    return list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8"), newline="")))[:count]


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def salford(folder: Path) -> tuple[Path, Decimal]:
    """Manchester's layout published by another council: no packaged profile names it."""
    rows = manchester_rows()
    rows = [rows[0], *[["Salford City Council", *r[1:]] for r in rows[1:]]]
    return write_rows(folder / "salford-2019-06.csv", rows), sum(Decimal(r[5]) for r in rows[1:])


def salford_profile() -> dict:
    data = json.loads((PROFILES / "manchester-city-council.profile.json").read_text(encoding="utf-8"))
    data["profile"] = "salford-city-council"
    data["publisher"] = {"body": "salford-city-council", "name": "Salford City Council", "type": "local_authority",
                         "place": "E08000006"}
    data["recognise"]["values"] = [{"column": "body", "pattern": "salford"}]
    return data


def test_packaged_profiles_are_valid_and_distinct():
    found = profile.packaged()
    assert len({p.id for p in found}) == len(found) >= 9
    for item in found:
        assert v.GSS_PATTERN.match(item.place), item.id
        assert item.publisher.type in v.BODY_TYPES
        assert cls.normalise_cofog(item.default_cofog) == item.default_cofog
        assert {"date", "amount"} <= set(item.columns) or item.date_from_filename
        assert all(role in item.columns for role in item.classify_by)
    names = {r.name for r in registry.READERS}
    assert "spend" in names and {f"spend:{p.id}" for p in found} <= names


def test_the_spend_reader_recognises_real_files_and_comes_after_the_reference_readers():
    spend = [i for i, r in enumerate(registry.READERS) if r.name == "spend"]
    others = [i for i, r in enumerate(registry.READERS) if r.kind != "flows"]
    assert spend and others and spend[0] > max(others)
    path = data_dir() / "spend-odileeds" / "newcastle_clean" / "2019-04.csv.gz"
    assert registry.detect(path).name == "spend"


@pytest.mark.parametrize("path", [
    "pesa2009-wdmmg", "population-demographr", "lookups-drkane", "lookups-ons-jtrim", "imd2019-lsoa",
    "trafford-360giving-and-spend/trafford_council_voluntary_sector_grants.csv",
])
def test_the_spend_reader_claims_no_reference_file(path: str):
    target = data_dir() / path
    files = sorted(target.glob("*.csv*")) if target.is_dir() else [target]
    assert files
    for file in files:
        assert not reader.matches(registry.probe(file)), file.name


def test_a_user_declares_a_new_publisher_with_a_profile_beside_its_files(cli, tmp_path):
    path, expected = salford(tmp_path / "salford")
    [refused] = import_json(cli, path, expect=1)
    assert [e["slug"] for e in refused["errors"]] == ["spend-profile-missing"]
    assert "profiles/README.md" in refused["errors"][0]["message"]
    (path.parent / "salford.profile.json").write_text(json.dumps(salford_profile()), encoding="utf-8")
    [loaded] = import_json(cli, path)
    assert loaded["outcome"] == "loaded"
    assert count_total(cli, "E08000006", "2019-20")[0] == expected


def test_profiles_can_come_from_the_environment(cli, tmp_path, monkeypatch):
    path, expected = salford(tmp_path / "data")
    folder = tmp_path / "my-profiles"
    folder.mkdir()
    (folder / "salford.profile.json").write_text(json.dumps(salford_profile()), encoding="utf-8")
    monkeypatch.setenv(profile.ENV_VAR, str(folder))
    import_json(cli, path)
    assert count_total(cli, "E08000006", "2019-20")[0] == expected


def test_a_broken_user_profile_is_reported_and_other_files_still_load(cli, tmp_path):
    rows = manchester_rows()
    path = write_rows(tmp_path / "mcr" / "2019-06.csv", rows)
    broken = salford_profile()
    broken["publisher"]["type"] = "council"
    (path.parent / "broken.profile.json").write_text(json.dumps(broken), encoding="utf-8")
    [result] = import_json(cli, path)
    assert result["outcome"] == "loaded"
    invalid = [w for w in result["warnings"] if w["slug"] == "spend-profile-invalid"]
    assert len(invalid) == 1 and "body type 'council'" in invalid[0]["message"]


def test_kind_forces_a_profile_when_recognition_fails(cli, tmp_path):
    path, expected = salford(tmp_path / "x")
    [result] = import_json(cli, path, "--kind", "spend:manchester-city-council")
    assert result["outcome"] == "loaded"
    assert count_total(cli, "E08000003", "2019-20")[0] == expected


@pytest.mark.parametrize(("name", "kind"), [
    ("GMCA", "local_authority"), ("Stockport Metropolitan Borough", "local_authority"),
    ("North Tyneside Council", "local_authority"), ("LONDON BOROUGH OF LEWISHAM", "local_authority"),
    ("NHS Central Manchester CCG", "nhs"), ("Pennine Care NHS Trust", "nhs"), ("Greater Manchester Police", "police"),
    ("TYNE & WEAR FIRE AND RESCUE AUTHORITY", "fire"), ("HM Revenue & Customs", "central_government"),
    ("Department For Work & Pensions", "central_government"), ("Arts Council England", "ndpb"),
    ("Environment Agency", "ndpb"), ("Bolton Town Council", "parish"), ("THOMAS BEWICK SCHOOL", "education"),
    ("ACCOUNTANT GENERAL SENIOR COURT", "justice"), ("Capita Business Services Ltd", None),
    ("Manchester Council for Voluntary Service", None), ("Redacted Personal Information", None),
    ("Manchester School Services Limited", None), ("Biffa Municipal Limited", None),
])
def test_public_bodies_are_recognised_by_name(name: str, kind: str | None):
    assert classify.payee(name).public_type == kind


def test_payee_ids_are_stable_slugs():
    assert classify.payee("Tyne & Wear Fire and Rescue Authority ").id == "tyne-and-wear-fire-and-rescue-authority"


def test_legacy_code_pages_are_told_apart():
    assert decoding.guess_legacy("Café – £5 ‘ok’".encode("cp1252")) == "cp1252"
    assert decoding.guess_legacy("Café – £5 ‘ok’ …".encode("mac_roman")) == "mac_roman"
    ra = data_dir() / "ra-rsx-budget-outturn-bengoodair" / "RA_2023-24_data_Part_1.csv"
    assert decoding.decode(ra.read_bytes()).encoding == "mac_roman"   # PROVENANCE: MacRoman-encoded


def test_mojibake_is_repaired_and_said():
    assert decoding.repair_cell("GAS -† GENERAL") == ("GAS - GENERAL", "cp1252 read as MacRoman")
    assert decoding.repair_cell("Â£500 CafÃ©") == ("£500 Café", "UTF-8 read as cp1252")
    assert decoding.repair_cell("Café") == ("Café", None)


def test_trafford_supplier_payments_in_the_lga_schema(cli, tmp_path):
    archive = data_dir() / "trafford-360giving-and-spend" / "trafford-supplier-spend-2024-25.zip"
    with zipfile.ZipFile(archive) as zipped:
        name = zipped.namelist()[0]
        with zipped.open(name) as handle:
            lines = [next(handle) for _ in range(3001)]
    path = tmp_path / "trafford-2024-25-sample.csv.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    records = list(csv.DictReader(io.StringIO(b"".join(lines).decode("utf-8-sig"), newline="")))
    years: dict[str, Decimal] = {}
    for record in records:
        date = dt.date.fromisoformat(record["PaymentDate"])
        year = f"{date.year if date.month >= 4 else date.year - 1}-{(date.year + (date.month >= 4)) % 100:02d}"
        years[year] = years.get(year, Decimal(0)) + Decimal(record["Amount"])
    assert any(Decimal(r["Amount"]) < 0 for r in records)   # cash discounts taken: credits that net off
    [result] = import_json(cli, path)
    assert result["outcome"] == "loaded"
    for year, amount in years.items():
        assert count_total(cli, "E08000009", year)[0] == amount


def test_a_zipped_spend_file_is_read_when_its_kind_is_given(tmp_path):
    rows = manchester_rows()
    path = tmp_path / "2019-06.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("2019-06.csv", "\n".join(",".join(f'"{c}"' for c in r) for r in rows))
    report, found, [batch] = read_reference(path, "spend")
    assert report.ok and found.name == "spend" and len(batch.lines) == len(rows) - 1
