"""Synthetic partners' case records with the errors real registers have, and the truth of who is who, so that
linkage can be measured (precision, recall) without anybody's personal data.

Two partners see overlapping sets of people. Each person a partner knows is written with the errors that
make matching hard in practice: typing errors in names, nicknames (William / Bill), a change of surname
(marriage), a move of house, the day and month of birth swapped, a wrong digit in the date, blank or
malformed fields; and twins living together (same surname, date of birth and postcode, different first
names), whom a careless match merges. Everything is drawn from one seeded generator: the same seed gives
the same files. Names come from short lists of common English names (illustrative, not a census sample).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from placespend.insight.people_tokens import nicknames

FEMALE = ("Mary", "Margaret", "Elizabeth", "Susan", "Sarah", "Katherine", "Jennifer", "Ann", "Helen", "Patricia",
          "Deborah", "Rebecca", "Victoria", "Amanda", "Pamela", "Christine", "Dorothy", "Barbara", "Gillian",
          "Judith", "Emma", "Charlotte", "Louise", "Joanne", "Claire", "Nicola", "Rachel", "Laura", "Hannah",
          "Sophie", "Lucy", "Emily", "Jessica", "Amy", "Chloe", "Megan", "Olivia", "Grace", "Ruby", "Ellie",
          "Jacqueline", "Frances", "Caroline", "Natalie", "Stephanie", "Abigail", "Eleanor", "Josephine",
          "Valerie", "Lisa", "Karen", "Julie", "Tracey", "Michelle", "Kelly", "Donna", "Wendy", "Janet")
MALE = ("William", "Robert", "James", "John", "Michael", "David", "Stephen", "Thomas", "Christopher", "Daniel",
        "Joseph", "Anthony", "Andrew", "Peter", "Edward", "Henry", "Richard", "Ronald", "Kenneth", "Frederick",
        "Charles", "Samuel", "Matthew", "Nicholas", "Patrick", "Gregory", "Philip", "Timothy", "Benjamin",
        "Alexander", "Leonard", "Raymond", "Gerald", "Terence", "Paul", "Mark", "Gary", "Ian", "Neil", "Simon",
        "Jason", "Craig", "Lee", "Adam", "Ryan", "Liam", "Jack", "Harry", "George", "Oliver", "Jacob", "Noah",
        "Alan", "Colin", "Keith", "Barry", "Graham", "Derek")
SURNAMES = ("Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
            "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
            "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
            "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James",
            "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell",
            "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller",
            "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum",
            "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt",
            "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
            "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham",
            "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott",
            "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole",
            "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien", "Watts", "Rose",
            "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson")
WARDS = ("Astley Bridge", "Breightmet", "Bromley Cross", "Crompton", "Farnworth", "Great Lever", "Halliwell",
         "Harper Green", "Heaton and Lostock", "Horwich North East", "Hulton", "Kearsley", "Little Lever",
         "Rumworth", "Smithills", "Tonge with the Haulgh", "Westhoughton North", "Westhoughton South")
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


def _postcode(rng: random.Random, district: int) -> str:
    return f"BL{district} {rng.randint(0, 9)}{rng.choice(_UNIT_LETTERS)}{rng.choice(_UNIT_LETTERS)}"


def _birth_date(rng: random.Random) -> date:
    return date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 88))


def population(size: int, rng: random.Random, twin_share: float = 0.01) -> list[Person]:
    """People with homes in Bolton-like postcodes and wards; a share of them are twins living together."""
    people: list[Person] = []
    while len(people) < size:
        sex = rng.choice("FM")
        district = rng.randint(1, 7)
        person = Person(len(people), rng.choice(FEMALE if sex == "F" else MALE), rng.choice(SURNAMES),
                        _birth_date(rng), _postcode(rng, district), sex, WARDS[(district * 3 + rng.randint(0, 2))
                                                                                % len(WARDS)])
        people.append(person)
        if rng.random() < twin_share and len(people) < size:
            sex = rng.choice("FM")
            names = [n for n in (FEMALE if sex == "F" else MALE) if n[0] != person.first_name[0]]
            people.append(replace(person, person_id=len(people), first_name=rng.choice(names), sex=sex))
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


def _nickname(first: str, rng: random.Random) -> str:
    options = [nick for nick, name in nicknames().items() if name == first.upper()]
    return rng.choice(options).title() if options else first


def with_error(person: Person, kind: str, rng: random.Random) -> dict[str, str]:
    """The record a partner holds of `person` with one kind of error (a dict of the file's columns)."""
    record = {"first_name": person.first_name, "surname": person.surname,
              "date_of_birth": person.date_of_birth.isoformat(), "postcode": person.postcode, "sex": person.sex}
    dob = person.date_of_birth
    if kind == "typo_first":
        record["first_name"] = _typo(person.first_name, rng)
    elif kind == "typo_surname":
        record["surname"] = _typo(person.surname, rng)
    elif kind == "nickname":
        record["first_name"] = _nickname(person.first_name, rng)
    elif kind == "surname_change":
        record["surname"] = rng.choice([s for s in SURNAMES if s != person.surname])
    elif kind == "moved":
        record["postcode"] = _postcode(rng, rng.randint(1, 7))
    elif kind == "day_month_swap" and dob.day <= 12 and dob.day != dob.month:
        record["date_of_birth"] = f"{dob.year}-{dob.day:02d}-{dob.month:02d}"
    elif kind == "dob_typo":
        day = dob.day + rng.choice((-1, 1, 10, -10))
        record["date_of_birth"] = f"{dob.year}-{dob.month:02d}-{day if 1 <= day <= 28 else dob.day % 28 + 1:02d}"
    elif kind == "blank_field":
        record[rng.choice(("first_name", "surname", "postcode"))] = ""
    elif kind == "malformed_dob":
        record["date_of_birth"] = rng.choice((f"{dob.year}-13-45", f"{dob.day:02d}/{dob.month:02d}/{dob.year}", ""))
    return record


def _errors(rng: random.Random, error_rate: float) -> list[str]:
    """No error for most records; one, or now and then two, for the rest."""
    if rng.random() >= error_rate:
        return []
    return rng.sample(ERROR_KINDS, 2 if rng.random() < 0.2 else 1)


@dataclass
class Partners:
    """Two partners' files (as CSV text) and the truth: the pairs of record_ids that are the same person."""

    left_csv: str
    right_csv: str
    true_pairs: set[tuple[str, str]]
    left_people: dict[str, Person]


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
    order = list(range(len(people)))
    rng.shuffle(order)
    left_people = [people[i] for i in order[:left_size]]
    right_people = [people[i] for i in order[left_size - overlap:left_size - overlap + right_size]]
    truth: dict[int, list[str]] = {}
    files = []
    for prefix, members, service in (("L", left_people, left_service), ("R", right_people, right_service)):
        rng.shuffle(members)
        rows = []
        for number, person in enumerate(members):
            record = {"record_id": f"{prefix}{number:07d}", "first_name": person.first_name,
                      "surname": person.surname, "date_of_birth": person.date_of_birth.isoformat(),
                      "postcode": person.postcode, "sex": person.sex}
            for kind in _errors(rng, error_rate if prefix == "R" else error_rate / 3):
                record |= {k: v for k, v in with_error(person, kind, rng).items() if v != _as_text(person, k)}
            rows.append(record | {"x_ward": person.ward, "x_service": service})
            truth.setdefault(person.person_id, []).append(record["record_id"])
        files.append(rows)
    pairs = {(ids[0], ids[1]) for ids in truth.values() if len(ids) == 2}
    by_id = {row["record_id"]: person for row, person in zip(files[0], left_people, strict=True)}
    return Partners(_write(files[0]), _write(files[1]), pairs, by_id)


def _as_text(person: Person, column: str) -> str:
    value = getattr(person, column)
    return value.isoformat() if isinstance(value, date) else str(value)
