"""Use cases behind the insight pages (DESIGN.md §7, §8): area maps and profiles, hotspots, surveys and the overlap
of people-matching runs. Each figure comes from the function the CLI and the JSON API call (`area_insight`,
`spatial_insight`, `survey_insight`, `sharing`); this module only adds the drawing and who may see which run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from placespend.app import area_insight, place_view, sharing, spatial_insight, survey_insight
from placespend.app.accounts import User
from placespend.app.spatial_insight import Outcome
from placespend.engine.workspace import Workspace
from placespend.insight.disclosure import DEFAULT_THRESHOLD
from placespend.report import charts, insight_charts

LEVELS = area_insight.LEVELS
LEVEL_NAMES = area_insight.LEVEL_NAMES
STAFF = ("admin", "analyst")
OVERLAP_PARTS = insight_charts.OVERLAP_PARTS


def _data(figure: Any) -> dict[str, Any]:
    return json.loads(charts.to_json(figure))


def places(ws: Workspace) -> list[dict[str, str]]:
    return [{"place": p["place"], "name": p.get("name") or p["place"]} for p in place_view.places(ws)]


def areas(ws: Workspace, place: str, level: str = "lsoa", column: str = "segment") -> dict[str, Any]:
    """A place's profiles (`placespend insight profile`) and the map of one column (`placespend insight map`),
    from one table, so the map and the rows beneath it cannot disagree. Kept per workspace version, as the place
    page is: a warm view does not recompute them."""
    def compute() -> dict[str, Any]:
        table = area_insight.profile_rows(ws, place, level)
        shown = area_insight.map_of(ws, table, column) if table["rows"] else None
        return {"table": table, "map": shown, "columns": list(table["rows"][0]) if table["rows"] else []}

    return place_view.cached(ws, ("insight-areas", place, level, column), compute)


def hotspots(values: Path, boundaries: Path, id_property: str | None = None,
             projected: Path | None = None) -> tuple[Outcome, dict[str, dict[str, Any]]]:
    """`placespend insight hotspots` (with `--projected`, current and projected side by side, as seed 000 §5.3's
    hotspots of current and future demand) and a map of each over the boundaries the user gave."""
    outcome = spatial_insight.hotspot_map(values, boundaries, id_property, projected)
    if not outcome.ok or outcome.shapes is None:
        return outcome, {}
    shapes = [{"code": code, "name": None, "geometry": json.dumps(mapping(shape))}
              for code, shape in zip(outcome.shapes.codes, outcome.shapes.geometries, strict=True)]
    areas = outcome.result["areas"]
    maps = {"hotspots": _data(insight_charts.hotspot_map(areas, shapes, f"Gi* hot and cold spots of {values.name}"))}
    if projected is not None:
        later = [{"area": a["area"], "value": a["projected_value"], "z": a["projected_z"],
                  "class": a["projected_class"]} for a in areas]
        maps["projected"] = _data(insight_charts.hotspot_map(later, shapes,
                                                             f"Gi* hot and cold spots of {projected.name}"))
    return outcome, maps


def surveys(path: Path, overall: str = "overall", threshold: int = DEFAULT_THRESHOLD,
            satisfied_from: float = 4) -> tuple[Outcome, list[dict[str, Any]]]:
    """`placespend insight surveys` and one chart per grouping column: each group's mean score per question with
    its 95% interval; a group withheld by disclosure control is left off the chart (the table says why). A
    threshold below the default is refused (PlacespendError), as by the CLI and the API."""
    outcome = survey_insight.survey_results(path, overall, threshold, satisfied_from)
    if not outcome.ok:
        return outcome, []
    questions = outcome.result["questions"]
    groupings = list(questions[0]["by"]) if questions else []
    return outcome, [{"by": by, "figure": _data(insight_charts.survey_chart(questions, by))}
                     for by in groupings]


def overlap_runs(ws: Workspace, user: User | None) -> list[dict[str, Any]]:
    """Overlap runs the caller may see, newest first: each run's summary (`sharing.run_summary`, what the API and
    `placespend insight agreement show` list) and a chart of it."""
    role, organisation = (user.role, user.organisation) if user else ("viewer", None)
    found = []
    for run in sorted(sharing.runs(ws), key=lambda r: r["run_at"], reverse=True):
        if run["kind"] != "overlap" or not sharing.may_see(run, role, organisation):
            continue
        summary = sharing.run_summary(ws, run["run_id"])
        groups = (summary["published"] or {}).get("groups", [])
        found.append({**summary, "run_at": run["run_at"], "left_owner": run["left_owner"],
                      "right_owner": run["right_owner"], "run_by": run["run_by"] if role in STAFF else None,
                      "figure": _data(insight_charts.overlap_chart(groups, run["left_owner"], run["right_owner"]))})
    return found
