"""IMD and geography lookup readers against the real files in ../shared/data (published facts)."""

from __future__ import annotations

import csv
import gzip
import io
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from placespend.ingest.registry import read_reference

from conftest import SHARED

DATA = SHARED / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent; these tests read the real public data")

HACKNEY, LEWISHAM, BIRMINGHAM = "E09000012", "E09000023", "E08000025"
IMD_LAD = "imd-humaniverse/imd_england_lad.csv"
FILE_1 = "imd2019-lsoa/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
FILE_2 = "imd2019-lsoa/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"
FILE_6 = "imd2019-lsoa/File_6_-_IoD2019_Population_Denominators.csv.gz"
JTRIM = "lookups-ons-jtrim/"


@cache
def read(relative: str) -> tuple[str, list[dict]]:
    report, reader, batches = read_reference(DATA / relative)
    assert report.ok, report.errors[:5]
    return reader.name, [row for batch in batches for row in batch.table.to_pylist()]


def values(relative: str, indicator: str, period: str) -> dict[str, Decimal]:
    return {r["area"]: r["value"] for r in read(relative)[1] if r["indicator"] == indicator and r["period"] == period}


def links(relative: str, relation: str, vintage: str | None = None) -> list[dict]:
    return [r for r in read(relative)[1] if r["relation"] == relation and vintage in (None, r["vintage"])]


@pytest.mark.parametrize(("relative", "reader"), [
    (FILE_1, "iod-lsoa"),
    (FILE_2, "iod-lsoa"),
    (FILE_6, "iod-population-denominators"),
    ("imd-humaniverse/imd2010_lsoa11_england.csv.gz", "imd-lsoa-scores"),
    ("imd-humaniverse/imd2015_lsoa11_england.csv.gz", "imd-lsoa-scores"),
    (IMD_LAD, "imd2019-area-summary"),
    ("imd-humaniverse/imd_england_lad_subdomains.csv", "imd2019-area-summary"),
    ("imd-humaniverse/imd_england_ward.csv.gz", "imd2019-area-summary"),
    ("imd-humaniverse/imd2007_lad21_england.csv", "imd-lad21-summary"),
    ("imd-humaniverse/imd2010_lad21_england.csv", "imd-lad21-summary"),
    ("imd-humaniverse/imd2015_lad21_england.csv", "imd-lad21-summary"),
    (JTRIM + "016_lad18_to_region_England.csv.gz", "ons-geography-lookup"),
    (JTRIM + "083_lsoa01_to_ward2010_EW.csv.gz", "ons-geography-lookup"),
    (JTRIM + "105_lsoa01_to_ward2009_EW.csv.gz", "ons-geography-lookup"),
    (JTRIM + "133_lad19_to_fire_rescue_authority_EW.csv.gz", "ons-geography-lookup"),
    (JTRIM + "135_lsoa11_to_ward2019_EW.csv.gz", "ons-geography-lookup"),
    (JTRIM + "165_ward19_to_lad_to_county_to_region_to_country_UK.csv.gz", "ons-geography-lookup"),
    (JTRIM + "194_lad19_to_csp_to_police_force_area_EW.csv.gz", "ons-geography-lookup"),
    (JTRIM + "217_lsoa11_to_ccg_to_lad_apr2019_England.csv.gz", "ons-geography-lookup"),
    (JTRIM + "220_lsoa01_to_lsoa11_to_lad11_EW.csv.gz", "ons-geography-lookup"),
    ("lookups-drkane/la_all_codes.csv", "drkane-geo-lookup"),
    ("lookups-drkane/ward_all_codes.csv.gz", "drkane-geo-lookup"),
    ("lookups-drkane/msoa_la.csv.gz", "drkane-geo-lookup"),
])
def test_each_file_is_recognised_by_its_reader(relative: str, reader: str) -> None:
    assert read(relative)[0] == reader


