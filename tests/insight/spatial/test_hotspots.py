"""Gi* hotspots (DESIGN.md §7) against an independent computation on the real Lewisham and Hackney LSOAs.

The check builds its own neighbours (shapely: polygons less than 1e-6 degrees apart) and its own Gi*
(Getis & Ord 1995, eq. for G*_i with binary weights including the area itself), on the IoD 2019 IMD ranks,
and compares the command's z-scores, p-values and FDR classes with them.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm
from shapely.geometry import shape

from conftest import Cli, write_csv

BOROUGHS = {"E09000023": 169, "E09000012": 144}  # Lewisham and Hackney: LSOAs (2011) in the boundary files


def _imd_ranks(shared: Path, borough: str) -> dict[str, int]:
    path = shared / "imd2019-lsoa" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    return {r[0]: int(r[4].replace(",", "")) for r in rows if r[2] == borough}


def _independent_gi_star(features: list[dict], values: dict[str, int]) -> tuple[np.ndarray, list[str]]:
    codes = [f["properties"]["LSOA11CD"] for f in features]
    polygons = [shape(f["geometry"]) for f in features]
    n = len(codes)
    w = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            if polygons[i].distance(polygons[j]) < 1e-6:
                w[i, j] = w[j, i] = 1
    x = np.array([values[c] for c in codes], dtype=float)
    mean, s = x.mean(), np.sqrt((x ** 2).mean() - x.mean() ** 2)
    wi, s1 = w.sum(axis=1), (w ** 2).sum(axis=1)
    z = (w @ x - mean * wi) / (s * np.sqrt((n * s1 - wi ** 2) / (n - 1)))
    return z, codes


def _bh_classes(z: np.ndarray, alpha: float = 0.05) -> list[str]:
    p = 2 * norm.sf(np.abs(z))
    order = np.argsort(p)
    m = len(p)
    passing = [k for k in range(m) if p[order[k]] <= (k + 1) / m * alpha]
    significant = set(order[: max(passing) + 1]) if passing else set()
    return [("hot" if z[i] > 0 else "cold") if i in significant else "none" for i in range(m)]


@pytest.mark.parametrize("borough", list(BOROUGHS))
def test_gi_star_matches_independent_computation(shared_data, tmp_path, borough):
    boundaries = shared_data / "lookups-drkane" / f"boundaries_lsoa11_{borough}.geojson"
    ranks = _imd_ranks(shared_data, borough)
    assert len(ranks) == BOROUGHS[borough]
    values = write_csv(tmp_path / "imd.csv", [{"area": a, "value": v} for a, v in ranks.items()])
    out = Cli(tmp_path / "unused.duckdb").json("insight", "hotspots", "--values", values,
                                                 "--boundaries", boundaries)
    features = json.loads(boundaries.read_text())["features"]
    z, codes = _independent_gi_star(features, ranks)
    got = {a["area"]: a for a in out["areas"]}
    assert set(got) == set(codes) and out["id_property"] == "LSOA11CD"
    assert np.allclose([got[c]["z"] for c in codes], z, atol=1e-9)
    assert np.allclose([got[c]["p"] for c in codes], 2 * norm.sf(np.abs(z)), atol=1e-12)
    assert [got[c]["class"] for c in codes] == _bh_classes(z)
    assert sum(out["summary"].values()) == BOROUGHS[borough]


def test_second_boundary_source_gives_the_same_statistic(shared_data, tmp_path):
    """Lewisham's LSOAs from another conversion of the ONS boundaries (martinjc): same neighbours, same z."""
    ranks = _imd_ranks(shared_data, "E09000023")
    values = write_csv(tmp_path / "imd.csv", [{"area": a, "value": v} for a, v in ranks.items()])
    cli = Cli(tmp_path / "unused.duckdb")
    one = cli.json("insight", "hotspots", "--values", values, "--boundaries",
                   shared_data / "lookups-drkane" / "boundaries_lsoa11_E09000023.geojson")
    other = cli.json("insight", "hotspots", "--values", values, "--boundaries",
                     shared_data / "boundaries-martinjc" / "statistical_eng_lsoa_by_lad_E09000023.json")
    z_one = {a["area"]: a["z"] for a in one["areas"]}
    assert {a["area"]: pytest.approx(z_one[a["area"]], abs=1e-9) for a in other["areas"]} == z_one


