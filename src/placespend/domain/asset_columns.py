"""The columns of an asset register: the Transparency Code's headings and the template's Assets sheet.

One list serves the reader, the template and the docs. A heading is matched ignoring case, spaces and
punctuation, so the Code's `AssetCode`, the template's `asset_code` and a typed `Asset Code` are one column.
Columns not listed here are allowed (the Code's OrganisationLabel, EffectiveDate, EnergyRating ...) and kept
with the asset as extra detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from placespend.domain.assets import HOLDING_TYPES, TENURE_TYPES

ASSETS_SHEET = "Assets"


@dataclass(frozen=True)
class AssetColumn:
    field: str        # the Asset attribute it fills
    code_heading: str  # the Transparency Code's heading ('' when the Code has none)
    heading: str      # the template's heading
    help: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()


COLUMNS: tuple[AssetColumn, ...] = (
    AssetColumn("asset_code", "AssetCode", "asset_code", "Your own unique reference for the asset.", required=True),
    AssetColumn("uprn", "UPRN", "uprn", "Unique Property Reference Number (up to 12 digits), if known."),
    AssetColumn("name", "PropertyName", "property_name", "The property's name, e.g. 'Altrincham Town Hall'."),
    AssetColumn("street_number", "StreetNumber", "street_number", "House number."),
    AssetColumn("street_name", "StreetName", "street_name", "Street."),
    AssetColumn("post_town", "PostTown", "post_town", "Post town."),
    AssetColumn("postcode", "PostCode", "postcode", "Postcode (a full one places the asset best)."),
    AssetColumn("crs", "CoordinateReferenceSystem", "crs", "The coordinates' reference system: WGS84 "
                "(longitude, latitude) or British National Grid / EPSG:27700 (easting, northing).",
                aliases=("coordinate_reference_system",)),
    AssetColumn("geo_x", "GeoX", "geo_x", "Longitude (WGS84) or easting (British National Grid).",
                aliases=("easting", "longitude", "lon")),
    AssetColumn("geo_y", "GeoY", "geo_y", "Latitude (WGS84) or northing (British National Grid).",
                aliases=("northing", "latitude", "lat")),
    AssetColumn("tenure_type", "TenureType", "tenure_type", "Freehold or Leasehold.", choices=TENURE_TYPES),
    AssetColumn("tenure_detail", "TenureDetail", "tenure_detail", "e.g. Owner Occupied, Leasehold Out, Vacant."),
    AssetColumn("other_detail", "OtherDetail", "other_detail", "What the asset is, e.g. School, Leisure, Land."),
    AssetColumn("holding_type", "HoldingType", "holding_type", "Land, Buildings or Land/Buildings.",
                choices=HOLDING_TYPES),
    AssetColumn("building_size", "BuildingSize", "building_size", "Gross internal floor area in square metres."),
    AssetColumn("land_area", "LandArea", "land_area", "Land area in hectares."),
    AssetColumn("running_cost", "", "running_cost", "Annual running cost in GBP (premises costs: energy, "
                "cleaning, maintenance, rates, rent, facilities management).", aliases=("annual_running_cost",)),
    AssetColumn("utilisation", "", "utilisation", "Share of the space in use, 0-1 or a percentage (e.g. 0.45 or "
                "45%).", aliases=("occupancy",)),
    AssetColumn("services", "", "services", "Services delivered at the site, separated by ';' (e.g. 'library; "
                "adult social care').", aliases=("services_delivered",)),
    AssetColumn("lease_end", "", "lease_end", "When the lease ends (YYYY-MM-DD), for a leasehold.",
                aliases=("lease_end_date", "lease_expiry")),
)


def heading_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def lookup() -> dict[str, AssetColumn]:
    """Every accepted heading (keyed) -> its column."""
    found: dict[str, AssetColumn] = {}
    for column in COLUMNS:
        for name in (column.heading, column.code_heading, *column.aliases):
            if name:
                found[heading_key(name)] = column
    return found
