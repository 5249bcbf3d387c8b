"""Running cost per square metre, benchmarked across the partners of a place, with its outliers.

Cost per m2 is an asset's annual running cost over its gross internal floor area, for the assets that report
both. Outliers are found with Tukey's fences: below Q1 - 1.5 x IQR or above Q3 + 1.5 x IQR of all the
partners' assets together, the quartiles by linear interpolation between order statistics (numpy's default,
Excel's QUARTILE.INC). The fences use the middle half of the data only, so a few extreme sites cannot hide
themselves by inflating the spread, as they would with a mean and standard deviation. All in Decimal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from placespend.domain.assets import Asset

FENCE = Decimal("1.5")
METHOD = ("Tukey's fences: outside Q1 - 1.5 x IQR .. Q3 + 1.5 x IQR of every partner's cost per m2, quartiles "
          "by linear interpolation (numpy default, Excel QUARTILE.INC)")
MIN_ASSETS = 4  # quartiles of fewer sites say nothing


@dataclass(frozen=True)
class Benchmark:
    quartiles: tuple[Decimal, Decimal, Decimal] | None
    fences: tuple[Decimal, Decimal] | None
    assets: list[dict[str, object]]
    owners: list[dict[str, object]]
    unpriced: int

    def to_dict(self) -> dict[str, object]:
        return {"method": METHOD, "quartiles": list(self.quartiles) if self.quartiles else None,
                "fences": list(self.fences) if self.fences else None, "owners": self.owners,
                "assets": self.assets, "assets_without_cost_or_area": self.unpriced}


def quantile(ordered: list[Decimal], q: Decimal) -> Decimal:
    """The q-quantile of sorted values by linear interpolation (type 7)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def benchmark(assets: list[Asset]) -> Benchmark:
    priced = [a for a in assets if a.cost_per_m2 is not None]
    values = sorted(a.cost_per_m2 for a in priced)
    quartiles = fences = None
    if len(values) >= MIN_ASSETS:
        quartiles = (quantile(values, Decimal("0.25")), quantile(values, Decimal("0.5")),
                     quantile(values, Decimal("0.75")))
        spread = quartiles[2] - quartiles[0]
        fences = (quartiles[0] - FENCE * spread, quartiles[2] + FENCE * spread)
    rows = []
    for asset in sorted(priced, key=lambda a: (-a.cost_per_m2, a.key)):
        cost = asset.cost_per_m2
        outlier = "" if fences is None else "high" if cost > fences[1] else "low" if cost < fences[0] else ""
        rows.append({"asset": asset.asset_code, "owner": asset.owner, "name": asset.name,
                     "running_cost": asset.running_cost, "building_size": asset.building_size,
                     "cost_per_m2": cost.quantize(Decimal("0.01")), "outlier": outlier})
    return Benchmark(quartiles, fences, rows, _by_owner(priced, rows), len(assets) - len(priced))


def _by_owner(priced: list[Asset], rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each partner's estate-wide cost per m2 (total cost over total floor area) and its outliers."""
    cost: dict[str, Decimal] = defaultdict(Decimal)
    area: dict[str, Decimal] = defaultdict(Decimal)
    count: dict[str, int] = defaultdict(int)
    for asset in priced:
        cost[asset.owner] += asset.running_cost
        area[asset.owner] += asset.building_size
        count[asset.owner] += 1
    outliers: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["outlier"]:
            outliers[str(row["owner"])] += 1
    return [{"owner": owner, "assets": count[owner], "running_cost": cost[owner], "building_size": area[owner],
             "cost_per_m2": (cost[owner] / area[owner]).quantize(Decimal("0.01")), "outliers": outliers[owner]}
            for owner in sorted(cost)]
