"""Use cases for spatial insight: hotspot maps and access-point plans from the files a user gives.

The app layer joins the readers (ingest) to the methods (insight): every input is read and checked first,
and only inputs without an error are computed on, so a result never rests on half a file. The CLI and the
API both call these functions and only render what comes back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from placespend.domain.problems import Report
from placespend.ingest.insight.area_values import AreaValues, read_area_values
from placespend.ingest.insight.boundaries import Boundaries, read_boundaries
from placespend.ingest.insight.sites import read_sites
from placespend.insight import access_points as ap
from placespend.insight import hotspots as hs

MIN_AREAS = 3  # Gi*'s variance divides by n - 1 and needs areas outside the neighbourhood to compare with
SHOWN_CODES = 5


@dataclass
class Outcome:
    """What a use case found: the input reports (errors and warnings) and, when every input is sound, the result."""

    reports: list[Report] = field(default_factory=list)
    result: dict[str, Any] | None = None
    shapes: Boundaries | None = None  # the boundaries the result was computed on, for a map; not part of the JSON

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.reports) and self.result is not None


def hotspot_map(values: Path, boundaries: Path, id_property: str | None = None,
                projected: Path | None = None) -> Outcome:
    """Gi* hotspots of `values` over `boundaries` (DESIGN.md §7); with `projected`, both side by side."""
    outcome = Outcome()
    value_report, boundary_report = Report(values.name), Report(boundaries.name)
    outcome.reports += [value_report, boundary_report]
    current = read_area_values(values, value_report)
    shapes = read_boundaries(boundaries, boundary_report, id_property)
    later = None
    if projected is not None:
        projected_report = Report(projected.name)
        outcome.reports.append(projected_report)
        later = read_area_values(projected, projected_report)
    if current is None or shapes is None or (projected is not None and later is None):
        return outcome
    _check_against_boundaries(current, shapes, value_report, boundary_report)
    if later is not None:
        _check_same_areas(current, later, outcome.reports[-1])
    if not all(report.ok for report in outcome.reports):
        return outcome
    kept = [(code, shape) for code, shape in zip(shapes.codes, shapes.geometries, strict=True)
            if code in current.values]
    graph = hs.neighbours([code for code, _ in kept], [shape for _, shape in kept])
    if graph.islands:
        boundary_report.warn("area-island", f"{len(graph.islands)} area(s) touch no other area, so their Gi* "
                             f"compares them only with themselves: {_codes(graph.islands)}.")
    spots = hs.gi_star(graph, current.values)
    outcome.shapes = Boundaries(shapes.id_property, [code for code, _ in kept], [shape for _, shape in kept])
    result: dict[str, Any] = {"id_property": shapes.id_property, "method": hs.METHOD, "fdr_alpha": hs.FDR_ALPHA,
                              "summary": hs.summary(spots), "islands": graph.islands}
    if later is None:
        result["areas"] = [{"area": s.area, "value": s.value, "z": s.z, "p": s.p, "q": s.q,
                            "class": s.hotspot_class} for s in spots]
    else:
        projected_spots = hs.gi_star(graph, later.values)
        result["projected_summary"] = hs.summary(projected_spots)
        result["areas"] = hs.compare(spots, projected_spots)
    outcome.result = finite(result)
    return outcome


def access_plan(demand: Path, boundaries: Path, sites: Path, count: int, objective: str = "median",
                within_km: float | None = None, id_property: str | None = None) -> Outcome:
    """Choose `count` of the candidate sites for the areas' demand (p-median or MCLP), and who is beyond."""
    outcome = Outcome()
    demand_report, boundary_report, site_report = Report(demand.name), Report(boundaries.name), Report(sites.name)
    outcome.reports += [demand_report, boundary_report, site_report]
    wanted = read_area_values(demand, demand_report)
    shapes = read_boundaries(boundaries, boundary_report, id_property)
    candidates = read_sites(sites, site_report)
    if wanted is None or shapes is None or candidates is None:
        return outcome
    _check_against_boundaries(wanted, shapes, demand_report, boundary_report)
    if any(value < 0 for value in wanted.values.values()):
        demand_report.error("demand-negative", "Demand cannot be negative.", column="value")
    if not 1 <= count <= len(candidates.codes):
        site_report.error("sites-too-few", f"Cannot choose {count} of {len(candidates.codes)} candidate sites.")
    if objective == "cover" and within_km is None:
        site_report.error("distance-missing", "Covering the most demand needs a distance (--within-km).")
    if not all(report.ok for report in outcome.reports):
        return outcome
    centres = {code: shape.centroid for code, shape in zip(shapes.codes, shapes.geometries, strict=True)}
    areas = list(wanted.values)
    origins = np.array([(centres[a].x, centres[a].y) for a in areas])
    costs = ap.great_circle_km(origins, np.array(candidates.points))
    weights = np.array([float(wanted.values[a]) for a in areas])
    plan = ap.choose(costs, weights, count, objective, within_km)
    outcome.result = finite({
        "objective": "p-median (least demand-weighted distance)" if objective == "median"
        else f"maximal covering (most demand within {within_km:g} km)",
        "distance": "great-circle km from each area's centroid", "solver": "spopt with PuLP CBC",
        "within_km": within_km, "sites": [{"site": candidates.codes[j], "name": candidates.names[j]}
                                          for j in plan.chosen],
        "total_demand": float(weights.sum()), "covered_demand": plan.covered, "uncovered_demand": plan.uncovered,
        "mean_km": plan.weighted_km / float(weights.sum()) if weights.sum() else None,
        "areas": [{"area": a, "demand": wanted.values[a], "site": candidates.codes[plan.nearest[i]],
                   "km": plan.distance_km[i],
                   "beyond": within_km is not None and plan.distance_km[i] > within_km}
                  for i, a in enumerate(areas)],
    })
    return outcome


