"""The synthetic partners are as realistic as their documentation says: names drawn from the Census frequency
tables, households at postcodes of the UK's density, twins at one address, and every kind of error at the
stated rate (independent arithmetic from the tables and the rates, within sampling error)."""

from __future__ import annotations

import csv
import io
import math
import random
from collections import Counter
from importlib import resources

import pytest

from placespend.insight import synthetic_people as sp


@pytest.fixture(scope="module")
def people():
    return sp.population(60_000, random.Random(3))


def _table(name: str) -> list[dict[str, str]]:
    text = resources.files("placespend.insight.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _within(observed: float, expected: float, n: int, sigmas: float = 5) -> bool:
    return abs(observed - expected) <= sigmas * math.sqrt(expected * (1 - expected) / n)


def test_names_follow_the_census_frequencies(people):
    surnames = _table("surnames.csv")
    smith = int(surnames[0]["count"]) / sum(int(r["count"]) for r in surnames)
    # Households share a surname, so draws are clustered: allow for a design effect of about 2.5 (mean household).
    assert surnames[0]["surname"] == "Smith"
    assert _within(sum(p.surname == "Smith" for p in people) / len(people), smith, len(people) // 3)
    assert len({p.surname for p in people}) > 8_000  # a long tail, not a short list
    women = [p for p in people if p.sex == "F"]
    mary = float(next(r["percent"] for r in _table("first_names.csv") if r["first_name"] == "Mary" and r["sex"] == "F"))
    total = sum(float(r["percent"]) for r in _table("first_names.csv") if r["sex"] == "F")
    assert _within(sum(p.first_name == "Mary" for p in women) / len(women), mary / total, len(women))


def test_postcodes_hold_households_at_the_uk_density(people):
    place = sp.Place.for_people(len(people))
    assert place.districts == round(60_000 / sp.PEOPLE_PER_DISTRICT) == 3
    per_postcode = Counter(p.postcode for p in people)
    units = place.districts * sp.SECTORS_PER_DISTRICT * sp.UNITS_PER_SECTOR
    assert len(per_postcode) <= units and len(people) / units == pytest.approx(32, abs=1)
    # Most people share their postcode's surname with someone: households of 2+ are 71%, 80% sharing a surname.
    shared = Counter((p.postcode, p.surname) for p in people)
    assert 0.5 < sum(shared[(p.postcode, p.surname)] > 1 for p in people) / len(people) < 0.8


def test_one_person_in_a_hundred_has_a_twin_at_home(people):
    together = Counter((p.surname, p.date_of_birth, p.postcode) for p in people)
    twins = [p for p in people if together[(p.surname, p.date_of_birth, p.postcode)] == 2]
    assert _within(len(twins) / 2 / len(people), 0.01 / 1.01, len(people))
    by_home: dict[tuple, list[sp.Person]] = {}
    for p in twins:
        by_home.setdefault((p.surname, p.date_of_birth, p.postcode), []).append(p)
    assert all(a.first_name[0] != b.first_name[0] for a, b in by_home.values())


def test_every_kind_of_error_happens_at_the_stated_rate():
    partners = sp.make_partners(20_000, 20_000, 10_000, seed=4)
    right = list(csv.DictReader(io.StringIO(partners.right_csv)))
    for side, rate in (("left", 0.5 / 3), ("right", 0.5)):
        errors = partners.errors[side]
        assert set(errors) == set(sp.ERROR_KINDS)
        # A record has errors with probability `rate`, two kinds one time in five: 1.2 kinds per such record.
        expected = 20_000 * rate * (1 + sp.TWO_ERRORS)
        assert abs(sum(errors.values()) - expected) < 5 * math.sqrt(expected)
        # Kinds that can happen to anyone are drawn alike; a nickname or a swap only where one is possible.
        always = [errors[k] for k in ("surname_change", "moved", "dob_typo", "blank_field", "malformed_dob")]
        assert max(always) / min(always) < 1.2
        assert errors["nickname"] < errors["moved"] / 2 and errors["day_month_swap"] < errors["moved"] / 2
    # Each record's changes show in the file: e.g. the right partner's blanks (a third of blank_field each).
    blank_surnames = sum(not r["surname"] for r in right)
    assert abs(blank_surnames - partners.errors["right"]["blank_field"] / 3) < 5 * math.sqrt(blank_surnames)


def test_a_record_holds_the_ward_of_its_own_postcode_after_a_move():
    """A partner that has a person's new address has the ward of that address: counts by ward (`--by x_ward`)
    place a person where each partner's record puts them. The ward is read back from the postcode as
    `Place.address` lays wards out: district and sector (whose digit is (district x 3 + sector) mod 10)."""
    partners = sp.make_partners(4_000, 4_000, 2_000, seed=6)
    rows = list(csv.DictReader(io.StringIO(partners.right_csv)))
    moved = 0
    for row in rows:
        if not row["postcode"]:
            continue
        district = int(row["postcode"].split()[0][2:])
        digit = int(row["postcode"].split()[1][0])
        sector = next(s for s in range(sp.SECTORS_PER_DISTRICT) if (district * 3 + s) % 10 == digit)
        assert row["x_ward"] == sp.WARDS[(district * sp.SECTORS_PER_DISTRICT + sector) % len(sp.WARDS)]
    by_id = {row["record_id"]: row for row in rows}
    for left_id, right_id in partners.true_pairs:
        person = partners.left_people[left_id]
        if by_id[right_id]["postcode"] and by_id[right_id]["postcode"] != person.postcode:
            moved += 1
    assert moved > 100  # moves happened: about 2,000 x 0.5 x 1.2 / 9 kinds of error = 133 on the right
