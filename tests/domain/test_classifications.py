"""The packaged reference data checked against the public files it was built from, not against copies.

The UN COFOG list and the MHCLG RA/RSX returns are read from ../shared/data (skipped if absent); the
spender types are read from DESIGN.md section 3 and from the ledger vocabulary.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from placespend.domain import classifications as cls
from placespend.domain.vocabulary import BODY_TYPES

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
COFOG_SOURCE = "cofog-and-cra-refs-osdata/data_cofog.csv"
RA_DIR = "ra-rsx-budget-outturn-bengoodair"


def shared_file(relative: str) -> Path:
    path = SHARED / "data" / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent: these checks compare the packaged data with its public source")
    return path


def squash(text: str) -> str:
    return " ".join(text.split())


# --- COFOG ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def un_cofog() -> dict[str, str]:
    with shared_file(COFOG_SOURCE).open(encoding="utf-8") as handle:
        return {row["Code"]: row["Description"] for row in csv.DictReader(handle)}


def test_division_and_group_counts_match_the_un_list(un_cofog):
    source_divisions = [code for code in un_cofog if "." not in code]
    source_groups = [code for code in un_cofog if code.count(".") == 1]
    assert (len(source_divisions), len(source_groups)) == (10, 69)
    assert list(cls.cofog_divisions()) == source_divisions
    assert [code for code in cls.cofog_names() if code.count(".") == 1] == source_groups


def test_division_and_group_names_are_the_un_names(un_cofog):
    names = cls.cofog_names()
    for code, name in un_cofog.items():
        if code.count(".") < 2:
            assert names[code] == name, code


def test_classes_match_the_un_list_without_service_markers(un_cofog):
    classes = {code: name for code, name in cls.cofog_names().items() if code.count(".") == 2}
    assert set(classes) == {code for code in un_cofog if code.count(".") == 2}
    for code, name in classes.items():
        assert squash(re.sub(r"\((CS|IS)\)$", "", un_cofog[code])) == name, code


@pytest.mark.parametrize(("text", "expected"), [
    ("7", "07"), ("07", "07"), ("10", "10"), ("7.3", "07.3"), ("07.3", "07.3"), ("07.3.1", "07.3.1"),
    (" 10.9 ", "10.9"), ("10.1", "10.1"), ("1.8", "01.8"),
    ("7.0", "07"), ("10.0", "10"), ("7.00", "07"),          # Excel turned a typed division into a number
    ("11", None), ("0", None), ("7.9", None), ("07.3.9", None), ("07.3.0", None), ("", None),
    ("seven", None), ("7.3a", None), ("07-3", None),
])
def test_normalise_cofog(text, expected):
    assert cls.normalise_cofog(text) == expected


def test_division_of():
    assert cls.division_of("07.3") == "07"
    assert cls.division_of("10.4") == "10"
    assert cls.division_of("7.3.1") == "07"
    with pytest.raises(ValueError, match="not a COFOG code"):
        cls.division_of("99")


# --- RA / RSX crosswalk --------------------------------------------------------------------------------

def header_row(rows: list[list[str]], predicate) -> list[str]:
    return next(row for row in rows if predicate(row))


def ra_lines(filename: str, encoding: str) -> list[tuple[str, str, str]]:
    """(line number, label, section) for each column of an RA 'data by LA' file, from its header rows."""
    with shared_file(f"{RA_DIR}/{filename}").open(encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle))
    labels_at = next(i for i, row in enumerate(rows) if row and row[0] == "E-code")
    labels = rows[labels_at]
    header = rows[:labels_at]
    numbers = next(row for row in reversed(header) if sum(cell.strip().isdigit() for cell in row) > 100)
    sections = next(row for row in reversed(header) if "Education Services" in row)
    found, section = [], ""
    for column, number in enumerate(numbers):
        section = sections[column].strip() or section
        if number.strip().isdigit() and labels[column].strip():
            found.append((number.strip(), squash(labels[column]), squash(section)))
    return found


@pytest.fixture(scope="module")
def ra_2023() -> list[tuple[str, str, str]]:
    return ra_lines("RA_2023-24_data_Part_1.csv", "mac_roman")   # MacRoman, as its PROVENANCE.txt says


def service_part(lines: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The service expenditure lines: everything before the 'Total Service Expenditure' section."""
    end = next(i for i, (_, _, section) in enumerate(lines) if section.startswith("Total Service"))
    return lines[:end]


def test_every_ra_line_appears_exactly_once_with_its_label(ra_2023):
    crosswalk = cls.service_line_crosswalk()
    numbers = [number for number, _, _ in ra_2023]
    assert len(numbers) == len(set(numbers)) == 210
    for number, label, _ in ra_2023:
        entry = crosswalk[("RA", number)]
        assert entry.service_line == label, number
    in_file = [code for scheme, code in crosswalk if scheme == "RA"]
    assert len(in_file) == len(set(in_file))
    assert set(numbers) <= set(in_file)


