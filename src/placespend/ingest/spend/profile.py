"""Layout profiles: what one publisher's spend file looks like and what its money means.

A profile is a small JSON file (format in ``profiles/README.md``): how to recognise the publisher's header,
which column holds each role (date, amount, payee ...), how it writes dates, who publishes (body, type,
place), its publication thresholds, which lines are income, and rules from its service areas and expense
types to COFOG. The packaged profiles cover the real files in ``../shared/data``; a user adds a publisher by
writing one more file, found beside the data (``*.profile.json``) or through ``PLACESPEND_SPEND_PROFILES``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v
from placespend.ingest.spend.values import DEFAULT_DATE_FORMATS

PROFILE_PACKAGE = "placespend.ingest.spend.profiles"
PROFILE_SUFFIX = ".profile.json"
ENV_VAR = "PLACESPEND_SPEND_PROFILES"
# Roles the reader itself understands; any other role name is a descriptive column used by rules.
CORE_ROLES = ("date", "amount", "payee", "transaction_id", "body", "fiscal_period", "service_code")


class ProfileError(ValueError):
    """A profile file that cannot be used; the message says which key is wrong."""


_NOT_ALNUM = re.compile(r"[\W_]+")


def column_key(name: str) -> str:
    """Column names compare by letters and digits only: 'Net  amount', 'NET AMOUNT' and 'Net_Amount' agree."""
    return _NOT_ALNUM.sub("", name.casefold())


@dataclass(frozen=True)
class Rule:
    """Lines whose `column` (a role) matches `pattern` (a case-insensitive regex, searched) get `value`.

    A COFOG rule with no value (JSON null) marks the column's value as saying nothing about function (an
    organisational heading such as 'Corporate Services'): classification then looks at the other columns.
    """

    column: str
    pattern: re.Pattern[str]
    value: str = ""
    note: str = ""

    def matches(self, values: dict[str, str]) -> bool:
        text = values.get(self.column)
        return bool(text) and self.pattern.search(text) is not None


@dataclass(frozen=True)
class Body:
    body: str
    name: str
    type: str


@dataclass(frozen=True)
class Threshold:
    start: dt.date
    amount: Decimal
    vat: str = "excluded"


@dataclass(frozen=True)
class Profile:
    id: str
    description: str
    publisher: Body
    place: str
    columns: dict[str, tuple[str, ...]]          # role -> accepted column names, the usual one first
    recognise: tuple[str, ...]                   # roles whose columns must all be present
    required: tuple[str, ...]                    # roles without which no line can be read
    values: tuple[Rule, ...] = ()                # first data row must match these to recognise the publisher
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    date_from_filename: re.Pattern[str] | None = None
    thresholds: tuple[Threshold, ...] = ()
    income: tuple[Rule, ...] = ()
    capital: tuple[Rule, ...] = ()
    cofog_rules: tuple[Rule, ...] = ()
    default_cofog: str = "01.6"
    classify_by: tuple[str, ...] = ()            # descriptive roles for name and keyword matching, in order
    keywords: bool = True
    service_scheme: str | None = None
    self_names: tuple[re.Pattern[str], ...] = ()
    bodies: tuple[tuple[Rule, Body], ...] = ()
    auto: bool = True
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    def threshold_at(self, date: dt.date) -> Threshold | None:
        current = None
        for threshold in self.thresholds:
            if threshold.start <= date:
                current = threshold
        return current

    def spender_for(self, values: dict[str, str]) -> Body:
        return next((body for rule, body in self.bodies if rule.matches(values)), self.publisher)


def parse_profile(data: dict[str, Any], source: str) -> Profile:
    """Validate one profile's JSON; every mistake names its key so a user can fix their own profile."""
    try:
        return _parse(data, source)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        if isinstance(exc, ProfileError):
            raise
        raise ProfileError(f"{source}: {type(exc).__name__} {exc}") from None


