"""Profiles of a place's small areas (seed 000 §5.3 "profiles of small areas"; seed 002 §4 customer insight):
population, age bands, deprivation domains, segment, spend per head by COFOG where mapped, and rank among
the place's other areas of the same level.

LSOA rows come straight from the statistics. A ward row is built from its LSOAs (the LSOA -> ward lookup):
people and money are summed (an LSOA in several wards is shared equally, as the ward mapping shares its
money); a deprivation domain is the population-weighted mean of its LSOAs' national deciles (1 = most
deprived 10%), since IoD 2019 publishes no ward ranks; its segment is the one most of its residents live in.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

PENNY = Decimal("0.01")
DOMAINS = ("imd", "imd_income", "imd_employment", "imd_education", "imd_health", "imd_crime", "imd_barriers",
           "imd_living_environment")
AGE_BANDS = ("population_0_15", "population_16_64", "population_65_plus", "population_75_plus")
PROFILE_INDICATORS = ("population", *AGE_BANDS, *(f"{d}_{m}" for d in DOMAINS for m in ("rank", "decile")))
Row = dict[str, object]


def _tidy(value: Decimal | None) -> Decimal | None:
    """1720.000000 (the schema's six places) -> 1720; other values keep the digits they were published with."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _per_head(amount: Decimal, people: object) -> Decimal | None:
    return (amount / people).quantize(PENNY) if isinstance(people, Decimal) and people else None


def _with_spend(row: Row, spend: dict[str, Decimal] | None) -> Row:
    if spend is None:
        return row
    total = sum(spend.values(), Decimal(0))
    row["spend"] = total
    row["spend_per_head"] = _per_head(total, row.get("population"))
    for division, amount in sorted(spend.items()):
        row[f"spend_per_head_{division}"] = _per_head(amount, row.get("population"))
    return row


def lsoa_profiles(names: dict[str, str | None], values: dict[str, dict[str, Decimal]],
                  segments: dict[str, tuple[str, str | None]],
                  spend: dict[str, dict[str, Decimal]] | None, level: str = "lsoa") -> list[Row]:
    """One flat row per area (ready for CSV/XLSX) from the statistics imported for that area itself: LSOAs,
    or output areas and MSOAs that have their own; spend None when no mapping was run for a year."""
    rows = []
    for code in sorted(names):
        stats = values.get(code, {})
        segment = segments.get(code, (None, None))
        row: Row = {"area": code, "name": names[code], "level": level, "segment": segment[0],
                    "segment_name": segment[1]}
        row.update({key: _tidy(stats.get(key)) for key in PROFILE_INDICATORS})
        rows.append(_with_spend(row, None if spend is None else spend.get(code, {})))
    return rows


def _weighted_decile(parts: list[tuple[Decimal, Decimal | None, Decimal]]) -> Decimal | None:
    """Population-weighted mean decile of (people, decile, share) parts; None if any decile is missing."""
    people = sum((p * s for p, _, s in parts), Decimal(0))
    if not people or any(d is None for _, d, _ in parts):
        return None
    return (sum((p * d * s for p, d, s in parts), Decimal(0)) / people).quantize(PENNY)  # type: ignore[operator]


def ward_profiles(lsoa_rows: list[Row], wards_of: dict[str, list[tuple[str, str | None]]],
                  spend: dict[str, dict[str, Decimal]] | None, level: str = "ward") -> list[Row]:
    """Rows of areas made of LSOAs (wards; MSOAs) from LSOA rows: sums of people and money, weighted mean
    deciles, majority segment."""
    members: dict[str, list[tuple[Row, Decimal]]] = defaultdict(list)
    names: dict[str, str | None] = {}
    for row in lsoa_rows:
        wards = wards_of.get(str(row["area"]), [])
        for ward, name in wards:
            members[ward].append((row, Decimal(1) / len(wards)))
            names[ward] = name
    result = []
    for ward in sorted(members):
        parts = members[ward]
        out: Row = {"area": ward, "name": names[ward], "level": level, "lsoas": len(parts)}
        for key in ("population", *AGE_BANDS):
            found = [(r.get(key), share) for r, share in parts]
            out[key] = None if any(v is None for v, _ in found) else sum(
                (v * s for v, s in found), Decimal(0))  # type: ignore[operator]
        for domain in DOMAINS:
            out[f"{domain}_mean_decile"] = _weighted_decile(
                [(r.get("population") or Decimal(0), r.get(f"{domain}_decile"), s) for r, s in parts])  # type: ignore[misc]
        by_segment: dict[str, Decimal] = defaultdict(Decimal)
        labels: dict[str, object] = {}
        for r, share in parts:
            if r.get("segment") is not None:
                by_segment[str(r["segment"])] += (r.get("population") or Decimal(0)) * share  # type: ignore[operator]
                labels[str(r["segment"])] = r.get("segment_name")
        majority = max(sorted(by_segment), key=lambda s: by_segment[s]) if by_segment else None
        out["segment"], out["segment_name"] = majority, labels.get(majority) if majority else None
        ward_spend = None
        if spend is not None:
            ward_spend = defaultdict(Decimal)
            for r, share in parts:
                for division, amount in spend.get(str(r["area"]), {}).items():
                    ward_spend[division] += amount * share
            ward_spend = {d: a.quantize(PENNY) for d, a in ward_spend.items()}
        result.append(_with_spend(out, ward_spend))
    return result


def ranks(rows: list[Row], area: str) -> dict[str, dict[str, int]]:
    """The area's rank among its peers (the rows of the same level) on every numeric column it has.

    People, age bands and spend per head rank 1 = highest; IoD ranks and deciles rank 1 = most deprived
    (the lowest rank), so "1st of 169 on income" always means the most of it. Ties share the better rank.
    """
    row = next((r for r in rows if r["area"] == area), None)
    if row is None:
        return {}
    found = {}
    for key, value in row.items():
        if not isinstance(value, Decimal) or key in {"lsoas"}:
            continue
        lowest_first = "rank" in key or "decile" in key
        peers = [r[key] for r in rows if isinstance(r.get(key), Decimal)]
        better = sum(1 for p in peers if (p < value if lowest_first else p > value))  # type: ignore[operator]
        found[key] = {"rank": better + 1, "of": len(peers)}
    return found
