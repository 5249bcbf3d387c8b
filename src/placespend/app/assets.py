"""Use cases for Total Capital and Assets (DESIGN.md §7, Assets; seed 001 §5.19-5.25): import an owner's register,
see a place's estate, find co-location and rationalisation candidates, and put capital beside it.

A place's estate is every current register imported for the place, plus the assets of any other register
whose point lies inside the place (an NHS trust's single register serves every borough it covers). Points of
the place's own registers that lie outside it are flagged with how far outside they are.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from shapely.geometry import shape

from placespend.assets import benchmark as bench
from placespend.assets import extent as ext
from placespend.assets import nearby as near
from placespend.assets import rationalisation as rat
from placespend.assets import summary
from placespend.assets.capital import capital_by_partner
from placespend.domain.asset_columns import ASSETS_SHEET
from placespend.domain.assets import Asset
from placespend.domain.problems import PlacespendError, Report
from placespend.domain.vocabulary import is_valid_period, normalise_id, normalise_place
from placespend.engine import area_insight_store, assets_store
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace
from placespend.ingest.assets.register import read_asset_register
from placespend.ingest.fingerprint import file_fingerprint

Outcome = Literal["loaded", "unchanged", "rejected"]
MAX_OUTSIDE_WARNINGS = 20
AREA_LEVELS = ("lsoa", "ward")


@dataclass
class ImportResult:
    path: Path
    report: Report
    outcome: Outcome
    owner: str
    place: str | None
    register_id: int | None = None
    assets: list[Asset] = field(default_factory=list)
    extent: ext.PlaceExtent | None = None
    outside: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**self.report.to_dict(), "outcome": self.outcome, "owner": self.owner, "place": self.place,
                "register_id": self.register_id, "assets": len(self.assets),
                "located": sum(a.has_point for a in self.assets),
                "without_coordinates": [a.asset_code for a in self.assets if not a.has_point],
                "building_size": summary.total(a.building_size for a in self.assets),
                "extent": self.extent.to_dict() if self.extent else None,
                "outside_place": [{"asset": a.asset_code, "name": a.name, "metres": round(self.outside[a.key], 1)}
                                  for a in self.assets if a.key in self.outside]}


@dataclass
class Estate:
    """The assets in view (a place's, or every current register's) and where the place is."""

    place: str | None
    extent: ext.PlaceExtent
    assets: list[Asset]
    outside: dict[str, float]

    def header(self) -> dict[str, Any]:
        return {"place": self.place, "extent": self.extent.to_dict(), "assets": len(self.assets),
                "located": sum(a.has_point for a in self.assets)}


def import_register(ws: Workspace, path: Path, owner: str, place: str | None = None, sheet: str = ASSETS_SHEET,
                    loaded_by: str | None = None, display_name: str | None = None) -> ImportResult:
    """Validate an owner's register and, only if it has no error, make it the owner's current version."""
    owner = normalise_id(owner or "")
    if not owner:
        raise PlacespendError("Name the body that owns the assets (--owner).")
    place = normalise_place(place) if place else None
    report = Report(display_name or path.name)
    digest = file_fingerprint(path)
    existing = assets_store.current_with_hash(ws, owner, digest)
    if existing is not None:
        return ImportResult(path, report, "unchanged", owner, place, existing)
    register = read_asset_register(path, report, owner, sheet)
    if register is None:
        return ImportResult(path, report, "rejected", owner, place)
    result = ImportResult(path, report, "loaded", owner, place, assets=register.assets)
    if place is not None:
        result.extent = place_extent(ws, place)
        result.outside = _outside(register.assets, result.extent)
        _warn_outside(report, register.assets, result.outside, result.extent, register.sheet)
    new = assets_store.NewRegister(owner, place, digest, display_name or path.name, path, register.sheet, loaded_by,
                                   len(report.warnings))
    result.register_id = assets_store.save_register(ws, new, register.assets)
    return result


def _outside(assets: list[Asset], extent: ext.PlaceExtent) -> dict[str, float]:
    found = {}
    for asset in assets:
        if asset.has_point and (metres := extent.outside(asset.lon, asset.lat)) is not None:
            found[asset.key] = metres
    return found


def _warn_outside(report: Report, assets: list[Asset], outside: dict[str, float], extent: ext.PlaceExtent,
                  sheet: str | None) -> None:
    flagged = [a for a in assets if a.key in outside]
    for asset in flagged[:MAX_OUTSIDE_WARNINGS]:
        report.warn("asset-outside-place", f"{asset.asset_code} {asset.name} lies {outside[asset.key]:,.0f} m outside "
                    f"{extent.place} ({extent.method}: {extent.description}); kept, and flagged on the map.",
                    sheet=sheet, row=asset.row, column="GeoX")
    if len(flagged) > MAX_OUTSIDE_WARNINGS:
        report.warn("asset-outside-place", f"{len(flagged) - MAX_OUTSIDE_WARNINGS} more assets lie outside "
                    f"{extent.place}; `placespend assets list --place {extent.place}` lists them all.", sheet=sheet)
    if extent.method == ext.UNKNOWN:
        report.warn("place-extent-unknown", f"Points are not checked against {extent.place}: {extent.description}.")


def place_extent(ws: Workspace, place: str) -> ext.PlaceExtent:
    """The place's own boundary if imported, else the bounding box of its LSOAs or wards, else unknown."""
    method, rows, label = outline(ws, place)
    if method == ext.BOUNDARY:
        return ext.from_boundary(place, _shapes(rows), label)
    if method == ext.BOUNDING_BOX:
        return ext.from_areas(place, _shapes(rows), label)
    return ext.unknown(place, label)


