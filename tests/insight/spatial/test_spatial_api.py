"""The spatial insight routes answer what the CLI prints, from uploaded files, through the real app."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import Cli, line, write_csv

PASSWORD = "correct horse battery"


@pytest.fixture
def client(tmp_path):
    db = tmp_path / "api.duckdb"
    Cli(db)("ingest", write_csv(tmp_path / "lbl.csv", [line()]))  # a workspace exists once something is in it
    ws = open_workspace(db)
    accounts.add_user(ws, "analyst", PASSWORD, "analyst")
    token = accounts.new_api_token(ws, accounts.authenticate(ws, "analyst", PASSWORD), "test")
    application = create_app(ws)
    yield TestClient(application, headers={"Authorization": f"Bearer {token}"})
    ws.close()


def test_hotspots_route_matches_the_command(client, shared_data, tmp_path):
    boundaries = shared_data / "lookups-drkane" / "boundaries_lsoa11_E09000023.geojson"
    codes = [f["properties"]["LSOA11CD"] for f in json.loads(boundaries.read_text())["features"]]
    values = write_csv(tmp_path / "v.csv", [{"area": a, "value": i % 11} for i, a in enumerate(codes)])
    expected = Cli(tmp_path / "unused.duckdb").json("insight", "hotspots", "--values", values,
                                                     "--boundaries", boundaries)
    response = client.post("/api/insight/hotspots", files={"values": ("v.csv", values.read_bytes()),
                                                           "boundaries": ("b.geojson", boundaries.read_bytes())})
    assert response.status_code == 200, response.text
    assert response.json() == expected


def test_hotspots_route_reports_problems_with_the_uploaded_name(client, tmp_path):
    response = client.post("/api/insight/hotspots", files={
        "values": ("mine.csv", b"area,value\nA,x\n"),
        "boundaries": ("b.geojson", b'{"type": "FeatureCollection", "features": []}')})
    assert response.status_code == 422
    errors = [e for r in response.json()["reports"] for e in r["errors"]]
    assert {"file": "mine.csv", "row": 2, "column": "value"}.items() <= errors[0].items()


def test_access_points_route_matches_the_command(client, tmp_path):
    features = [{"type": "Feature", "properties": {"AREACD": f"A{i}"}, "geometry": {"type": "Polygon", "coordinates": [[
        [i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]]}} for i in range(4)]
    boundaries = tmp_path / "b.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    demand = write_csv(tmp_path / "d.csv", [{"area": f"A{i}", "value": 10 * (i + 1)} for i in range(4)])
    sites = write_csv(tmp_path / "s.csv", [{"site": "west", "lon": 0.5, "lat": 0.5},
                                           {"site": "east", "lon": 3.5, "lat": 0.5}])
    expected = Cli(tmp_path / "unused.duckdb").json("insight", "access-points", "--demand", demand, "--boundaries",
                                                     boundaries, "--sites", sites, "--count", "1")
    response = client.post("/api/insight/access-points", data={"count": "1"}, files={
        "demand": ("d.csv", demand.read_bytes()), "boundaries": ("b.geojson", boundaries.read_bytes()),
        "sites": ("s.csv", sites.read_bytes())})
    assert response.status_code == 200, response.text
    # Demand 10, 20, 30, 40 from west to east: one site goes east (weighted distance 10*3+20*2+30*1 < 20+60+120).
    assert response.json() == expected and expected["sites"][0]["site"] == "east"


def test_surveys_route_matches_the_command(client, tmp_path):
    survey = write_csv(tmp_path / "s.csv", [{"respondent_id": f"r{i}", "segment": "AB"[i % 2], "weight": 1 + i % 3,
                                             "overall": 1 + i % 5} for i in range(12)])
    expected = Cli(tmp_path / "unused.duckdb").json("insight", "surveys", survey)
    response = client.post("/api/insight/surveys", files={"file": ("s.csv", survey.read_bytes())})
    assert response.status_code == 200, response.text
    assert response.json() == expected and expected["respondents"] == 12


@pytest.mark.parametrize("asked", ["1", "9"])
def test_surveys_route_refuses_a_threshold_below_the_default(client, tmp_path, asked):
    """Threshold 1 would publish segments of 6 respondents: refused with a plain message, no result."""
    survey = write_csv(tmp_path / "s.csv", [{"respondent_id": f"r{i}", "segment": "AB"[i % 2], "weight": 1,
                                             "overall": 1 + i % 5} for i in range(12)])
    response = client.post("/api/insight/surveys", data={"threshold": asked},
                           files={"file": ("s.csv", survey.read_bytes())})
    assert response.status_code == 400, response.text
    assert response.json() == {"error": {"status": 400, "message": (
        f"The disclosure threshold cannot be lower than 10: counts of 1 to 9 people are never published (asked for "
        f"{asked}). A higher threshold may be asked for.")}}
    raised = client.post("/api/insight/surveys", data={"threshold": "12"},
                         files={"file": ("s.csv", survey.read_bytes())})
    assert raised.status_code == 200 and raised.json()["threshold"] == 12
    assert [r["n"] for r in raised.json()["questions"][0]["by"]["segment"]] == [12, None, None]