def _check_against_boundaries(current: AreaValues, shapes: Boundaries, value_report: Report,
                              boundary_report: Report) -> None:
    """A value for an area with no boundary is an error at its row; boundaries without a value are left out."""
    known = set(shapes.codes)
    for area, row in current.rows.items():
        if area not in known:
            value_report.error("area-not-in-boundaries", f"Area {area} is not in the boundary file "
                               f"{boundary_report.file} (property {shapes.id_property}).", row=row, column="area",
                               value=area)
    unvalued = [code for code in shapes.codes if code not in current.values]
    if unvalued:
        boundary_report.warn("boundary-without-value", f"{len(unvalued)} area(s) of the boundary file have no "
                             f"value and are left out of the statistic: {_codes(unvalued)}.")
    if value_report.ok and len(current.values) < MIN_AREAS:
        value_report.error("too-few-areas", f"Gi* needs at least {MIN_AREAS} areas; the file has "
                           f"{len(current.values)}.")


def _check_same_areas(current: AreaValues, later: AreaValues, report: Report) -> None:
    for area, row in later.rows.items():
        if area not in current.values:
            report.error("area-not-in-values", f"Area {area} has a projected value but no current value.",
                         row=row, column="area", value=area)
    missing = [area for area in current.values if area not in later.values]
    if missing:
        report.error("area-without-projection", f"{len(missing)} area(s) have a current value but no projected "
                     f"value: {_codes(missing)}.", column="area")


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:SHOWN_CODES])
    return shown + (f" and {len(codes) - SHOWN_CODES} more" if len(codes) > SHOWN_CODES else "")


def finite(payload: Any) -> Any:
    """NaN is not JSON: an undefined statistic (all values equal) is published as null."""
    if isinstance(payload, float):
        return None if math.isnan(payload) or math.isinf(payload) else payload
    if isinstance(payload, dict):
        return {key: finite(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [finite(value) for value in payload]
    return payload
