"""Access points: spopt's p-median and MCLP against a brute-force optimum on a small case (8 candidates choose 3,
all 56 combinations), with distances computed independently by the haversine formula."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from conftest import Cli, write_csv

AREAS = [(f"A{i}", 0.01 * (i % 5), 0.01 * (i // 5), 100 + 37 * i % 90) for i in range(15)]  # code, lon, lat, demand
SITES = [(f"S{k}", 0.004 + 0.006 * k % 0.045, 0.002 + 0.0045 * k) for k in range(8)]


def _haversine(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _files(tmp_path):
    half = 0.004
    features = [{"type": "Feature", "properties": {"AREACD": code}, "geometry": {"type": "Polygon", "coordinates": [[
        [x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half], [x - half, y - half]]]}}
        for code, x, y, _ in AREAS]
    boundaries = tmp_path / "b.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    demand = write_csv(tmp_path / "demand.csv", [{"area": c, "value": d} for c, _, _, d in AREAS])
    sites = write_csv(tmp_path / "sites.csv", [{"site": s, "lon": x, "lat": y} for s, x, y in SITES])
    return demand, boundaries, sites


def _distances():
    return [[_haversine(x, y, sx, sy) for _, sx, sy in SITES] for _, x, y, _ in AREAS]


def test_p_median_is_the_brute_force_optimum(tmp_path):
    demand, boundaries, sites = _files(tmp_path)
    out = Cli(tmp_path / "unused.duckdb").json("insight", "access-points", "--demand", demand, "--boundaries",
                                                 boundaries, "--sites", sites, "--count", "3")
    d = _distances()

    def cost(combo):
        return sum(a[3] * min(d[i][k] for k in combo) for i, a in enumerate(AREAS))

    combos = list(itertools.combinations(range(8), 3))
    assert len(combos) == 56
    best = min(cost(c) for c in combos)
    chosen = tuple(sorted(int(s["site"][1:]) for s in out["sites"]))
    assert cost(chosen) == pytest.approx(best, rel=1e-9)
    total = sum(a[3] for a in AREAS)
    assert out["total_demand"] == total and out["mean_km"] == pytest.approx(best / total, rel=1e-9)


def test_maximal_cover_is_the_brute_force_optimum_and_names_who_is_beyond(tmp_path):
    demand, boundaries, sites = _files(tmp_path)
    within = 1.2
    out = Cli(tmp_path / "unused.duckdb").json("insight", "access-points", "--demand", demand, "--boundaries",
                                                 boundaries, "--sites", sites, "--count", "2", "--objective",
                                                 "cover", "--within-km", str(within))
    d = _distances()

    def covered(combo):
        return sum(a[3] for i, a in enumerate(AREAS) if min(d[i][k] for k in combo) <= within)

    best = max(covered(c) for c in itertools.combinations(range(8), 2))
    chosen = [int(s["site"][1:]) for s in out["sites"]]
    assert out["covered_demand"] == covered(chosen) == best
    beyond = {a["area"] for a in out["areas"] if a["beyond"]}
    assert beyond == {a[0] for i, a in enumerate(AREAS) if min(d[i][k] for k in chosen) > within}
    assert out["uncovered_demand"] == sum(a[3] for a in AREAS if a[0] in beyond)


def test_bad_site_coordinates_are_named(tmp_path):
    demand, boundaries, _ = _files(tmp_path)
    sites = tmp_path / "sites.csv"
    sites.write_text("site,lon,lat\nS1,0.1,51.5\nS2,east,51.5\nS3,0.2,95\n")
    result = Cli(tmp_path / "unused.duckdb")("insight", "access-points", "--demand", demand, "--boundaries",
                                             boundaries, "--sites", sites, "--count", "1", expect=1)
    assert "sites.csv, row 3, column lon" in result.stderr and "sites.csv, row 4, column lat" in result.stderr