def outline(ws: Workspace, place: str) -> tuple[str, list[dict[str, Any]], str]:
    """(method, boundary rows, what they are): the place's districts' boundaries, else its LSOAs' or wards'."""
    if not ws.exists and not ws.is_shared:
        return ext.UNKNOWN, [], "the workspace holds no boundaries yet"
    districts = area_insight_store.place_districts(ws, place)
    own = assets_store.boundary_shapes(ws, districts)
    if own and {b["code"] for b in own} == set(districts):
        labels = ", ".join(f"{b['code']} {b['name'] or ''} ({b['level']} {b['vintage'] or ''})".replace("  ", " ")
                           for b in own)
        return ext.BOUNDARY, own, f"the imported boundary of {labels}"
    for level in AREA_LEVELS:
        areas = assets_store.area_shapes(ws, districts, level)
        if areas:
            vintages = ", ".join(sorted({str(a["vintage"]) for a in areas}))
            return ext.BOUNDING_BOX, areas, (f"the bounding box of its {len(areas)} {level.upper()} boundaries "
                                             f"({vintages}): a point inside the box may still be outside the place")
    return ext.UNKNOWN, [], ("no boundary of the place, or of its LSOAs or wards with a lookup to it, is imported "
                             "(placespend import a GeoJSON of them)")


def _shapes(rows: list[dict[str, Any]]) -> list:
    return [shape(json.loads(str(row["geometry"]))) for row in rows]


def estate(ws: Workspace, place: str | None = None) -> Estate:
    everything = assets_store.current_assets(ws)
    if place is None:
        return Estate(None, ext.unknown(None, "every current register, whatever its place"), everything, {})
    place = normalise_place(place)
    extent = place_extent(ws, place)
    own = {r["owner"] for r in assets_store.registers(ws) if r["current"] and r["place"] == place}
    inside = [a for a in everything if a.owner in own or (
        a.has_point and extent.shape is not None and extent.outside(a.lon, a.lat) is None)]
    return Estate(place, extent, inside, _outside([a for a in inside if a.owner in own], extent))


def asset_row(asset: Asset, outside: dict[str, float] | None = None) -> dict[str, Any]:
    """An asset as the list, the map and the API show it."""
    metres = (outside or {}).get(asset.key)
    return {"asset": asset.asset_code, "owner": asset.owner, "name": asset.name, "uprn": asset.uprn,
            "address": asset.address, "lon": asset.lon, "lat": asset.lat, "located": asset.located,
            "tenure_type": asset.tenure_type, "tenure_detail": asset.tenure_detail, "holding_type": asset.holding_type,
            "use": asset.other_detail, "services": list(asset.service_labels), "building_size": asset.building_size,
            "land_area": asset.land_area, "running_cost": asset.running_cost,
            "cost_per_m2": None if asset.cost_per_m2 is None else asset.cost_per_m2.quantize(Decimal("0.01")),
            "utilisation": asset.utilisation, "lease_end": asset.lease_end, "row": asset.row,
            "outside_place_m": None if metres is None else round(metres, 1)}


