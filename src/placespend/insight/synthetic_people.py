"""Synthetic partners' case records with the errors real registers have, and the truth of who is who, so that
linkage can be measured (precision, recall) without anybody's personal data.

**The population.** Names are drawn from real, long-tailed frequency distributions: surnames from the 20,000
most frequent of Census 2000 (US Census Bureau, public domain; Smith 0.9%, the rarest kept about 1 in
200,000), first names by sex from the 1990 Census (1,219 male and 4,275 female names with their shares), as
`insight/data/README.md` records. No open UK list of that length exists; what matters for linkage is the
shape, how often two strangers share a name, and that is close: the chance that two people share a surname is
0.0010 here, and about 0.0008 from Great Britain's 500 commonest surnames alone (40% of people).
People live in households of 1 to 5 (29%, 35%, 16%, 14% and 6%, close to the ONS's Families and Households;
80% of a household's members share its surname) at unit postcodes with the UK's density: a place of N people
spans N / 23,000 postcode districts (at least one) of 4 sectors of 155 units each, about 40 people a postcode,
as the UK's 67 million people in about 2,900 districts, 11,000 sectors and 1.7 million postcodes. Dates of
birth are uniform over 1930-2017. One person in a hundred has a twin living with them (same surname, date of
birth and postcode; a different first name and initial), whom a careless match merges.

**The errors.** Each record of the left partner has errors with probability `error_rate / 3`, of the right
partner with `error_rate` (default 0.5); a record with errors has one kind, or two (one time in five), drawn
uniformly among the kinds that can happen to that person: a typing error in the first name or the surname
(one keystroke: two letters swapped, one dropped, doubled or replaced, never the first; names of 4 letters
or more), a nickname (William / Bill; names with one), a change of surname (to another drawn from the same
distribution, as at marriage), a move of house (to any postcode of the place), the day and month of birth
swapped (days 1 to 12 that differ from the month), a wrong digit in the date (in the day, the month or the
year, which may make it impossible and so missing), a blank first name, surname or postcode, and a malformed
date of birth. `Partners.errors` counts the kinds applied to each file. Everything is drawn from one seeded
generator: the same seed gives the same files.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from importlib import resources
from itertools import accumulate

from placespend.insight.people_tokens import nicknames

WARDS = ("Astley Bridge", "Breightmet", "Bromley Cross", "Crompton", "Farnworth", "Great Lever", "Halliwell",
         "Harper Green", "Heaton and Lostock", "Horwich North East", "Hulton", "Kearsley", "Little Lever",
         "Rumworth", "Smithills", "Tonge with the Haulgh", "Westhoughton North", "Westhoughton South")
PEOPLE_PER_DISTRICT = 23_000
SECTORS_PER_DISTRICT = 4
UNITS_PER_SECTOR = 155
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
HOUSEHOLD_SHARES = (0.29, 0.35, 0.16, 0.14, 0.06)
SHARED_SURNAME = 0.8
TWO_ERRORS = 0.2
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
ERROR_KINDS = ("typo_first", "typo_surname", "nickname", "surname_change", "moved", "day_month_swap",
               "dob_typo", "blank_field", "malformed_dob")


@dataclass(frozen=True)
class Person:
    person_id: int
    first_name: str
    surname: str
    date_of_birth: date
    postcode: str
    sex: str
    ward: str


@dataclass(frozen=True)
class Names:
    """A frequency distribution to draw from: the names and their cumulative weights."""

    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


def _table(name: str) -> list[dict[str, str]]:
    text = resources.files("placespend.insight.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def surnames() -> Names:
    rows = _table("surnames.csv")
    return Names(tuple(r["surname"] for r in rows), tuple(accumulate(float(r["count"]) for r in rows)))


@cache
def first_names(sex: str) -> Names:
    rows = [r for r in _table("first_names.csv") if r["sex"] == sex]
    return Names(tuple(r["first_name"] for r in rows), tuple(accumulate(float(r["percent"]) for r in rows)))


@dataclass(frozen=True)
class Place:
    """The postcode geography of a place of `people` residents (see the module's note for the densities)."""

    districts: int

    @classmethod
    def for_people(cls, people: int) -> Place:
        return cls(max(1, round(people / PEOPLE_PER_DISTRICT)))

    def address(self, rng: random.Random) -> tuple[str, str]:
        """A postcode of the place and the ward it lies in."""
        district = rng.randint(1, self.districts)
        sector = rng.randrange(SECTORS_PER_DISTRICT)
        unit = rng.randrange(UNITS_PER_SECTOR)
        digit = (district * 3 + sector) % 10
        postcode = (f"BL{district} {digit}{_UNIT_LETTERS[unit // len(_UNIT_LETTERS)]}"
                    f"{_UNIT_LETTERS[unit % len(_UNIT_LETTERS)]}")
        return postcode, WARDS[(district * SECTORS_PER_DISTRICT + sector) % len(WARDS)]


def _birth_date(rng: random.Random) -> date:
    return date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 88))


