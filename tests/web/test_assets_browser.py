"""The asset map in a real browser: Trafford's real register and an NHS partner's sites on one map of the place,
drawn from this server alone (every other request is blocked and recorded), filtered by service and tenure,
recoloured by running cost per m2, and the list behind a box selection.

Oracles are computed here from the files and from Web Mercator arithmetic, not read back from the page.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from shapely.geometry import mapping
from web_support import BrowserTab, build_workspace, served

from placespend.domain.problems import Report
from placespend.ingest.insight.boundaries import read_boundaries

from conftest import SHARED, Cli, chromium, need_chromium, write_assets_template

pytestmark = pytest.mark.browser
TRAFFORD = SHARED / "data" / "trafford-360giving-and-spend" / "trafford_land_and_building_assets.csv"
NHS = [("N1", -2.3525, 53.3882, 250_000, 2000, "clinic"), ("N2", -2.3205, 53.4268, 90_000, 600, "clinic; School"),
       ("N3", -2.2945, 53.4475, 40_000, 800, "offices")]


def _rows() -> list[dict[str, str]]:
    with TRAFFORD.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _boundary(folder: Path) -> Path:
    lads = read_boundaries(SHARED / "data" / "boundaries-martinjc" / "administrative_eng_topo_lad.json",
                           Report("lad"), "LAD13CD")
    path = folder / "trafford.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"LAD13CD": "E08000009", "LAD13NM": "Trafford"},
        "geometry": mapping(lads.geometries[lads.codes.index("E08000009")])}]}))
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_chromium()
    if not TRAFFORD.exists():
        pytest.skip("../shared/data is absent")
    folder = tmp_path_factory.mktemp("assets-browser")
    cli = Cli(build_workspace(folder))
    cli("import", _boundary(folder))
    cli("assets", "import", TRAFFORD, "--owner", "trafford", "--place", "E08000009")
    rows = [{"asset_code": c, "property_name": f"NHS {c}", "crs": "WGS84", "geo_x": x, "geo_y": y, "running_cost": cost,
             "building_size": size, "services": services, "tenure_detail": "Owner Occupied"}
            for c, x, y, cost, size, services in NHS]
    cli("assets", "import", write_assets_template(folder / "nhs.xlsx", rows), "--owner", "nhs", "--place", "E08000009")
    with served(cli.db) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _offline_tab(browser, base: str) -> tuple[BrowserTab, list[str]]:
    tab = BrowserTab(browser, base)
    outside = tab.block_outside()
    tab.sign_in("viewer")
    return tab, outside


def _table_rows(tab: BrowserTab) -> list[str]:
    return tab.page.eval_on_selector_all("#asset-table tbody tr", "trs => trs.map(tr => tr.dataset.asset)")


def _points(tab: BrowserTab) -> int:
    return tab.page.evaluate("() => document.getElementById('asset-map').data.reduce((n, t) => n + t.lon.length, 0)")


def _choose(tab: BrowserTab, select: str, value: str) -> None:
    """Pick a filter or colouring and wait until the map and the list are redrawn for it."""
    tab.page.select_option(select, value)
    index = {"#colour-by": 0, "#service-filter": 1, "#tenure-filter": 2}[select]
    tab.page.wait_for_function("([i, v]) => (document.getElementById('asset-map').dataset.view || '')"
                               ".split('|')[i] === v", arg=[index, value])


def test_one_map_of_the_place_offline_with_filters_and_colours(server, browser):
    tab, outside = _offline_tab(browser, server)
    tab.page.click("header >> text=Assets")
    tab.page.wait_for_url("**/assets")
    tab.page.goto(server + "/places/E08000009/assets")
    tab.page.wait_for_selector("#asset-map[data-ready=yes]")
    tab.page.wait_for_load_state("networkidle")
    rows = _rows()
    located = [r for r in rows if r["GeoX"].strip()]
    assert tab.page.locator("#asset-map .maplibregl-canvas").count() == 1  # MapLibre, on the blank style
    names = tab.page.evaluate("() => document.getElementById('asset-map').data.map(t => t.name)")
    assert names == ["nhs", "trafford"]
    assert _points(tab) == len(located) + len(NHS)
    assert len(_table_rows(tab)) == len(rows) + len(NHS)
    tab.shot("assets-map-trafford")

    _choose(tab, "#service-filter", "School")
    schools = [r for r in rows if r["OtherDetail"] == "School"]
    assert len(_table_rows(tab)) == len(schools) + 1  # N2 delivers "School" among its services
    assert _points(tab) == len([r for r in schools if r["GeoX"].strip()]) + 1
    _choose(tab, "#service-filter", "")
    _choose(tab, "#tenure-filter", "Vacant")
    assert len(_table_rows(tab)) == len([r for r in rows if r["TenureDetail"] == "Vacant"])
    _choose(tab, "#tenure-filter", "")

    _choose(tab, "#colour-by", "cost")
    traces = tab.page.evaluate("() => document.getElementById('asset-map').data.map(t => "
                               "({name: t.name, n: t.lon.length, scale: !!t.marker.showscale, c: t.marker.color}))")
    priced = next(t for t in traces if t["scale"])
    assert priced["n"] == len(NHS)  # only the NHS reports running costs
    assert sorted(priced["c"]) == sorted(round(cost / size, 2) for _, _, _, cost, size, _ in NHS)
    tab.shot("assets-map-cost-per-m2")
    assert outside == [], outside
    assert not tab.errors, tab.errors


def _lon_lat(px: float, py: float, width: float, height: float, centre: dict, zoom: float) -> tuple[float, float]:
    """Web Mercator by hand: a pixel of a map of this size, centre and zoom (512-pixel tiles) -> lon, lat."""
    world = 512 * 2 ** zoom
    cx = (centre["lon"] + 180) / 360 * world
    cy = (1 - math.log(math.tan(math.pi / 4 + math.radians(centre["lat"]) / 2)) / math.pi) / 2 * world
    wx, wy = cx + px - width / 2, cy + py - height / 2
    return wx / world * 360 - 180, math.degrees(2 * math.atan(math.exp(math.pi * (1 - 2 * wy / world))) - math.pi / 2)


def test_box_selection_lists_the_assets_inside_it(server, browser):
    tab, outside = _offline_tab(browser, server)
    tab.page.goto(server + "/places/E08000009/assets")
    tab.page.wait_for_selector("#asset-map[data-ready=yes]")
    tab.page.evaluate("() => Plotly.relayout('asset-map', {dragmode: 'select'})")
    box = tab.page.locator("#asset-map .maplibregl-canvas").bounding_box()
    view = tab.page.evaluate("() => { const m = document.getElementById('asset-map')._fullLayout.map; "
                             "return {centre: m.center, zoom: m.zoom}; }")
    corners = [(box["width"] * 0.40, box["height"] * 0.30), (box["width"] * 0.62, box["height"] * 0.72)]
    tab.page.mouse.move(box["x"] + corners[0][0], box["y"] + corners[0][1])
    tab.page.mouse.down()
    tab.page.mouse.move(box["x"] + corners[1][0], box["y"] + corners[1][1], steps=12)
    tab.page.mouse.up()
    tab.page.wait_for_selector("#clear-selection:not([hidden])")
    west, north = _lon_lat(*corners[0], box["width"], box["height"], view["centre"], view["zoom"])
    east, south = _lon_lat(*corners[1], box["width"], box["height"], view["centre"], view["zoom"])
    data = json.loads(tab.page.inner_text("#asset-data"))
    inside = sorted(r["asset"] for r in data["rows"] if r["lon"] is not None
                    and west <= r["lon"] <= east and south <= r["lat"] <= north)
    assert len(inside) > 10
    assert sorted(_table_rows(tab)) == inside
    assert "the map selection" in tab.page.inner_text("#asset-count")
    tab.shot("assets-box-selection")
    tab.page.click("#clear-selection")
    tab.page.wait_for_selector("#clear-selection", state="hidden")
    assert len(_table_rows(tab)) == len(data["rows"])
    assert outside == [] and not tab.errors, (outside, tab.errors)
