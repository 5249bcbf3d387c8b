"""Access points: which N candidate sites serve an area's demand best (seed 000 §5.3: insight to allocate
resources), as a p-median (least demand-weighted distance) or a maximal covering problem (most demand within
a distance), solved exactly by spopt with PuLP's CBC, and who is left beyond the distance.

Distances are great-circle kilometres between area centroids and sites (mean Earth radius 6,371.0088 km):
what a straight-line access standard means; a road-network cost matrix is a refinement for later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp
from spopt.locate import MCLP, PMedian

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Plan:
    """The chosen sites, each area's nearest chosen site and distance, and the demand beyond `within_km`."""

    objective: str
    chosen: list[int]
    nearest: list[int]
    distance_km: list[float]
    weighted_km: float
    covered: float
    uncovered: float


def great_circle_km(origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Haversine distances (rows: origins, columns: targets), both as (lon, lat) degrees."""
    lon1, lat1 = np.radians(origins[:, :1]), np.radians(origins[:, 1:2])
    lon2, lat2 = np.radians(targets[:, 0])[None, :], np.radians(targets[:, 1])[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def choose(costs: np.ndarray, demand: np.ndarray, sites: int, objective: str, within_km: float | None) -> Plan:
    """Solve p-median (`median`) or MCLP (`cover`, needs `within_km`) for `sites` of the cost matrix's columns."""
    solver = pulp.PULP_CBC_CMD(msg=False)
    if objective == "cover":
        model = MCLP.from_cost_matrix(costs, demand, service_radius=within_km, p_facilities=sites).solve(solver)
    else:
        model = PMedian.from_cost_matrix(costs, demand, p_facilities=sites).solve(solver)
    chosen = [j for j, opened in enumerate(model.fac_vars) if (opened.value() or 0) > 0.5]
    return evaluate(costs, demand, chosen, objective, within_km)


def evaluate(costs: np.ndarray, demand: np.ndarray, chosen: list[int], objective: str,
             within_km: float | None) -> Plan:
    """Each area goes to its nearest chosen site (what people do), whatever the model assigned."""
    sub = costs[:, chosen]
    nearest = sub.argmin(axis=1)
    distance = sub[np.arange(len(demand)), nearest]
    beyond = distance > within_km if within_km is not None else np.zeros(len(demand), dtype=bool)
    return Plan(objective, list(chosen), [chosen[k] for k in nearest], distance.tolist(),
                float((demand * distance).sum()), float(demand[~beyond].sum()), float(demand[beyond].sum()))
