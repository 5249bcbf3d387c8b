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

from placespend.domain.problems import Report
from placespend.ingest.insight.area_values import AreaValues, read_area_values
from placespend.ingest.insight.boundaries import Boundaries, read_boundaries
from placespend.insight import hotspots as hs

MIN_AREAS = 3  # Gi*'s variance divides by n - 1 and needs areas outside the neighbourhood to compare with
SHOWN_CODES = 5


@dataclass
class Outcome:
    """What a use case found: the input reports (errors and warnings) and, when every input is sound, the result."""

    reports: list[Report] = field(default_factory=list)
    result: dict[str, Any] | None = None

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
    result: dict[str, Any] = {"id_property": shapes.id_property, "method": hs.METHOD, "fdr_alpha": hs.FDR_ALPHA,
                              "summary": hs.summary(spots), "islands": graph.islands}
    if later is None:
        result["areas"] = [{"area": s.area, "value": s.value, "z": s.z, "p": s.p, "q": s.q,
                            "class": s.hotspot_class} for s in spots]
    else:
        projected_spots = hs.gi_star(graph, later.values)
        result["projected_summary"] = hs.summary(projected_spots)
        result["areas"] = hs.compare(spots, projected_spots)
    outcome.result = _finite(result)
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


def _finite(payload: Any) -> Any:
    """NaN is not JSON: an undefined statistic (all values equal) is published as null."""
    if isinstance(payload, float):
        return None if math.isnan(payload) or math.isinf(payload) else payload
    if isinstance(payload, dict):
        return {key: _finite(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [_finite(value) for value in payload]
    return payload
