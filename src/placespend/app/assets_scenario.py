"""The "close or share these sites" use case: a savings range for the deep dives' savings register, and who
would be further from a service once the closed sites' services move to the sites that remain.

The saving is priced by `assets.scenario`; its entries go into the partnership's savings register file through
the same reader and columns as `placespend deepdive savings FILE`, and are totalled there with P10/P50/P90. The
access question is answered with customer insight's own access-point code (`insight.access_points`): for each
service a closed site delivered, every area's distance to its nearest site offering that service, before and
after, weighted by the area's demand (its population, or a file's values).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import shape

from placespend.app.assets import Estate, estate
from placespend.app.savings_register import add_to_register, saving_row
from placespend.assets import scenario as sc
from placespend.deepdive.layout import profile as parse_profile
from placespend.deepdive.savings import DEFAULT_HORIZON, Saving, total_savings
from placespend.deepdive.uncertainty import Range
from placespend.domain.assets import NOT_STATED, Asset
from placespend.domain.cells import CellError
from placespend.domain.problems import PlacespendError, Report
from placespend.engine import area_insight_store, assets_store
from placespend.engine.workspace import Workspace
from placespend.ingest.insight.area_values import read_area_values
from placespend.ingest.insight.boundaries import read_boundaries
from placespend.insight import access_points as ap

DEFAULT_PROFILE = (Decimal("0.5"), Decimal(1))  # half a year's saving in the first year, as sites empty
THEME = "assets"


@dataclass
class Demand:
    """Where the people a service is for live: area centroids (lon, lat) and their weights."""

    source: str
    codes: list[str] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


@dataclass
class ScenarioResult:
    result: dict[str, Any]
    entries: list[Saving]
    reports: list[Report] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)


def run(ws: Workspace, place: str | None, close: list[str], share: list[str], start_year: int,
        shares: dict[str, sc.Shares] | None = None, profile: tuple[Decimal, ...] = DEFAULT_PROFILE,
        indicator: str = "population", demand_file: Path | None = None, boundaries_file: Path | None = None,
        savings: Path | None = None) -> ScenarioResult:
    """Price the scenario, find who is further from each service, and (with `savings`) add it to the register."""
    found = estate(ws, place)
    actions = _resolve(found.assets, close, sc.CLOSE) + _resolve(found.assets, share, sc.SHARE)
    if not actions:
        raise PlacespendError("Name at least one site to close (--close) or share (--share).")
    keys = [asset.key for asset, _ in actions]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise PlacespendError(f"A site is either closed or shared, not both: {', '.join(twice)}.")
    priced = sc.price(actions, found.assets, shares)
    entries = [_entry(site, priced.shares[site.action], start_year, profile) for site in priced.sites]
    result: dict[str, Any] = {**found.header(), **priced.to_dict(),
                              "savings_entries": [saving_row(e) for e in entries]}
    if entries:
        result["savings"] = total_savings(entries, DEFAULT_HORIZON).to_dict()
    outcome = ScenarioResult(result, entries)
    closed = [asset for asset, action in actions if action == sc.CLOSE]
    if closed:
        demand = _demand(ws, found, indicator, demand_file, boundaries_file, outcome.reports)
        if outcome.ok:
            result["access"] = access_change(found.assets, closed, demand)
    if savings is not None and outcome.ok and entries:
        report = add_to_register(savings, entries)
        outcome.reports.append(report)
        result["savings_register"] = {"file": str(savings), "added": [e.id for e in entries] if report.ok else []}
    return outcome


def _resolve(assets: list[Asset], refs: list[str], action: str) -> list[tuple[Asset, str]]:
    """Sites named as OWNER:CODE, or CODE alone when only one owner uses it."""
    by_key = {a.key: a for a in assets}
    found = []
    for ref in refs:
        ref = ref.strip()
        if ref in by_key:
            found.append((by_key[ref], action))
            continue
        matches = [a for a in assets if a.asset_code == ref]
        if len(matches) == 1:
            found.append((matches[0], action))
        elif matches:
            raise PlacespendError(f"{ref} is an AssetCode of several owners ({', '.join(a.owner for a in matches)}); "
                                  f"write OWNER:{ref}.")
        else:
            raise PlacespendError(f"No asset {ref} is in this estate; `placespend assets list` shows the codes.")
    return found


def _entry(site: sc.SiteSaving, rate: sc.Shares, start_year: int, profile: tuple[Decimal, ...]) -> Saving:
    asset = site.asset
    slug = re.sub(r"[^a-z0-9]+", "-", f"{asset.owner} {asset.asset_code}".lower()).strip("-")
    verb = "Close" if site.action == sc.CLOSE else "Share"
    return Saving(
        id=f"assets-{site.action}-{slug}", description=f"{verb} {asset.name or asset.asset_code} "
        f"({asset.owner} {asset.asset_code})", agency=asset.owner,
        amount=Range(site.low, site.central, site.high), start_year=start_year, profile=profile, status="idea",
        evidence=f"placespend assets scenario: {site.action} saves {rate.low}/{rate.central}/{rate.high} of the "
                 f"running cost of GBP {asset.running_cost} a year ({sc.ASSUMPTIONS[site.action]})",
        theme=THEME, group=f"assets-{site.action}")


def _demand(ws: Workspace, found: Estate, indicator: str, demand_file: Path | None, boundaries_file: Path | None,
            reports: list[Report]) -> Demand | None:
    if demand_file is not None or boundaries_file is not None:
        if demand_file is None or boundaries_file is None:
            raise PlacespendError("Give both --demand (area, value) and --boundaries, or neither.")
        return _file_demand(demand_file, boundaries_file, reports)
    if found.place is None:
        return None
    districts = area_insight_store.place_districts(ws, found.place)
    for level in ("lsoa", "ward"):
        shapes = assets_store.area_shapes(ws, districts, level)
        if not shapes:
            continue
        values = area_insight_store.area_statistics(ws, [indicator], [s["code"] for s in shapes])
        valued = [s for s in shapes if indicator in values.values.get(s["code"], {})]
        if valued:
            vintage = values.vintages.get(indicator, "")
            return Demand(f"{indicator} ({vintage}) of {len(valued)} {level.upper()}s at their centroids",
                          [s["code"] for s in valued], [_centroid(s["geometry"]) for s in valued],
                          [float(values.values[s["code"]][indicator]) for s in valued])
    return None


def _centroid(geometry: str) -> tuple[float, float]:
    centre = shape(json.loads(geometry)).centroid
    return centre.x, centre.y


def _file_demand(demand_file: Path, boundaries_file: Path, reports: list[Report]) -> Demand | None:
    demand_report, boundary_report = Report(demand_file.name), Report(boundaries_file.name)
    reports += [demand_report, boundary_report]
    wanted = read_area_values(demand_file, demand_report)
    shapes = read_boundaries(boundaries_file, boundary_report)
    if wanted is None or shapes is None:
        return None
    centres = {code: geometry.centroid for code, geometry in zip(shapes.codes, shapes.geometries, strict=True)}
    for area, row in wanted.rows.items():
        if area not in centres:
            demand_report.error("area-not-in-boundaries", f"Area {area} is not in {boundaries_file.name}.", row=row,
                                column="area", value=area)
        elif wanted.values[area] < 0:
            demand_report.error("demand-negative", "Demand cannot be negative.", row=row, column="value")
    if not demand_report.ok:
        return None
    areas = list(wanted.values)
    return Demand(f"{demand_file.name} at the centroids of {boundaries_file.name}", areas,
                  [(centres[a].x, centres[a].y) for a in areas], [float(wanted.values[a]) for a in areas])


def access_change(assets: list[Asset], closed: list[Asset], demand: Demand | None) -> dict[str, Any]:
    """For each service a closed site delivered: demand-weighted distance to the nearest site before and after."""
    if demand is None or not demand.codes:
        return {"demand": None, "services": [], "note": "No demand areas: import the place's LSOA or ward "
                "boundaries, their lookup to the place and their population, or give --demand and --boundaries."}
    closed_keys = {a.key for a in closed}
    origins, weights = np.array(demand.points), np.array(demand.weights)
    services = sorted({s for a in closed for s in a.service_labels if s != NOT_STATED})
    rows = [_service_change(service, assets, closed_keys, origins, weights, demand) for service in services]
    unstated = [a.asset_code for a in closed if a.service_labels == (NOT_STATED,)]
    return {"demand": demand.source, "distance": "great-circle km from each area's centroid to the nearest site",
            "services": rows, "services_not_stated": unstated}


def _service_change(service: str, assets: list[Asset], closed_keys: set[str], origins: np.ndarray,
                    weights: np.ndarray, demand: Demand) -> dict[str, Any]:
    offering = [a for a in assets if a.has_point and service in a.service_labels]
    remaining = [i for i, a in enumerate(offering) if a.key not in closed_keys]
    total = float(weights.sum())
    row: dict[str, Any] = {"service": service, "sites_before": len(offering), "sites_after": len(remaining)}
    if not offering:
        return {**row, "note": "no site offering it has coordinates"}
    costs = ap.great_circle_km(origins, np.array([(a.lon, a.lat) for a in offering]))
    before = ap.evaluate(costs, weights, list(range(len(offering))), "median", None)
    row["mean_km_before"] = before.weighted_km / total if total else None
    if not remaining:
        return {**row, "mean_km_after": None, "note": f"no site offering {service} would remain"}
    after = ap.evaluate(costs, weights, remaining, "median", None)
    row["mean_km_after"] = after.weighted_km / total if total else None
    further = [{"area": code, "demand": float(w), "km_before": b, "km_after": a, "further_km": a - b}
               for code, w, b, a in zip(demand.codes, weights, before.distance_km, after.distance_km, strict=True)
               if a > b + 1e-9]
    further.sort(key=lambda r: (-r["further_km"], r["area"]))
    return {**row, "demand_further": sum(r["demand"] for r in further), "areas_further": further}


def next_financial_year(today: dt.date | None = None) -> int:
    """The first calendar year of the financial year after today's (a scenario starts no sooner)."""
    today = today or dt.date.today()
    return today.year + 1 if today.month >= 4 else today.year


