"""ONS population, Census 2021 and area readers against the real files in ../shared/data (published facts)."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from placespend.ingest.reference.ons import HEALTH_COST_WEIGHTS
from placespend.ingest.registry import read_reference

from conftest import SHARED

DATA = SHARED / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent; these tests read the real public data")

HACKNEY, LEWISHAM = "E09000012", "E09000023"
LTLA19 = "population-demographr/population19_ltla19.csv"
LSOA19 = "population-demographr/population19_lsoa11.csv.gz"
SAM = "area-hectares-sam/SAM_LAD_DEC_2018_UK.csv"


@cache
def read(relative: str) -> tuple[str, list[dict]]:
    report, reader, batches = read_reference(DATA / relative)
    assert report.ok, report.errors[:5]
    rows = [row for batch in batches for row in batch.table.to_pylist()]
    return reader.name, rows


def values(relative: str, indicator: str, period: str | None = None) -> dict[str, Decimal]:
    _, rows = read(relative)
    return {r["area"]: r["value"] for r in rows if r["indicator"] == indicator and period in (None, r["period"])}


def raw_rows(relative: str) -> list[dict[str, str]]:
    path = DATA / relative
    text = gzip.decompress(path.read_bytes()).decode() if path.suffix == ".gz" else path.read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(("relative", "reader"), [
    (LTLA19, "ons-population-single-year"),
    ("population-demographr/population19_utla19.csv", "ons-population-single-year"),
    ("population-demographr/population20_ltla21.csv", "ons-population-single-year"),
    (LSOA19, "ons-population-single-year"),
    ("population-demographr/households21_ltla21.csv", "census2021-households"),
    ("population-demographr/age_gender21_ltla21_ew.csv", "census2021-age-groups"),
    ("population-demographr/eurostat_demo_r_d2jan_uk_nuts1_population_1990_2018.csv", "eurostat-nuts1-population"),
    (SAM, "ons-standard-area-measurements"),
])
def test_each_file_is_recognised_by_its_reader(relative: str, reader: str) -> None:
    assert read(relative)[0] == reader


def test_mid_2019_published_totals() -> None:
    population = values(LTLA19, "population", "2019")
    # The LAD file has no England row: England = the sum of its 'E' LADs (ONS published 56,286,961).
    assert sum(v for area, v in population.items() if area.startswith("E")) == 56_286_961
    assert population[HACKNEY] == 281_120
    assert population[LEWISHAM] == 305_842
    upper = values("population-demographr/population19_utla19.csv", "population", "2019")
    assert sum(v for area, v in upper.items() if area.startswith("E")) == 56_286_961


def test_mid_2020_file_is_period_2020() -> None:
    _, rows = read("population-demographr/population20_ltla21.csv")
    assert {r["period"] for r in rows} == {"2020"}
    assert len({r["area"] for r in rows}) == 331


def test_age_bands_match_single_years_summed_here() -> None:
    """Bands recomputed from the CSV's single-year columns, independently of the reader."""
    def span(row: dict[str, str], low: int, high: int | None) -> int:
        ages = [str(a) for a in range(low, 90 if high is None else high + 1)]
        return sum(int(row[a]) for a in ages) + (int(row["90+"]) if high is None else 0)

    checks = {"population_0_4": (0, 4), "population_0_15": (0, 15), "population_0_17": (0, 17),
              "population_0_18": (0, 18), "population_16_64": (16, 64), "population_65_plus": (65, None),
              "population_75_plus": (75, None), "population_85_plus": (85, None)}
    emitted = {name: values(LTLA19, name) for name in [*checks, "population"]}
    for row in raw_rows(LTLA19):
        area, total = row["ltla19_code"], int(row["total_population"])
        for name, (low, high) in checks.items():
            assert emitted[name][area] == span(row, low, high), (area, name)
        assert emitted["population"][area] == total
        assert emitted["population_0_17"][area] + span(row, 18, None) == total
        assert sum(emitted[name][area] for name in ("population_0_15", "population_16_64",
                                                    "population_65_plus")) == total