def test_imd_2019_local_authority_average_scores_and_ranks() -> None:
    score = values(IMD_LAD, "imd_average_score", "2019")
    rank = values(IMD_LAD, "imd_average_score_rank", "2019")
    assert len(score) == 317
    assert (score[HACKNEY], rank[HACKNEY]) == (Decimal("32.526"), 22)
    assert (score[LEWISHAM], rank[LEWISHAM]) == (Decimal("26.661"), 63)
    assert (score[BIRMINGHAM], rank[BIRMINGHAM]) == (Decimal("38.067"), 7)
    assert values(IMD_LAD, "imd_income_average_score", "2019")["E06000001"] == Decimal("0.228")


def test_iod_2019_lsoa_ranks_agree_between_files_1_and_2() -> None:
    file_1, file_2 = values(FILE_1, "imd_rank", "2019"), values(FILE_2, "imd_rank", "2019")
    assert file_1 == file_2
    ranks = sorted(file_1.values())
    assert len(ranks) == 32_844 and ranks[0] == 1
    # ONS ranking: equal scores share a rank and the next rank is skipped (26 such ties in IoD2019)
    assert all(rank in (position, before) for position, before, rank in
               zip(range(2, 32_845), ranks[:-1], ranks[1:], strict=True))
    assert len(ranks) - len(set(ranks)) == 26
    assert file_1["E01000001"] == 29_199  # printed "29,199"
    indicators = {r["indicator"] for r in read(FILE_2)[1]}
    assert {"imd_income_rank", "imd_employment_decile", "imd_education_rank", "imd_health_rank",
            "imd_crime_rank", "imd_barriers_rank", "imd_living_environment_decile"} <= indicators


def test_iod_2019_denominators_are_mid_2015() -> None:
    total = values(FILE_6, "population_imd2019", "2015")
    assert len(total) == 32_844 and total["E01000001"] == 1_296
    children = values(FILE_6, "population_imd2019_0_15", "2015")
    assert children["E01000001"] == 175


def test_imd_2010_and_2015_lsoa_scores() -> None:
    imd_2010 = values("imd-humaniverse/imd2010_lsoa11_england.csv.gz", "imd_score", "2010")
    imd_2015 = values("imd-humaniverse/imd2015_lsoa11_england.csv.gz", "imd_score", "2015")
    assert len(imd_2010) == 32_482 and len(imd_2015) == 32_844
    assert imd_2010["E01000001"] == Decimal("6.161637")
    assert imd_2015["E01031349"] == Decimal("12.389")


def test_lad21_re_aggregations_take_their_edition_from_the_file_name() -> None:
    for year in ("2007", "2010", "2015"):
        scores = values(f"imd-humaniverse/imd{year}_lad21_england.csv", "imd_average_score", year)
        assert len(scores) == 309


def test_lewisham_is_in_london() -> None:
    for relative, relation, vintage in ((JTRIM + "016_lad18_to_region_England.csv.gz", "lad_region", "2018"),
                                        (JTRIM + "165_ward19_to_lad_to_county_to_region_to_country_UK.csv.gz",
                                         "lad_region", "2019"),
                                        ("lookups-drkane/la_all_codes.csv", "lad_region", "current")):
        parents = {(r["parent"], r["parent_name"]) for r in links(relative, relation, vintage)
                   if r["child"] == LEWISHAM}
        assert parents == {("E12000007", "London")}, relative
    upper = {r["child"]: r["parent"] for r in links("lookups-drkane/la_all_codes.csv", "lad_utla")}
    assert upper[LEWISHAM] == LEWISHAM  # a London borough is its own upper tier
    assert upper["E07000190"] == "E06000066"  # Taunton Deane -> Somerset