def _twin_name(first: str, sex: str, rng: random.Random) -> str:
    while True:
        name = first_names(sex).draw(rng)
        if name[0] != first[0]:
            return name


def population(size: int, rng: random.Random, twin_share: float = 0.01) -> list[Person]:
    """People in households at the postcodes of a place of `size`; a share of them have a twin at home."""
    place = Place.for_people(size)
    people: list[Person] = []

    def add(person: Person) -> None:
        if len(people) < size:
            people.append(replace(person, person_id=len(people)))

    while len(people) < size:
        postcode, ward = place.address(rng)
        household = surnames().draw(rng)
        for _ in range(rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_SHARES)[0]):
            sex = rng.choice("FM")
            surname = household if rng.random() < SHARED_SURNAME else surnames().draw(rng)
            person = Person(0, first_names(sex).draw(rng), surname, _birth_date(rng), postcode, sex, ward)
            add(person)
            if rng.random() < twin_share:
                sex = rng.choice("FM")
                add(replace(person, first_name=_twin_name(person.first_name, sex, rng), sex=sex))
    return people


def _typo(text: str, rng: random.Random) -> str:
    """One keystroke wrong: a letter swapped with its neighbour, dropped, doubled or replaced (not the first)."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice(_KEYBOARD) + text[i + 1:]


@cache
def _nicknames_of() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for nick, name in sorted(nicknames().items()):
        found.setdefault(name, []).append(nick.title())
    return {name: tuple(nicks) for name, nicks in found.items()}


def _date_text(year: int, month: int, day: int) -> str:
    return f"{year}-{month:02d}-{day:02d}"


def _dob_typo(dob: date, rng: random.Random) -> str:
    """One digit of the date wrong, in the day, the month or the year (an impossible result stays: it is how a
    register gets a malformed date)."""
    part = rng.choice(("day", "month", "year"))
    if part == "day":
        day = dob.day + rng.choice((-1, 1, 10, -10))
        return _date_text(dob.year, dob.month, day if 1 <= day <= 28 else dob.day % 28 + 1)
    if part == "month":
        month = dob.month + rng.choice((-1, 1))
        return _date_text(dob.year, month if 1 <= month <= 12 else dob.month - (month - dob.month), dob.day)
    digits = f"{dob.year}"
    swapped = int(digits[:2] + digits[3] + digits[2])
    year = rng.choice((dob.year - 1, dob.year + 1, swapped if swapped != dob.year else dob.year + 1))
    return _date_text(year, dob.month, dob.day)


def applicable(person: Person) -> tuple[str, ...]:
    """The kinds of error that can happen to this person's record (a name of 3 letters has no inner typo, a
    name without a nickname no nickname, a date whose day is over 12 no swap)."""
    dob = person.date_of_birth
    possible = {"typo_first": len(person.first_name) >= 4, "typo_surname": len(person.surname) >= 4,
                "nickname": person.first_name.upper() in _nicknames_of(),
                "day_month_swap": dob.day <= 12 and dob.day != dob.month}
    return tuple(kind for kind in ERROR_KINDS if possible.get(kind, True))


def with_error(person: Person, kind: str, rng: random.Random, place: Place) -> dict[str, str]:
    """The record a partner holds of `person` with one kind of error (a dict of the file's columns)."""
    record = _true_record(person)
    dob = person.date_of_birth
    if kind == "typo_first":
        record["first_name"] = _typo(person.first_name, rng)
    elif kind == "typo_surname":
        record["surname"] = _typo(person.surname, rng)
    elif kind == "nickname":
        record["first_name"] = rng.choice(_nicknames_of()[person.first_name.upper()])
    elif kind == "surname_change":
        while record["surname"] == person.surname:
            record["surname"] = surnames().draw(rng)
    elif kind == "moved":
        while record["postcode"] == person.postcode:  # the partner holds the new address, and its ward
            record["postcode"], record["x_ward"] = place.address(rng)
    elif kind == "day_month_swap":
        record["date_of_birth"] = _date_text(dob.year, dob.day, dob.month)
    elif kind == "dob_typo":
        record["date_of_birth"] = _dob_typo(dob, rng)
    elif kind == "blank_field":
        record[rng.choice(("first_name", "surname", "postcode"))] = ""
    elif kind == "malformed_dob":
        record["date_of_birth"] = rng.choice((f"{dob.year}-13-45", f"{dob.day:02d}/{dob.month:02d}/{dob.year}", ""))
    return record


def _errors(person: Person, rng: random.Random, error_rate: float) -> list[str]:
    """No error for most records; one, or now and then two, for the rest, of kinds that can happen to them."""
    if rng.random() >= error_rate:
        return []
    kinds = applicable(person)
    return rng.sample(kinds, 2 if rng.random() < TWO_ERRORS else 1)


@dataclass
class Partners:
    """Two partners' files (as CSV text) and the truth: the pairs of record_ids that are the same person; and
    how many records of each file carry each kind of error."""

    left_csv: str
    right_csv: str
    true_pairs: set[tuple[str, str]]
    left_people: dict[str, Person]
    errors: dict[str, Counter[str]] = field(default_factory=dict)


def _write(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def make_partners(left_size: int, right_size: int, overlap: int, seed: int = 2009,
                  error_rate: float = 0.5, twin_share: float = 0.01, left_service: str = "adaptation",
                  right_service: str = "disablement_relief") -> Partners:
    """Left and right files with `overlap` people in both; each record drawn with its own errors."""
    rng = random.Random(seed)
    people = population(left_size + right_size - overlap, rng, twin_share)
    place = Place.for_people(len(people))
    order = list(range(len(people)))
    rng.shuffle(order)
    left_people = [people[i] for i in order[:left_size]]
    right_people = [people[i] for i in order[left_size - overlap:left_size - overlap + right_size]]
    truth: dict[int, list[str]] = {}
    files, errors = [], {}
    for prefix, members, service in (("L", left_people, left_service), ("R", right_people, right_service)):
        rng.shuffle(members)
        rows, applied = [], Counter()
        for number, person in enumerate(members):
            true = _true_record(person)
            record = {"record_id": f"{prefix}{number:07d}", **true}
            for kind in _errors(person, rng, error_rate if prefix == "R" else error_rate / 3):
                record |= {k: v for k, v in with_error(person, kind, rng, place).items() if v != true[k]}
                applied[kind] += 1
            rows.append(record | {"x_service": service})
            truth.setdefault(person.person_id, []).append(record["record_id"])
        files.append(rows)
        errors["left" if prefix == "L" else "right"] = applied
    pairs = {(ids[0], ids[1]) for ids in truth.values() if len(ids) == 2}
    by_id = {row["record_id"]: person for row, person in zip(files[0], left_people, strict=True)}
    return Partners(_write(files[0]), _write(files[1]), pairs, by_id, errors)


def _true_record(person: Person) -> dict[str, str]:
    """The file's columns as they would be with no error: each error changes some of them."""
    return {"first_name": person.first_name, "surname": person.surname,
            "date_of_birth": person.date_of_birth.isoformat(), "postcode": person.postcode, "sex": person.sex,
            "x_ward": person.ward}