def _parse(data: dict[str, Any], source: str) -> Profile:
    publisher = data["publisher"]
    body = _body(publisher, source)
    place = v.normalise_place(publisher["place"])
    columns = {role: tuple([names] if isinstance(names, str) else names) for role, names in data["columns"].items()}
    required = tuple(data.get("required", ("date", "amount")))
    if data.get("date_from_filename"):
        required = tuple(r for r in required if r != "date")
    recognise = tuple(data.get("recognise", {}).get("roles", columns))
    for role in (*required, *recognise):
        if role not in columns:
            raise ProfileError(f"{source}: role '{role}' is required or recognised but has no columns")
    rules = data.get("cofog", {})
    default = _cofog(rules.get("default", "01.6"), source, "cofog.default")
    return Profile(
        id=data["profile"], description=data.get("description", ""), publisher=body, place=place,
        columns=columns, recognise=recognise, required=required,
        values=_rules(data.get("recognise", {}).get("values", []), columns, source, "recognise.values"),
        date_formats=tuple(data.get("date_formats", DEFAULT_DATE_FORMATS)),
        date_from_filename=re.compile(data["date_from_filename"]) if data.get("date_from_filename") else None,
        thresholds=tuple(sorted((Threshold(dt.date.fromisoformat(t["from"]), Decimal(str(t["amount"])),
                                           t.get("vat", "excluded")) for t in data.get("thresholds", [])),
                                key=lambda t: t.start)),
        income=_rules(data.get("income", []), columns, source, "income"),
        capital=_rules(data.get("capital", []), columns, source, "capital"),
        cofog_rules=tuple(Rule(r.column, r.pattern, _cofog(r.value, source, "cofog.rules") if r.value else "", r.note)
                          for r in _rules(rules.get("rules", []), columns, source, "cofog.rules", "cofog")),
        default_cofog=default, keywords=rules.get("keywords", True), service_scheme=data.get("service_scheme"),
        classify_by=_classify_by(rules, columns, source),
        self_names=tuple(re.compile(p, re.IGNORECASE) for p in publisher.get("self_names", [])),
        bodies=tuple((_rules([b["match"]], columns, source, "publisher.bodies")[0], _body(b, source))
                     for b in publisher.get("bodies", [])),
        auto=data.get("auto", True), source=source, notes=tuple(data.get("notes", [])),
    )


def _classify_by(rules: dict[str, Any], columns: dict[str, Any], source: str) -> tuple[str, ...]:
    """Roles whose values name a service or expense, functional ones first; by default every non-core role."""
    roles = tuple(rules.get("columns", [r for r in columns if r not in CORE_ROLES]))
    for role in roles:
        if role not in columns:
            raise ProfileError(f"{source}: cofog.columns: role '{role}' is not declared in 'columns'")
    return roles


def _body(data: dict[str, Any], source: str) -> Body:
    kind = data["type"]
    if kind not in v.BODY_TYPES:
        raise ProfileError(f"{source}: body type '{kind}' is not one of {', '.join(v.BODY_TYPES)}")
    return Body(v.normalise_id(data["body"]), data.get("name", data["body"]), kind)


def _cofog(code: str, source: str, key: str) -> str:
    canonical = cls.normalise_cofog(str(code))
    if canonical is None:
        raise ProfileError(f"{source}: {key}: '{code}' is not a COFOG division or group")
    return canonical


def _rules(items: list[dict[str, Any]], columns: dict[str, Any], source: str, key: str,
           value_key: str = "value") -> tuple[Rule, ...]:
    rules = []
    for item in items:
        if item["column"] not in columns:
            raise ProfileError(f"{source}: {key}: column role '{item['column']}' is not declared in 'columns'")
        value = item.get(value_key)
        pattern = re.compile(item["pattern"], re.IGNORECASE)
        rules.append(Rule(item["column"], pattern, "" if value is None else str(value), item.get("note", "")))
    return tuple(rules)


def load_file(path: Path) -> Profile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(f"{path.name}: not a readable JSON file ({exc})") from None
    return parse_profile(data, str(path))


@lru_cache(maxsize=1)
def packaged() -> tuple[Profile, ...]:
    """The profiles shipped with placespend; a broken one is a packaging bug, so it raises."""
    folder = resources.files(PROFILE_PACKAGE)
    found = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(PROFILE_SUFFIX):
            found.append(parse_profile(json.loads(item.read_text(encoding="utf-8")), item.name))
    return tuple(found)


def user_profiles(data_file: Path | None) -> tuple[list[Profile], list[str]]:
    """Profiles a user declared, beside the data file or in PLACESPEND_SPEND_PROFILES, and their problems."""
    paths: list[Path] = []
    for entry in filter(None, os.environ.get(ENV_VAR, "").split(os.pathsep)):
        folder = Path(entry)
        paths.extend(sorted(folder.glob(f"*{PROFILE_SUFFIX}")) if folder.is_dir() else [folder])
    if data_file is not None:
        paths.extend(sorted(data_file.resolve().parent.glob(f"*{PROFILE_SUFFIX}")))
    profiles, problems = [], []
    for path in dict.fromkeys(paths):
        try:
            profiles.append(load_file(path))
        except ProfileError as exc:
            problems.append(str(exc))
    return profiles, problems


def all_profiles(data_file: Path | None) -> tuple[list[Profile], list[str]]:
    """User profiles first (they win ties, so a user can override a packaged one), then the packaged ones."""
    users, problems = user_profiles(data_file)
    return [*users, *packaged()], problems
