"""COFOG for a grant from the words that describe it: a declared, ordered keyword rule in a data file.

360Giving grants carry no function code, only a title, a description, a programme and sometimes
classifications. `data/grant_cofog_rules.csv` lists rules in order of precedence (the first rule with a
matching keyword wins); each has a note saying why. Classification titles are tried before the free text,
because a publisher's own classification is the better evidence. A grant that no rule matches gets the
file's fallback row (``*``) and is reported, so unmapped money is visible, never silently guessed.

Keywords match whole words, case-insensitively; a trailing ``*`` matches any ending (``sport*`` = sports,
sporting).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from placespend.domain.classifications import normalise_cofog

FALLBACK = "*"


@dataclass(frozen=True)
class Rule:
    keywords: tuple[str, ...]
    cofog: str
    note: str
    pattern: re.Pattern[str] | None  # None for the fallback


@dataclass(frozen=True)
class Match:
    cofog: str
    keyword: str | None  # None: no rule matched, the fallback was used
    note: str


def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    parts = [re.escape(k[:-1]) + r"\w*" if k.endswith("*") else re.escape(k) for k in keywords]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b")


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The packaged rules in order; the fallback last. A malformed file is a packaging bug, so it raises."""
    text = resources.files("placespend.ingest.grants.data").joinpath("grant_cofog_rules.csv").read_text("utf-8")
    out: list[Rule] = []
    for row in csv.DictReader(io.StringIO(text)):
        cofog = normalise_cofog(row["cofog"])
        if cofog is None:
            raise ValueError(f"grant_cofog_rules.csv: {row['cofog']!r} is not a COFOG code")
        keywords = tuple(k.strip().lower() for k in row["keywords"].split(";") if k.strip())
        pattern = None if keywords == (FALLBACK,) else _pattern(keywords)
        out.append(Rule(keywords, cofog, row["note"], pattern))
    if sum(1 for r in out if r.pattern is None) != 1 or out[-1].pattern is not None:
        raise ValueError("grant_cofog_rules.csv must end with exactly one fallback row ('*')")
    return tuple(out)


def _clean(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("'s", "s").replace("-", " ").split())


def classify(classifications: list[str], texts: list[str]) -> Match:
    """The first rule matching the classification titles, else the first matching the free text."""
    for source in (" ".join(classifications), " ".join(texts)):
        cleaned = _clean(source)
        if not cleaned:
            continue
        for rule in rules():
            if rule.pattern is not None and (found := rule.pattern.search(cleaned)):
                return Match(rule.cofog, found.group(0), rule.note)
    fallback = rules()[-1]
    return Match(fallback.cofog, None, fallback.note)
