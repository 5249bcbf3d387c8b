"""Area profiles (seed 000 §5.3 "profiles of small areas") on a tiny synthetic place: four LSOAs in two wards,
checked against arithmetic done here; exports; the choropleth; the API giving what the CLI gives; and bad
files refused at their row and column with nothing loaded."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from placespend.app import area_insight
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import Cli, line, write_csv

PLACE = "E09000023"
LSOAS = ["E01000001", "E01000002", "E01000003", "E01000004"]
WARD_OF = {"E01000001": "E05000001", "E01000002": "E05000001", "E01000003": "E05000002", "E01000004": "E05000002"}
PEOPLE = [100, 200, 300, 400]
CLIENTS = [1, 1, 3, 5]           # service users: the driver of the social protection spend (COFOG 10)
DOMAINS = ("income", "employment", "education", "health", "crime", "barriers", "living_environment")
INCOME_RANK = [100, 30000, 200, 25000]


def _statistics(folder: Path) -> Path:
    rows = []
    for i, code in enumerate(LSOAS):
        children, older = PEOPLE[i] // 4 * (i % 2 + 1), PEOPLE[i] // 10 * (i + 1)
        rows += [{"area": code, "period": "2019", "indicator": "population", "value": PEOPLE[i]},
                 {"area": code, "period": "2019", "indicator": "population_0_15", "value": children},
                 {"area": code, "period": "2019", "indicator": "population_65_plus", "value": older}]
        for j, domain in enumerate(DOMAINS):
            rank = INCOME_RANK[i] if domain == "income" else 1000 * (j + 1) + 7000 * i
            rows.append({"area": code, "period": "2019", "indicator": f"imd_{domain}_rank", "value": rank})
            rows.append({"area": code, "period": "2019", "indicator": f"imd_{domain}_decile",
                         "value": rank * 10 // 32845 + 1})
    return write_csv(folder / "stats.csv", rows)


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    folder = tmp_path_factory.mktemp("areas")
    cli = Cli(folder / "areas.duckdb")
    lookups = [{"relation": "lsoa_lad", "child": c, "parent": PLACE, "vintage": "2019"} for c in LSOAS]
    lookups += [{"relation": "lsoa_ward", "child": c, "child_name": f"L{c[-1]}", "parent": w,
                 "parent_name": f"Ward {w[-1]}", "vintage": "2019"} for c, w in WARD_OF.items()]
    cli("import", write_csv(folder / "lookups.csv", lookups), _statistics(folder),
        write_csv(folder / "clients_2019.csv", [{"area": c, "indicator": "clients", "value": n}
                                                for c, n in zip(LSOAS, CLIENTS, strict=True)]))
    cli("ingest", write_csv(folder / "lbl.csv", [line(amount="8000.00", cofog="10.2"),
                                                 line(amount="1000.00", cofog="07.1")]))
    (folder / "drivers.csv").write_text("cofog,indicator,weight,explanation\n10,clients,1,service users\n"
                                        "*,population,1,residents\n", encoding="utf-8")
    cli("insight", "segments", "--place", PLACE, "--k", "2", "--seed", "3", "--runs", "2")
    return cli, folder


def _profile(cli: Cli, folder: Path, *extra: str):
    return cli.json("insight", "profile", "--place", PLACE, "--year", "2008-09", "--drivers",
                    str(folder / "drivers.csv"), *extra)


def test_lsoa_profiles_match_arithmetic(place):
    cli, folder = place
    rows = {r["area"]: r for r in _profile(cli, folder)["rows"]}
    assert [rows[c]["population"] for c in LSOAS] == PEOPLE
    for i, code in enumerate(LSOAS):
        social = Decimal(8000) * CLIENTS[i] / sum(CLIENTS)        # 800, 800, 2400, 4000
        health = Decimal(1000) * PEOPLE[i] / sum(PEOPLE)           # 100, 200, 300, 400
        assert Decimal(str(rows[code]["spend"])) == social + health
        assert Decimal(str(rows[code]["spend_per_head_10"])) == (social / PEOPLE[i]).quantize(Decimal("0.01"))
        assert Decimal(str(rows[code]["spend_per_head_07"])) == Decimal("1.00")
        assert rows[code]["imd_income_rank"] == INCOME_RANK[i]
        assert rows[code]["segment"] in {"1", "2"}


def test_ward_profiles_sum_their_lsoas(place):
    cli, folder = place
    wards = {r["area"]: r for r in _profile(cli, folder, "--level", "ward")["rows"]}
    assert wards["E05000001"]["population"] == 300 and wards["E05000002"]["population"] == 700
    assert Decimal(str(wards["E05000001"]["spend"])) == Decimal(800 + 100 + 800 + 200)
    assert Decimal(str(wards["E05000002"]["spend"])) == Decimal(2400 + 300 + 4000 + 400)
    # population-weighted mean income decile: (100 x 1 + 200 x 10) / 300 = 7.00
    assert Decimal(str(wards["E05000001"]["imd_income_mean_decile"])) == Decimal("7.00")


def test_one_area_ranks_against_its_peers(place):
    cli, folder = place
    out = _profile(cli, folder, "--area", "E01000003")
    assert out["peers"] == 4
    assert out["ranks"]["population"] == {"rank": 2, "of": 4}          # 300: only 400 is higher
    assert out["ranks"]["imd_income_rank"] == {"rank": 2, "of": 4}     # rank 200: only 100 is more deprived
    # per head 900/100, 1000/200, 2700/300, 4400/400 = 9, 5, 9, 11: only 11 is higher, the tie shares 2nd
    assert out["profile"]["spend_per_head"] == 9
    assert out["ranks"]["spend_per_head"] == {"rank": 2, "of": 4}


def test_profiles_export_as_csv_and_xlsx(place, tmp_path):
    cli, _ = place
    cli("insight", "profile", "--place", PLACE, "--export", tmp_path / "p.csv")
    cli("insight", "profile", "--place", PLACE, "--export", tmp_path / "p.xlsx")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "p.csv").read_text(encoding="utf-8"))))
    assert [r["area"] for r in rows] == LSOAS and [int(r["population"]) for r in rows] == PEOPLE
    sheet = load_workbook(tmp_path / "p.xlsx").active
    assert sheet.max_row == 5 and [c.value for c in sheet[1]][:3] == ["area", "name", "level"]


def test_segments_reproducible_through_the_cli(place):
    cli, _ = place
    first = cli.json("insight", "segments", "--place", PLACE, "--k", "2", "--seed", "3", "--runs", "2")
    again = cli.json("insight", "segments", "--place", PLACE, "--k", "2", "--seed", "3", "--runs", "2")
    assert first["assignments"] == again["assignments"] and first["run_id"] + 1 == again["run_id"]
    assert sum(s["areas"] for s in first["segments"]) == 4
    assert sum(s["population"] for s in first["segments"]) == sum(PEOPLE)
    assert first["figure"]["data"][0]["type"] == "heatmap"
    assert {i["feature"]: i["sources"][0]["vintage"] for i in first["indicators"]}["income"] == "2019"


def test_the_whole_country_is_segmented_against_the_england_average(place):
    """Without --place every English LSOA known is segmented (here the four of the only place imported); the
    same LSOAs and seed give the same segments as the place's run, profiled against England's average."""
    cli, _ = place
    country = cli.json("insight", "segments", "--k", "2", "--seed", "3", "--runs", "0")
    local = cli.json("insight", "segments", "--place", PLACE, "--k", "2", "--seed", "3", "--runs", "0")
    assert country["place"] == "england" and country["areas"] == 4
    assert country["assignments"] == local["assignments"]
    assert all("England average" in w for s in country["segments"] for w in s["words"])
    assert "Spend is mapped for one place at a time" in " ".join(
        cli.json("insight", "segments", "--k", "2", "--runs", "0", "--year", "2008-09")["notes"])


def test_spend_per_segment(place):
    cli, folder = place
    out = cli.json("insight", "segments", "--place", PLACE, "--k", "2", "--seed", "3", "--runs", "0",
                   "--year", "2008-09", "--drivers", str(folder / "drivers.csv"))
    spend = {"E01000001": 900, "E01000002": 1000, "E01000003": 2700, "E01000004": 4400}
    for segment in out["segments"]:
        members = [a["area"] for a in out["assignments"] if a["segment"] == segment["segment"]]
        amount = sum(spend[m] for m in members)
        people = sum(PEOPLE[LSOAS.index(m)] for m in members)
        assert segment["amount"] == amount
        assert Decimal(str(segment["per_head"])) == (Decimal(amount) / people).quantize(Decimal("0.01"))


def test_api_gives_what_the_cli_gives(place):
    cli, _ = place
    segments_cli = cli.json("insight", "segments", "--place", PLACE, "--k", "2", "--seed", "4", "--runs", "1")
    from_cli = cli.json("insight", "profile", "--place", PLACE, "--area", "E01000002", "--year", "2008-09")
    app = create_app(open_workspace(cli.db), public=True)
    try:
        client = TestClient(app)
        from_api = client.get(f"/api/insight/places/{PLACE}/profiles/E01000002?year=2008-09").json()
        segments_api = client.get(f"/api/insight/segments?place={PLACE}&k=2&seed=4&runs=1").json()
        table = client.get(f"/api/insight/places/{PLACE}/profiles?format=csv").text
        figure = client.get(f"/api/insight/places/{PLACE}/map?column=population").json()
        bad = client.get(f"/api/insight/places/{PLACE}/profiles?level=county")
    finally:
        app.state.workspace.close()
    assert from_api == from_cli
    assert segments_api == {k: v for k, v in segments_cli.items() if k != "run_id"}
    assert len(table.strip().splitlines()) == 5
    assert figure["drawn"] == 0 and "4 of 4 areas have no boundary" in figure["notes"][0]
    assert bad.status_code == 400 and "level must be one of" in bad.json()["error"]["message"]


def _stats_rows(cli: Cli) -> int:
    with open_workspace(cli.db).read() as con:
        return con.con.execute("SELECT count(*) FROM place_statistics").fetchone()[0]


@pytest.mark.parametrize(("text", "name", "where"), [
    ("area,indicator,value\nE01000001,clients,4\nE01000002,clients,four\n", "c_2019.csv", "row 3, column value"),
    ("area,indicator,value\nE01000001,clients,4\nnot-a-code,clients,4\n", "c_2019.csv", "row 3, column area"),
    ("area,indicator,value\nE01000001,clients,4\n", "clients.csv", "vintage"),
    ("area,segment\nE00000001,A\nE00000001,B\n", "mine.csv", "row 3, column area"),
    ("oa_code,supgrpcode,supgrpname,grpcode,grpname,subgrpcode,subgrpname\nE00000001,,x,1a,y,1a1,z\n",
     "oac.csv", "row 2, column supgrpcode"),
])
def test_malformed_files_are_refused_whole(place, tmp_path, text, name, where):
    cli, _ = place
    before = _stats_rows(cli)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = cli("import", path, expect=None)
    assert result.exit_code != 0 and "rejected" in result.output and where in result.output
    assert _stats_rows(cli) == before
    assert json.loads(cli("insight", "classifications", "--format", "json").stdout) == []


def test_an_output_area_classification_reaches_lsoas_by_majority(tmp_path):
    """OAC classifies output areas; with an OA -> LSOA lookup each LSOA takes the segment most of its OAs have."""
    cli = Cli(tmp_path / "oa.duckdb")
    lookups = [{"relation": "lsoa_lad", "child": c, "parent": PLACE, "vintage": "2019"} for c in LSOAS]
    oas = {f"E0000000{i}": LSOAS[i // 2] for i in range(8)}   # two OAs per LSOA
    lookups += [{"relation": "oa_lsoa", "child": oa, "parent": lsoa, "vintage": "2011"} for oa, lsoa in oas.items()]
    segment = {"E00000000": "A", "E00000001": "A", "E00000002": "B", "E00000003": "A", "E00000004": "B",
               "E00000005": "B", "E00000006": "B", "E00000007": "B"}
    cli("import", write_csv(tmp_path / "lookups.csv", lookups), _statistics(tmp_path),
        write_csv(tmp_path / "mine.csv", [{"area": oa, "segment": s, "segment_name": f"Group {s}"}
                                          for oa, s in segment.items()]))
    out = cli.json("insight", "segments", "--place", PLACE, "--classification", "mine")
    # LSOA 1: A, A -> A; LSOA 2: B, A -> tie, the first segment code (A); LSOAs 3 and 4: B, B -> B
    assert {a["area"]: a["segment"] for a in out["assignments"]} == dict(zip(LSOAS, "AABB", strict=True))
    assert out["method"] == "classification:mine" and out["stability"] is None
    assert [(s["segment"], s["name"], s["areas"]) for s in out["segments"]] == [("A", "Group A", 2),
                                                                                 ("B", "Group B", 2)]


def test_an_unknown_place_is_refused_by_name_when_no_place_is_defined(tmp_path):
    """A workspace of area statistics only has no places to suggest: the refusal still names the place."""
    cli = Cli(tmp_path / "areas-only.duckdb")
    cli("import", _statistics(tmp_path))
    result = cli("insight", "profile", "--place", "nowhere", expect=2)
    assert "Unknown place 'nowhere'" in result.output and "Traceback" not in result.output


def test_the_insight_page_shows_a_new_segments_run_at_once(place):
    """The page keeps its figures per workspace version: a run stored while it is served shows on the next view."""
    cli, _ = place
    app = create_app(open_workspace(cli.db), public=True)
    try:
        client, ws = TestClient(app), app.state.workspace
        before = client.get(f"/insight?place={PLACE}").text
        result = area_insight.segment_place(ws, PLACE, k=2, seed=3, runs=1)
        result["assignments"] = [{**a, "segment": "1"} for a in result["assignments"]]
        area_insight.save_segments(ws, result)
        after = client.get(f"/insight?place={PLACE}").text
    finally:
        app.state.workspace.close()
    cells = 'data-column="segment">{}</td>'
    assert before.count(cells.format("2")) > 0
    assert after.count(cells.format("2")) == 0 and after.count(cells.format("1")) == len(LSOAS)