def register_list(ws: Workspace, place: str | None = None, owner: str | None = None) -> dict[str, Any]:
    found = estate(ws, place)
    assets = [a for a in found.assets if owner is None or a.owner == normalise_id(owner)]
    return {**found.header(), "owners": summary.by_owner(assets),
            "assets": [asset_row(a, found.outside) for a in assets]}


def history(ws: Workspace, owner: str | None = None) -> list[dict[str, Any]]:
    return assets_store.registers(ws, normalise_id(owner) if owner else None)


def nearby(ws: Workspace, within: float, place: str | None = None) -> dict[str, Any]:
    """DESIGN.md §7: every pair of different owners' assets within `within` metres on the WGS84 ellipsoid."""
    if within < 0:
        raise PlacespendError("The distance (--within) must be 0 metres or more.")
    found = estate(ws, place)
    pairs = near.pairs_within(found.assets, within)
    return {**found.header(), "within": within, "method": near.METHOD,
            "without_coordinates": sum(not a.has_point for a in found.assets),
            "pairs": [p.to_dict() for p in pairs]}


def under_used(ws: Workspace, below: Decimal = rat.DEFAULT_UNDER_USED, place: str | None = None) -> dict[str, Any]:
    if not Decimal(0) <= below <= Decimal(1):
        raise PlacespendError("The utilisation threshold (--below) is a share between 0 and 1, e.g. 0.5.")
    found = estate(ws, place)
    listing = rat.under_used(found.assets, below)
    return {**found.header(), "below": below, "examined": listing.examined, "without_utilisation": listing.unknown,
            "sites": [asset_row(a, found.outside) for a in listing.assets]}


def leases(ws: Workspace, years: int, on: dt.date | None = None, place: str | None = None) -> dict[str, Any]:
    if years < 0:
        raise PlacespendError("The number of years (--years) must be 0 or more.")
    on = on or dt.date.today()
    found = estate(ws, place)
    listing = rat.leases_ending(found.assets, on, years)
    return {**found.header(), "on": on, "years": years, "until": rat.years_after(on, years),
            "examined": listing.examined, "without_lease_end": listing.unknown,
            "sites": [{**asset_row(a, found.outside), "ended": a.lease_end < on} for a in listing.assets]}


def benchmark(ws: Workspace, place: str | None = None) -> dict[str, Any]:
    found = estate(ws, place)
    return {**found.header(), **bench.benchmark(found.assets).to_dict()}


def capital(ws: Workspace, place: str, year: str) -> dict[str, Any]:
    """The count's capital lines by partner and function, beside each partner's estate in the place."""
    if not is_valid_period(year):
        raise PlacespendError(f"'{year}' is not a financial year; write it as YYYY-YY, e.g. 2024-25.")
    place = normalise_place(place)
    with ws.read() as con:
        rows = capital_by_partner(ledger_of(con), place, year) if "flows" in con.list_tables() else []
    found = estate(ws, place)
    owners = {row["owner"]: row for row in summary.by_owner(found.assets)}
    partners: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = partners.setdefault(row["partner"], {"partner": row["partner"], "name": row["partner_name"],
                                                     "capital": Decimal(0), "by_cofog": {}})
        entry["capital"] += row["amount"]
        entry["by_cofog"][row["cofog"]] = entry["by_cofog"].get(row["cofog"], Decimal(0)) + row["amount"]
    for owner in owners:
        partners.setdefault(owner, {"partner": owner, "name": None, "capital": Decimal(0), "by_cofog": {}})
    beside = [{**entry, "estate": owners.get(key)} for key, entry in sorted(
        partners.items(), key=lambda kv: (-kv[1]["capital"], kv[0]))]
    return {"place": place, "period": year, "total": sum((r["amount"] for r in rows), Decimal(0)),
            "lines": rows, "partners": beside, "extent": found.extent.to_dict()}
