"""The assets API and pages give the CLI's figures, from the same use cases; importing is for the owner's own
partners only."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from web_support import PASSWORD, build_workspace, sign_in

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import Cli, register_row, write_assets_template, write_csv

PLACE = "E09000023"
SITES = {"lbl": [("L1", -0.0209, 51.4452, 120_000, 1500, "0.4", "library", "2027-03-31"),
                 ("L2", -0.0170, 51.4160, 60_000, 400, "0.9", "library; adult social care", "")],
         "pct": [("P1", -0.0212, 51.4455, 300_000, 2000, "0.3", "clinic", "2026-06-30"),
                 ("P2", -0.0600, 51.4300, 80_000, 800, "", "clinic", "")]}


def _estate(folder: Path) -> Cli:
    """The web tests' partnership workspace with lbl's and the PCT's asset registers in Lewisham."""
    cli = Cli(build_workspace(folder))
    for owner, sites in SITES.items():
        rows = [{"asset_code": c, "property_name": f"{owner} {c}", "crs": "WGS84", "geo_x": x, "geo_y": y,
                 "running_cost": cost, "building_size": size, "utilisation": use, "services": services,
                 "lease_end": end} for c, x, y, cost, size, use, services, end in sites]
        cli("assets", "import", write_assets_template(folder / f"{owner}.xlsx", rows), "--owner", owner,
            "--place", PLACE)
    return cli


def test_api_gives_the_cli_figures(tmp_path):
    """The CLI's JSON first (a CLI cannot open the workspace a running app holds), then the API's."""
    cli = _estate(tmp_path)
    questions = {
        f"/api/assets?place={PLACE}": ["assets", "list", "--place", PLACE],
        "/api/assets/nearby?within=500": ["assets", "nearby", "--within", "500"],
        f"/api/assets/under-used?below=0.5&place={PLACE}": ["assets", "underused", "--below", "0.5", "--place", PLACE],
        "/api/assets/leases?years=2&on=2026-01-01": ["assets", "leases", "--years", "2", "--on", "2026-01-01"],
        "/api/assets/benchmark": ["assets", "benchmark"],
        f"/api/assets/capital?place={PLACE}&year=2008-09": ["assets", "capital", "--place", PLACE, "--year",
                                                            "2008-09"],
        "/api/assets/registers": ["assets", "history"],
    }
    expected = {api: cli.json(*args) for api, args in questions.items()}
    scenario = cli.json("assets", "scenario", "--close", "lbl:L2", "--share", "P1", "--start-year", "2027-28",
                        "--place", PLACE)
    app = create_app(open_workspace(cli.db))
    try:
        session = sign_in(app, "viewer")
        for api, answer in expected.items():
            response = session.get(api)
            assert response.status_code == 200, (api, response.text)
            assert response.json() == answer, api
        assert expected["/api/assets/nearby?within=500"]["pairs"][0]["a"] == "L1"  # L1 and P1: about 40 m apart
        posted = session.client.post("/api/assets/scenario", json={"place": PLACE, "close": ["lbl:L2"],
                                                                   "share": ["P1"], "start_year": 2027},
                                     headers={"X-CSRF-Token": session.csrf})
        assert posted.status_code == 200, posted.text
        assert posted.json() == scenario
        entries = session.client.post("/api/assets/scenario?format=csv", json={"close": ["lbl:L2"],
                                                                               "start_year": 2027},
                                      headers={"X-CSRF-Token": session.csrf})
        assert entries.text.splitlines()[0].startswith("id,description,agency,low,central,high")
        assert "assets-close-lbl-l2" in entries.text and ",45000.00," in entries.text
        page = session.get(f"/places/{PLACE}/assets?within=500")
        assert page.status_code == 200 and 'href="/assets"' in page.text
        capital = expected[f"/api/assets/capital?place={PLACE}&year=2008-09"]
        assert capital["total"] == 1400  # build_workspace: lbl's GBP 1,000 and the PCT's GBP 400 of capital
        assert "£1,400.00 of capital counted in 2008-09" in page.text
        data = json.loads(page.text.split('id="asset-data">', 1)[1].split("</script>", 1)[0])
        assert data["rows"] == expected[f"/api/assets?place={PLACE}"]["assets"]
        assert data["layout"]["map"]["style"] == "white-bg"
        assert all("source" not in layer or isinstance(layer["source"], dict) for layer in data["layout"]["map"]
                   ["layers"])  # inline GeoJSON, never a URL
    finally:
        app.state.workspace.close()


def test_a_partner_imports_only_its_own_register(tmp_path):
    db = build_workspace(tmp_path)
    app = create_app(open_workspace(db))
    try:
        partner = accounts.authenticate(app.state.workspace, "partner", PASSWORD)
        token = accounts.new_api_token(app.state.workspace, partner, "test")
        client = TestClient(app)
        headers = {"Authorization": f"Bearer {token}"}
        body = write_csv(tmp_path / "r.csv", [register_row("X1", -0.02, 51.44)]).read_bytes()
        refused = client.post("/api/assets/registers", headers=headers, data={"owner": "pct"},
                              files={"file": ("r.csv", body)})
        assert refused.status_code == 403
        loaded = client.post("/api/assets/registers", headers=headers, data={"place": PLACE},
                             files={"file": ("r.csv", body)})
        assert loaded.status_code == 200 and loaded.json()["owner"] == "lbl" and loaded.json()["outcome"] == "loaded"
        bad = client.post("/api/assets/registers", headers=headers,
                          files={"file": ("bad.csv", write_csv(tmp_path / "b.csv", [register_row("X2", "east", 51.4)])
                                          .read_bytes())})
        assert bad.status_code == 422
        assert [(e["slug"], e["row"], e["column"]) for e in bad.json()["errors"]] == [("coordinate-not-number", 2,
                                                                                        "GeoX")]
        assert [r["register_id"] for r in client.get("/api/assets/registers", headers=headers).json()] == [1]
    finally:
        app.state.workspace.close()