def test_hackney_wards_per_lookup_vintage() -> None:
    def hackney_wards(relative: str, vintage: str) -> set[str]:
        return {r["parent"] for r in links(relative, "lsoa_ward", vintage) if r["child_name"].startswith("Hackney ")}

    assert len(hackney_wards(JTRIM + "105_lsoa01_to_ward2009_EW.csv.gz", "2009")) == 19
    assert len(hackney_wards(JTRIM + "083_lsoa01_to_ward2010_EW.csv.gz", "2010")) == 19
    assert len(hackney_wards(JTRIM + "135_lsoa11_to_ward2019_EW.csv.gz", "2019")) == 21
    current = {r["child"] for r in links("lookups-drkane/ward_all_codes.csv.gz", "ward_lad") if r["parent"] == HACKNEY}
    assert len(current) == 21


def test_lsoa_to_lad_and_police_and_fire() -> None:
    lsoa_lad = links(JTRIM + "135_lsoa11_to_ward2019_EW.csv.gz", "lsoa_lad", "2019")
    assert len(lsoa_lad) == 34_753
    police = {r["child"]: r["parent_name"] for r in links(JTRIM + "194_lad19_to_csp_to_police_force_area_EW.csv.gz",
                                                          "lad_police_force_area")}
    assert police[HACKNEY] == police[LEWISHAM] == "Metropolitan Police"
    fire = {r["child"]: r["parent"] for r in links(JTRIM + "133_lad19_to_fire_rescue_authority_EW.csv.gz",
                                                   "lad_fire_authority")}
    assert fire[HACKNEY] == fire[LEWISHAM] == "E31000046"


def test_a_best_fit_lookup_giving_two_wards_is_kept_with_a_warning() -> None:
    report, _, _ = read_reference(DATA / JTRIM / "083_lsoa01_to_ward2010_EW.csv.gz")
    assert [(w.slug, w.value) for w in report.warnings] == [("lookup-several-parents", "E05008286")]
    assert len([r for r in links(JTRIM + "083_lsoa01_to_ward2010_EW.csv.gz", "lsoa_ward")
                if r["child"] == "E01018989"]) == 2


def _corrupt(source: Path, target: Path, match: str, column: str, text: str) -> tuple[Path, int]:
    raw = source.read_bytes()
    rows = list(csv.reader(io.StringIO((gzip.decompress(raw) if source.suffix == ".gz" else raw).decode("utf-8-sig"))))
    line = next(i for i, row in enumerate(rows, start=1) if match in row)
    rows[line - 1][rows[0].index(column)] = text
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    target.write_bytes(gzip.compress(out.getvalue().encode()) if target.suffix == ".gz" else out.getvalue().encode())
    return target, line


def test_a_non_numeric_score_is_an_error_at_its_row_and_column(tmp_path: Path) -> None:
    copy, line = _corrupt(DATA / IMD_LAD, tmp_path / "imd_england_lad.csv", HACKNEY, "Score", "32.5x6")
    report, reader, batches = read_reference(copy)
    assert reader.name == "imd2019-area-summary" and batches == []
    assert [(e.slug, e.row, e.column, e.value) for e in report.errors] == [("value-not-number", line, "Score",
                                                                           "32.5x6")]


def test_a_non_numeric_lsoa_rank_in_a_gzipped_file_is_an_error(tmp_path: Path) -> None:
    copy, line = _corrupt(DATA / FILE_2, tmp_path / "file2.csv.gz", "E01001893", "Crime Rank (where 1 is most "
                          "deprived)", "")
    report, _, batches = read_reference(copy)
    assert batches == []
    assert [(e.slug, e.row, e.column) for e in report.errors] == [
        ("value-missing", line, "Crime Rank (where 1 is most deprived)")]


def test_a_malformed_area_code_in_a_lookup_is_an_error(tmp_path: Path) -> None:
    copy, line = _corrupt(DATA / JTRIM / "016_lad18_to_region_England.csv.gz", tmp_path / "lad_rgn.csv.gz",
                          LEWISHAM, "RGN18CD", "London!")
    report, reader, batches = read_reference(copy)
    assert reader.name == "ons-geography-lookup" and batches == []
    assert [(e.slug, e.row, e.column) for e in report.errors] == [("area-invalid", line, "RGN18CD")]
