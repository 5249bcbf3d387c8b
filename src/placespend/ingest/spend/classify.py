"""What a transaction's columns say about its money: COFOG function, capital or revenue, income or spend,
and whether the payee is a public body (making the payment a transfer).

COFOG is a classification by purpose, so functional columns (service area, department, cost centre)
are consulted before subjective ones (expense type), in the order the profile lists its columns. Layers,
first hit wins: the RA crosswalk for a service code; the profile's own rules; a service area named
exactly like an RA/RSX service line; the shared keyword rules; the profile's default (reported as
unmapped). Files repeat the same few hundred combinations, so each is classified once per file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from placespend.domain import classifications as cls
from placespend.ingest.spend.profile import PROFILE_PACKAGE, Body, Profile, Rule, column_key

UNMAPPED = "default"
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Cofog:
    code: str
    source: str            # crosswalk, profile, keyword or default (unmapped)
    because: str = ""      # the value that decided it


def _data(name: str) -> dict:
    return json.loads(resources.files(PROFILE_PACKAGE).joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def keyword_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    rules = []
    for item in _data("cofog-keywords.json")["rules"]:
        code = cls.normalise_cofog(item["cofog"])
        if code is None:
            raise ValueError(f"cofog-keywords.json: {item['cofog']!r} is not COFOG")
        rules.append((re.compile(item["pattern"], re.IGNORECASE), code))
    return tuple(rules)


@lru_cache(maxsize=1)
def service_line_names() -> dict[str, str]:
    """RA and RSX service lines by name (letters and digits only) -> COFOG, for service areas named alike."""
    names: dict[str, str] = {}
    for entry in cls.service_line_crosswalk().values():
        if entry.cofog:
            names.setdefault(column_key(entry.service_line.removeprefix("TOTAL ")), entry.cofog)
    return names


@dataclass(frozen=True)
class Meaning:
    """Everything the descriptive columns say about a line, worked out once per distinct combination."""

    cofog: Cofog
    income: Rule | None
    capital_revenue: str
    spender: Body


class Classifier:
    """Classifies one file's lines with one profile, remembering each combination of descriptive values."""

    def __init__(self, profile: Profile, roles: list[str]) -> None:
        self.profile = profile
        self.describing = [r for r in profile.classify_by if r in roles]
        rules = (*profile.cofog_rules, *profile.income, *profile.capital, *(rule for rule, _ in profile.bodies))
        used = {*self.describing, *(rule.column for rule in rules), "service_code"}
        self.key_roles = sorted(used & set(roles))
        self._seen: dict[tuple[str, ...], Meaning] = {}

    def meaning(self, values: dict[str, str]) -> Meaning:
        key = tuple([values.get(role, "") for role in self.key_roles])
        found = self._seen.get(key)
        if found is None:
            profile = self.profile
            found = self._seen[key] = Meaning(
                self._cofog(values), next((rule for rule in profile.income if rule.matches(values)), None),
                "capital" if any(rule.matches(values) for rule in profile.capital) else "revenue",
                profile.spender_for(values))
        return found

    def _cofog(self, values: dict[str, str]) -> Cofog:
        code = values.get("service_code")
        if code and self.profile.service_scheme:
            mapped = cls.map_service_code(self.profile.service_scheme, code)
            if mapped:
                return Cofog(mapped, "crosswalk", f"{self.profile.service_scheme} {code}")
        values = dict(values)
        for rule in self.profile.cofog_rules:
            if rule.matches(values):
                if not rule.value:   # an organisational heading: look at the other columns
                    values[rule.column] = ""
                    continue
                return Cofog(rule.value, "profile", values[rule.column])
        names = service_line_names()
        for role in self.describing:
            text = values.get(role, "")
            if text and column_key(text) in names:
                return Cofog(names[column_key(text)], "crosswalk", text)
        if self.profile.keywords:
            for role in self.describing:
                text = values.get(role, "")
                if not text:
                    continue
                for pattern, cofog in keyword_rules():
                    if pattern.search(text):
                        return Cofog(cofog, "keyword", text)
        described = next((values[r] for r in self.describing if values.get(r)), "")
        return Cofog(self.profile.default_cofog, UNMAPPED, described)


@dataclass(frozen=True)
class Payee:
    name: str
    id: str
    public_type: str | None      # body type when the payee is a public body, else None


@lru_cache(maxsize=1)
def _public_patterns() -> tuple[tuple[re.Pattern[str], ...], tuple[tuple[re.Pattern[str], str], ...]]:
    data = _data("public-bodies.json")
    private = tuple(re.compile(item["pattern"], re.IGNORECASE) for item in data["not_public"])
    public = tuple((re.compile(item["pattern"], re.IGNORECASE), item["type"]) for item in data["public"])
    return private, public


@lru_cache(maxsize=65536)
def payee(name: str) -> Payee:
    """The payee's id (a slug of its name, '&' as 'and') and its body type if it is a public body."""
    cleaned = " ".join(name.split())
    private, public = _public_patterns()
    kind = None
    if cleaned and not any(p.search(cleaned) for p in private):
        kind = next((body_type for pattern, body_type in public if pattern.search(cleaned)), None)
    return Payee(cleaned, slug(cleaned), kind)


def slug(name: str) -> str:
    """'Tyne & Wear Fire and Rescue Authority' -> 'tyne-and-wear-fire-and-rescue-authority'."""
    return _SLUG.sub("-", name.casefold().replace("&", " and ")).strip("-")