def test_age_weighted_health_is_the_weight_of_each_single_year() -> None:
    emitted = values(LTLA19, "population_age_weighted_health")
    def weight(age: int) -> Decimal:
        return next(w for low, high, w in HEALTH_COST_WEIGHTS if low <= age and (high is None or age <= high))

    covered = [age for low, high, _ in HEALTH_COST_WEIGHTS for age in range(low, (90 if high is None else high) + 1)]
    assert covered == list(range(91)), "the weight table covers every age 0..90+ exactly once"
    row = next(r for r in raw_rows(LTLA19) if r["ltla19_code"] == LEWISHAM)
    expected = sum(weight(a) * int(row[str(a)]) for a in range(90)) + weight(90) * int(row["90+"])
    assert emitted[LEWISHAM] == expected
    indicators = {r["indicator"] for r in read(LTLA19)[1]}
    assert not any(name.isdigit() or name.endswith("_90") for name in indicators), "single years are not emitted"


def test_lsoa_populations_add_up_to_their_borough() -> None:
    lsoa = values(LSOA19, "population", "2019")
    assert len(lsoa) == 34_753
    _, lookup = read("lookups-ons-jtrim/135_lsoa11_to_ward2019_EW.csv.gz")
    lad_of = {r["child"]: r["parent"] for r in lookup if r["relation"] == "lsoa_lad"}
    assert sum(v for area, v in lsoa.items() if lad_of[area] == LEWISHAM) == 305_842
    assert sum(v for area, v in lsoa.items() if lad_of[area] == HACKNEY) == 281_120
    assert sum(v for area, v in lsoa.items() if area.startswith("E01")) == 56_286_961


def test_census_2021_households_and_age_groups() -> None:
    households = values("population-demographr/households21_ltla21.csv", "households", "2021")
    published = {r["ltla21_code"]: Decimal(r["households"]) for r in raw_rows(
        "population-demographr/households21_ltla21.csv")}
    assert households == published and len(households) == 331
    age = "population-demographr/age_gender21_ltla21_ew.csv"
    working = values(age, "population_16_64", "2021")
    row = next(r for r in raw_rows(age) if r["ltla21_code"] == HACKNEY)
    assert working[HACKNEY] == int(row["working_age_females"]) + int(row["working_age_males"])
    assert "population_0_15" not in {r["indicator"] for r in read(age)[1]}  # double-counted upstream
    report, _, _ = read_reference(DATA / age)
    assert [w.slug for w in report.warnings] == ["census-age-groups-partial"]


def test_standard_area_measurements_land_area() -> None:
    area = values(SAM, "area_ha", "2018")
    assert area[HACKNEY] == Decimal("1904.92")
    assert area[LEWISHAM] == Decimal("3514.88")
    assert area["E09000001"] == Decimal("290.40")
    assert len(area) == 391


def test_eurostat_regions_add_up_to_the_uk() -> None:
    population = {(r["area"], r["period"]): r["value"] for r in read(
        "population-demographr/eurostat_demo_r_d2jan_uk_nuts1_population_1990_2018.csv")[1]}
    regions = [a for a, p in population if p == "2018" and a != "K02000001"]
    assert len(regions) == 12
    assert sum(population[a, "2018"] for a in regions) == population["K02000001", "2018"]


def _corrupt(source: Path, target: Path, line: int, column: str, text: str) -> Path:
    rows = list(csv.reader(io.StringIO(source.read_text("utf-8-sig"))))
    rows[line - 1][rows[0].index(column)] = text
    with target.open("w", newline="") as out:
        csv.writer(out).writerows(rows)
    return target


def test_a_non_numeric_count_is_an_error_at_its_row_and_column(tmp_path: Path) -> None:
    line = next(i for i, r in enumerate(raw_rows(LTLA19), start=2) if r["ltla19_code"] == LEWISHAM)
    copy = _corrupt(DATA / LTLA19, tmp_path / "population19_ltla19.csv", line, "30", "n/a")
    report, reader, batches = read_reference(copy)
    assert reader.name == "ons-population-single-year" and batches == []
    assert [(e.slug, e.row, e.column, e.value) for e in report.errors] == [("value-not-count", line, "30", "n/a")]


def test_a_non_numeric_area_is_an_error_at_its_row_and_column(tmp_path: Path) -> None:
    copy = _corrupt(DATA / SAM, tmp_path / "sam.csv", 3, "AREALHECT", "5,3x8.88")
    report, _, batches = read_reference(copy)
    assert batches == []
    assert [(e.slug, e.row, e.column) for e in report.errors] == [("value-not-number", 3, "AREALHECT")]


def test_a_population_file_without_a_year_in_its_name_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "ltla.csv"
    shutil.copy(DATA / LTLA19, copy)
    report, reader, batches = read_reference(copy)
    assert reader.name == "ons-population-single-year" and batches == []
    assert [e.slug for e in report.errors] == ["period-unknown"]
