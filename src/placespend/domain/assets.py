"""A partner's land or building (Total Capital and Assets, seed 001 §5.19-5.22): the value type every layer shares.

The fields follow the Local Government Transparency Code's land and buildings schema (AssetCode, UPRN,
PropertyName, address, CoordinateReferenceSystem, GeoX/GeoY, TenureType, HoldingType, BuildingSize, LandArea)
and the template's Assets sheet, which adds what a rationalisation needs and the Code does not publish: the
annual running cost, utilisation, the services delivered there and when a lease ends.

The coordinates are kept twice: as the file gave them (`crs`, `geo_x`, `geo_y`, text) and as the WGS84
longitude and latitude every map and distance uses, with `located` saying how the second came from the first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

# How an asset's WGS84 point was obtained (`Asset.located`).
LOCATED_AS_GIVEN = "as given"
LOCATED_SWAPPED = "GeoX and GeoY swapped"
LOCATED_CONVERTED = "converted from {crs}"
NOT_LOCATED = ""

# The Code's tenure and holding types, and the tenure details Trafford's file uses (case-insensitive on input).
TENURE_TYPES = ("Freehold", "Leasehold")
HOLDING_TYPES = ("Land", "Buildings", "Land/Buildings")
TENURE_DETAILS = ("Owner Occupied", "Leasehold In", "Leasehold Out", "Vacant", "Other")
NOT_STATED = "(not stated)"


@dataclass(frozen=True)
class Asset:
    """One row of an owner's register. Money is Decimal pounds; areas are Decimal square metres and hectares."""

    owner: str
    asset_code: str
    row: int
    name: str = ""
    uprn: str = ""
    street_number: str = ""
    street_name: str = ""
    post_town: str = ""
    postcode: str = ""
    crs: str = ""
    geo_x: str = ""
    geo_y: str = ""
    lon: float | None = None
    lat: float | None = None
    located: str = NOT_LOCATED
    tenure_type: str = ""
    tenure_detail: str = ""
    other_detail: str = ""
    holding_type: str = ""
    building_size: Decimal | None = None  # gross internal area, m2 (the Code's BuildingSize)
    land_area: Decimal | None = None      # hectares (the Code's LandArea)
    running_cost: Decimal | None = None   # GBP a year
    utilisation: Decimal | None = None    # share of capacity used, 0 to 1
    services: tuple[str, ...] = ()
    lease_end: dt.date | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def has_point(self) -> bool:
        return self.lon is not None and self.lat is not None

    @property
    def key(self) -> str:
        """Owner and code: an AssetCode is unique within its owner's register only."""
        return f"{self.owner}:{self.asset_code}"

    @property
    def address(self) -> str:
        street = " ".join(part for part in (self.street_number, self.street_name) if part)
        return ", ".join(part for part in (street, self.post_town, self.postcode) if part)

    @property
    def cost_per_m2(self) -> Decimal | None:
        """Running cost per square metre of floor: the benchmark seed 001 §5.22's running-cost savings rest on."""
        if self.running_cost is None or not self.building_size:
            return None
        return self.running_cost / self.building_size

    @property
    def service_labels(self) -> tuple[str, ...]:
        """What the site is for: the services column, else the Code's OtherDetail (e.g. 'School', 'Leisure')."""
        if self.services:
            return self.services
        return (self.other_detail,) if self.other_detail else (NOT_STATED,)