def test_every_ra_service_line_maps_to_an_existing_cofog_code(ra_2023):
    names = cls.cofog_names()
    service = service_part(ra_2023)
    assert len(service) >= 140                                  # 110..698, subtotals included
    for number, label, _ in service:
        cofog = cls.map_service_code("RA", number)
        assert cofog in names, (number, label)
        if not label.startswith("TOTAL"):                       # detailed lines go to a group, not a division
            assert cofog.count(".") == 1, (number, label, cofog)


def test_older_ra_service_lines_are_covered_too():
    lines = service_part(ra_lines("RA_2021-22_data_by_LA.csv", "utf-8-sig"))
    missing = [(number, label) for number, label, _ in lines if cls.map_service_code("RA", number) is None]
    assert not missing
    assert cls.map_service_code("RA", "805") == "04.1"           # 2021-22 only: COVID-19 business grants


@pytest.mark.parametrize("filename", ["RSX_2021-22_data_by_LA_Live.csv", "RSX_2022-23_data_by_LA.csv",
                                      "RSX_2023-24_data_by_LA.csv"])
def test_every_rsx_heading_is_mapped(filename):
    with shared_file(f"{RA_DIR}/{filename}").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assets = header_row(rows, lambda row: any(cell.startswith("RSX-") for cell in row))
    numbers = header_row(rows, lambda row: "Row_no" in row)
    labels = header_row(rows, lambda row: row and row[0] == "E-code")
    crosswalk = cls.service_line_crosswalk()
    headings = [(numbers[i], squash(labels[i].split("Net Current Expenditure")[0]).rstrip(" -"))
                for i, asset in enumerate(assets) if asset.endswith("-net-cur-exp")]
    assert len(headings) == 14
    for number, label in headings:
        entry = crosswalk[("RSX", number)]
        assert entry.cofog is None or entry.cofog in cls.cofog_names()
        if label:                                               # 2021-22 prints one heading without its name
            assert entry.service_line == label, (number, label)
    assert {code for scheme, code in crosswalk if scheme == "RSX"} == {number for number, _ in headings}


def test_crosswalk_rows_are_well_formed():
    names = cls.cofog_names()
    for (scheme, code), entry in cls.service_line_crosswalk().items():
        assert scheme in {"RA", "RSX"} and code == entry.code
        assert entry.confidence in {"clear", "judgement"}
        if entry.confidence == "judgement":
            assert len(entry.note.split()) >= 5, (scheme, code)   # a sentence that explains the choice
        if entry.cofog is None:
            assert entry.note, (scheme, code)                     # an unmapped line always says why
        else:
            assert entry.cofog in names
            assert entry.cofog.count(".") == 1 or scheme == "RSX" or entry.service_line.startswith("TOTAL")


def test_map_service_code_and_the_judgements_the_brief_asks_about():
    assert cls.map_service_code("ra", " 110 ") == "09.1"
    assert cls.map_service_code("RA", "110.0") == "09.1"         # Excel-mangled numeric code
    assert cls.map_service_code("RA", "271") == "04.5"           # concessionary fares: transport, as HMT
    assert cls.map_service_code("RA", "313") == "10.4"           # children looked after
    assert cls.map_service_code("RA", "332") == "10.1"           # adults 18-64
    assert cls.map_service_code("RA", "333") == "10.2"           # older people 65+
    assert cls.map_service_code("RA", "381") == "07.4"           # stop smoking
    assert cls.map_service_code("RA", "249") == "06.4"           # street lighting
    assert cls.map_service_code("RA", "990") is None             # financing total: deliberately unmapped
    assert cls.map_service_code("RA", "12345") is None
    assert cls.map_service_code("SERCOP", "110") is None


# --- body types ----------------------------------------------------------------------------------------

def design_spender_types() -> list[str]:
    design = SHARED / "DESIGN.md"
    if not design.is_file():
        pytest.skip(f"{design} is absent")
    lines = design.read_text(encoding="utf-8").splitlines()
    row = next(line for line in lines if line.startswith("| `spender_type`"))
    return re.findall(r"`([a-z_]+)`", row.split("|")[3])


def test_body_types_are_exactly_the_ledger_vocabulary():
    assert tuple(cls.body_types()) == BODY_TYPES
    assert list(cls.body_types()) == design_spender_types()


def test_body_types_scope_and_typical_divisions():
    types = cls.body_types()
    divisions = set(cls.cofog_divisions())
    for body in types.values():
        assert body.label and body.note and set(body.typical_cofog) <= divisions
    outside = {name for name, body in types.items() if not body.pesa_scope}
    assert outside >= {"lottery", "third_sector", "private", "eu"}
    assert {types[name].typical_cofog for name in ("police", "fire", "justice")} == {("03",)}
    assert types["nhs"].typical_cofog == ("07",)
    assert types["education"].typical_cofog == ("09",)
    assert types["housing"].typical_cofog == ("06", "10")
    assert types["local_authority"].typical_cofog == types["central_government"].typical_cofog == tuple(
        sorted(divisions))
