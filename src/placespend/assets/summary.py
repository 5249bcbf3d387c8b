"""The estate partner by partner: how many assets, how many can be mapped, floor area, land and running cost."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from placespend.domain.assets import Asset


def by_owner(assets: list[Asset]) -> list[dict[str, object]]:
    """Totals per owner; sums are of the assets that report each figure (blank is not zero)."""
    groups: dict[str, list[Asset]] = defaultdict(list)
    for asset in assets:
        groups[asset.owner].append(asset)
    rows = []
    for owner, mine in sorted(groups.items()):
        rows.append({"owner": owner, "assets": len(mine), "located": sum(a.has_point for a in mine),
                     "building_size": total(a.building_size for a in mine),
                     "land_area": total(a.land_area for a in mine),
                     "running_cost": total(a.running_cost for a in mine),
                     "with_running_cost": sum(a.running_cost is not None for a in mine)})
    return rows


def total(values) -> Decimal | None:
    """The sum of the figures reported; blanks are left out, not read as zero (None when none is reported)."""
    reported = [v for v in values if v is not None]
    return sum(reported, Decimal(0)) if reported else None