def share(text: str) -> Decimal:
    """A share typed as 0.5, 50% or 50 (a number above 1 is a percentage)."""
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except InvalidOperation:
        raise PlacespendError(f"'{text}' is not a share such as 0.5 or 50%.") from None
    if not value.is_finite():
        raise PlacespendError(f"'{text}' is not a share such as 0.5 or 50%.")
    return value / 100 if str(text).strip().endswith("%") or value > 1 else value


def ranges(close: list[str] | None = None, share_: list[str] | None = None) -> dict[str, sc.Shares]:
    """The user's ranges for closing and for sharing (each LOW, CENTRAL, HIGH), where given."""
    return {action: shares(values, action) for action, values in ((sc.CLOSE, close), (sc.SHARE, share_)) if values}


def profile(text: str) -> tuple[Decimal, ...]:
    """A ramp-up profile as the savings register writes it ('0.5;1')."""
    try:
        return parse_profile(text)
    except CellError as exc:
        raise PlacespendError(f"The profile '{text}': {exc}") from None


def shares(values: list[str], action: str) -> sc.Shares:
    """LOW, CENTRAL, HIGH shares of running cost for one action."""
    if len(values) != 3:
        raise PlacespendError(f"The {action} range needs three shares LOW,CENTRAL,HIGH, e.g. 0.5,0.75,0.9.")
    try:
        return sc.Shares(*(share(v) for v in values))
    except ValueError as exc:
        raise PlacespendError(f"The {action} range: {exc}.") from None
