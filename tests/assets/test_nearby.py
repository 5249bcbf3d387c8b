"""`assets nearby` (DESIGN.md §7): every pair of different owners' assets within the distance, against brute force
over all pairs, and a published geodesic."""

from __future__ import annotations

import random

import pytest
from assets_support import haversine_m
from pyproj import Geod

from placespend.assets.nearby import pairs_within
from placespend.domain.assets import Asset

from conftest import register_row, write_csv

GEOD = Geod(ellps="WGS84")


def _brute_force(points: list[tuple[str, str, float, float]], within: float) -> dict[tuple[str, str], float]:
    """Every pair, measured one by one: the oracle. Keys are ((owner, code), (owner, code)) in sorted order."""
    found = {}
    for i, (owner_a, code_a, lon_a, lat_a) in enumerate(points):
        for owner_b, code_b, lon_b, lat_b in points[i + 1:]:
            if owner_a == owner_b:
                continue
            metres = GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2]
            if metres <= within:
                found[tuple(sorted([(owner_a, code_a), (owner_b, code_b)]))] = metres
    return found


def _scatter(seed: int, owners: int, per_owner: int, spread: float) -> list[tuple[str, str, float, float]]:
    rng = random.Random(seed)
    points = []
    for o in range(owners):
        for k in range(per_owner):
            points.append((f"body{o}", f"S{k:03d}", -2.33 + rng.uniform(-spread, spread),
                           53.42 + rng.uniform(-spread, spread) * 0.6))
    # two owners on exactly the same spot (a shared building), and one asset of the same owner beside it
    points += [("body0", "SAME", -2.30, 53.40), ("body1", "SAME", -2.30, 53.40), ("body1", "NEXT", -2.3001, 53.40)]
    return points


def test_cli_pairs_equal_brute_force_for_three_owners(cli, tmp_path):
    points = _scatter(7, owners=3, per_owner=40, spread=0.03)
    for owner in sorted({p[0] for p in points}):
        rows = [register_row(code, lon, lat) for o, code, lon, lat in points if o == owner] + [register_row("NOPOINT")]
        cli("assets", "import", write_csv(tmp_path / f"{owner}.csv", rows), "--owner", owner)
    out = cli.json("assets", "nearby", "--within", "300")
    expected = _brute_force(points, 300)
    found = {((p["a_owner"], p["a"]), (p["b_owner"], p["b"])): p["metres"] for p in out["pairs"]}
    assert set(found) == set(expected) and len(found) > 20
    for key, metres in found.items():
        assert metres == pytest.approx(expected[key], abs=0.005)
    assert (("body0", "SAME"), ("body1", "SAME")) in found and found[(("body0", "SAME"), ("body1", "SAME"))] == 0
    assert [p["metres"] for p in out["pairs"]] == sorted(p["metres"] for p in out["pairs"])
    assert set(out["pairs"][0]) >= {"a", "a_owner", "b", "b_owner", "metres"}
    assert out["without_coordinates"] == 3


@pytest.mark.parametrize(("seed", "within"), [(1, 50.0), (2, 400.0), (3, 1500.0)])
def test_prefilter_misses_no_pair(seed, within):
    """The ball tree's great-circle prefilter must keep every pair the ellipsoid puts within the distance."""
    points = _scatter(seed, owners=4, per_owner=60, spread=0.08)
    assets = [Asset(owner, code, 0, lon=lon, lat=lat) for owner, code, lon, lat in points]
    found = {tuple(sorted([(p.a.owner, p.a.asset_code), (p.b.owner, p.b.asset_code)])): p.metres
             for p in pairs_within(assets, within)}
    assert set(found) == set(_brute_force(points, within))


def test_published_geodesic_flinders_peak_to_buninyong():
    """Vincenty (1975) and Geoscience Australia's worked example: 54,972.271 m on the GRS80 ellipsoid (which
    differs from WGS84's by 0.1 mm in its minor axis: nothing at this distance)."""
    flinders = Asset("a", "FLINDERS", 0, lon=144 + 25 / 60 + 29.52440 / 3600, lat=-(37 + 57 / 60 + 3.72030 / 3600))
    buninyong = Asset("b", "BUNINYONG", 0, lon=143 + 55 / 60 + 35.38390 / 3600, lat=-(37 + 39 / 60 + 10.15610 / 3600))
    pairs = pairs_within([flinders, buninyong], 55_000)
    assert len(pairs) == 1 and pairs[0].metres == pytest.approx(54_972.271, abs=0.001)
    assert pairs_within([flinders, buninyong], 54_972.0) == []
    assert pairs[0].metres == pytest.approx(haversine_m(flinders.lon, flinders.lat, buninyong.lon, buninyong.lat),
                                            rel=0.006)