def test_topojson_output_areas_decode(shared_data, tmp_path):
    """A TopoJSON file (Lewisham output areas): every OA is read, and shared arcs make neighbours exact."""
    topo = shared_data / "boundaries-martinjc" / "statistical_eng_oa_by_lad_topo_E09000023.json"
    codes = [g["properties"]["OA11CD"] for g in json.loads(topo.read_text())["objects"]["E09000023"]["geometries"]]
    values = write_csv(tmp_path / "v.csv", [{"area": c, "value": i % 7} for i, c in enumerate(codes)])
    out = Cli(tmp_path / "unused.duckdb").json("insight", "hotspots", "--values", values, "--boundaries", topo)
    assert out["id_property"] == "OA11CD" and len(out["areas"]) == 887 and out["islands"] == []


def test_projected_values_side_by_side(shared_data, tmp_path):
    boundaries = shared_data / "lookups-drkane" / "boundaries_lsoa11_E09000023.geojson"
    ranks = _imd_ranks(shared_data, "E09000023")
    cli = Cli(tmp_path / "unused.duckdb")
    now = write_csv(tmp_path / "now.csv", [{"area": a, "value": v} for a, v in ranks.items()])
    later = write_csv(tmp_path / "later.csv", [{"area": a, "value": v + 1000} for a, v in ranks.items()])
    out = cli.json("insight", "hotspots", "--values", now, "--boundaries", boundaries, "--projected", later)
    # Adding a constant moves every value by 1000 and leaves Gi* unchanged (it is centred on the mean).
    assert all(a["change"] == 1000 and abs(a["z_change"]) < 1e-9 and a["class_change"] == "same"
               for a in out["areas"])
    assert out["projected_summary"] == out["summary"]


def test_value_area_missing_from_boundaries_is_refused(shared_data, tmp_path):
    boundaries = shared_data / "lookups-drkane" / "boundaries_lsoa11_E09000023.geojson"
    rows = [{"area": a, "value": v} for a, v in _imd_ranks(shared_data, "E09000023").items()]
    rows.insert(2, {"area": "E01999999", "value": 5})
    values = write_csv(tmp_path / "imd.csv", rows)
    result = Cli(tmp_path / "unused.duckdb")("insight", "hotspots", "--values", values, "--boundaries",
                                             boundaries, "--format", "json", expect=1)
    assert "imd.csv, row 4, column area" in result.stderr and "E01999999" in result.stderr
    assert result.stdout == ""


def test_boundary_file_without_id_property_is_refused(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    boundaries = tmp_path / "b.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "x"}, "geometry": square}]}))
    values = write_csv(tmp_path / "v.csv", [{"area": "A", "value": 1}])
    cli = Cli(tmp_path / "unused.duckdb")
    result = cli("insight", "hotspots", "--values", values, "--boundaries", boundaries, expect=1)
    assert "id-property-missing" in result.stderr and "b.geojson, row 1" in result.stderr
    named = cli("insight", "hotspots", "--values", values, "--boundaries", boundaries, "--id-property", "CODE",
                expect=1)
    assert "Feature 1 has no 'CODE' property" in named.stderr


def test_bad_value_cell_is_named(tmp_path):
    values = tmp_path / "v.csv"
    values.write_text("area,value\nA,1\nB,lots\nC,\n")
    boundaries = tmp_path / "b.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    result = Cli(tmp_path / "unused.duckdb")("insight", "hotspots", "--values", values, "--boundaries",
                                             boundaries, expect=1)
    assert "v.csv, row 3, column value: 'lots' is not a number" in result.stderr
    assert "v.csv, row 4, column value: Area C has no value" in result.stderr


def test_topojson_decoding_agrees_with_gdal(shared_data):
    """Our TopoJSON decoder against GDAL's (through geopandas): the same polygons, to floating-point noise."""
    import geopandas as gpd

    from placespend.domain.problems import Report
    from placespend.ingest.insight.boundaries import read_boundaries

    topo = shared_data / "boundaries-martinjc" / "statistical_eng_oa_by_lad_topo_E09000023.json"
    ours = read_boundaries(topo, Report(topo.name))
    theirs = gpd.read_file(topo).set_index("OA11CD").geometry
    assert ours is not None and len(ours.codes) == len(theirs) == 887
    assert max(g.symmetric_difference(theirs[c]).area for c, g in zip(ours.codes, ours.geometries, strict=True)) \
        < 1e-12
