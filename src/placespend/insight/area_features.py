"""The indicators segments are made of: named features derived from imported small-area statistics.

Default features (seed 000 §5.3: segmentation by need and circumstance) are the seven IoD 2019 domains and
the age structure. The IoD 2019 LSOA files 1 and 2 publish ranks and deciles, not scores, so a domain feature
is its **rank reversed** (32,845 - rank for England's 32,844 LSOAs): higher means more deprived, and after
standardisation the scale of ranks does not matter. Where File 5 scores are imported the user can cluster on
them instead by naming the indicator (`imd_income_score`). Age structure is the share of residents aged 0-15
and aged 65 and over (ONS mid-year population by single year of age; 16-64 is the remainder, left out so it
is not counted twice). Any other imported indicator can be named and is used as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from placespend.domain.problems import PlacespendError

IOD_LSOAS = 32844  # LSOAs ranked by IoD 2019 (England)


@dataclass(frozen=True)
class Feature:
    name: str
    sources: tuple[str, ...]                     # the place_statistics indicators it is computed from
    how: Literal["reversed_rank", "share", "value"]
    more: str                                    # words for "above the place average"
    less: str                                    # words for "below the place average"
    title: str = ""                              # a segment's name: "high <title>" / "low <title>"


def _domain(name: str, words: str, title: str) -> Feature:
    return Feature(name, (f"imd_{name}_rank",), "reversed_rank", f"more {words}", f"less {words}",
                   f"{title} deprivation")


FEATURES: dict[str, Feature] = {f.name: f for f in (
    _domain("income", "income-deprived", "income"),
    _domain("employment", "employment-deprived", "employment"),
    _domain("education", "deprived in education, skills and training", "education"),
    _domain("health", "deprived in health and disability", "health"),
    _domain("crime", "deprived on crime", "crime"),
    _domain("barriers", "deprived on barriers to housing and services", "housing and services"),
    _domain("living_environment", "deprived in living environment", "living environment"),
    Feature("children", ("population_0_15", "population"), "share", "more children (0-15)", "fewer children (0-15)",
            "share of children"),
    Feature("older_people", ("population_65_plus", "population"), "share", "more older people (65+)",
            "fewer older people (65+)", "share of older people"),
)}
DEFAULT_FEATURES: tuple[str, ...] = tuple(FEATURES)


def feature(name: str) -> Feature:
    """A named default feature, or any imported indicator used as it is."""
    return FEATURES.get(name) or Feature(name, (name,), "value", f"higher {name}", f"lower {name}",
                                         name.replace("_", " "))


def features(names: list[str] | None) -> list[Feature]:
    chosen = names or list(DEFAULT_FEATURES)
    if len(set(chosen)) != len(chosen):
        raise PlacespendError(f"An indicator is named twice: {', '.join(chosen)}.")
    return [feature(name) for name in chosen]


def source_indicators(chosen: list[Feature]) -> list[str]:
    return sorted({source for f in chosen for source in f.sources})


def feature_value(f: Feature, stats: dict[str, Decimal]) -> Decimal | None:
    """One area's feature from its statistics; None when a source is missing (or a share has no people)."""
    values = [stats.get(source) for source in f.sources]
    if any(value is None for value in values):
        return None
    if f.how == "reversed_rank":
        return Decimal(IOD_LSOAS + 1) - values[0]
    if f.how == "share":
        return values[0] / values[1] if values[1] else None
    return values[0]


def feature_table(chosen: list[Feature], values: dict[str, dict[str, Decimal]],
                  areas: list[str]) -> tuple[list[str], list[list[Decimal]], list[str]]:
    """(areas with every feature, their rows of feature values, areas left out for a missing value)."""
    kept, rows, missing = [], [], []
    for area in areas:
        row = [feature_value(f, values.get(area, {})) for f in chosen]
        if any(value is None for value in row):
            missing.append(area)
        else:
            kept.append(area)
            rows.append(row)  # type: ignore[arg-type]
    return kept, rows, missing
