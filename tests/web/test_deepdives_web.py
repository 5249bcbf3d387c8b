"""Deep dives in the web app: every example input uploaded through the real app, its figures equal to what the
command the page prints (`placespend deepdive ... --format json`) gives for the same file, bad uploads and bad
edits refused with their row and column and nothing stored, edits and parameters kept as versions with who made
them, and the partner rule (a partner changes only its own organisation's inputs).
"""

from __future__ import annotations

import json
import re
import shlex
from decimal import Decimal
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from web_support import build_themed_workspace, sign_in

from placespend.app.workspace import open_workspace
from placespend.deepdive.examples import example_path
from placespend.report.money import pounds
from placespend.web.app import create_app

from conftest import Cli

# (kind, example file, extra form fields): unit costs come first, journeys are costed from them.
EXAMPLES = [("deflators", "deflators_example.csv", {}), ("unit_costs", "unit_costs_example.csv", {}),
            ("rules", "theme_rules_example.csv", {}), ("savings", "savings_example.csv", {}),
            ("cba", "leicester_alcohol_cba.csv", {}), ("cba", "brighter_futures_cba.csv", {}),
            ("segments", "peterborough_segments.csv", {"moves": "chaotic>barely coping:30"}),
            ("journeys", "bresha_journey.csv", {"unit_costs": "COSTS"}),
            ("journeys", "derbyshire_journey.csv", {"unit_costs": "COSTS"})]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app(open_workspace(build_themed_workspace(tmp_path_factory.mktemp("deepdives"))))
    yield application
    application.state.workspace.close()


def _upload(session, kind: str, file_name: str, content: bytes, **form: str):
    return session.client.post("/deepdives/inputs", data={"csrf_token": session.csrf, "kind": kind, **form},
                               files={"file": (file_name, content)}, follow_redirects=False)


def _cli_json(db: Path, command: str, folder: Path) -> object:
    """Run the command the page prints, its file names read from `folder` (where the same files are)."""
    args = shlex.split(unescape(command))
    assert args[0] == "placespend" and args[-2:] == ["--format", "json"]
    args = [str(folder / a) if (folder / a).is_file() else a for a in args[1:-2]]
    return Cli(db).json(*args)


def _command(html: str) -> str:
    return re.search(r'<code id="cli-command">([^<]+)</code>', html).group(1)


def _input_id(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rsplit("/", 1)[1])


@pytest.fixture(scope="module")
def uploaded(app):
    """Every example uploaded as an analyst would, through the upload form: kind -> [input ids]."""
    session = sign_in(app, "analyst")
    ids: dict[str, list[int]] = {}
    for kind, name, form in EXAMPLES:
        form = {k: (str(ids["unit_costs"][0]) if v == "COSTS" else v) for k, v in form.items()}
        ids.setdefault(kind, []).append(_input_id(_upload(session, kind, name, example_path(name).read_bytes(),
                                                          **form)))
    return ids


def test_every_example_equals_the_cli_json(app, uploaded, tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    for _, name, _ in EXAMPLES:
        (folder / name).write_bytes(example_path(name).read_bytes())
    session = sign_in(app, "viewer")
    checked = 0
    for kind, ids in uploaded.items():
        for input_id in ids:
            page = session.get(f"/deepdives/inputs/{input_id}")
            assert page.status_code == 200
            shown = session.get(f"/api/deepdives/inputs/{input_id}").json()
            if kind in ("deflators", "rules"):  # no command of their own: the page lists what the file holds
                assert 'id="cli-command"' not in page.text
                continue
            assert shown == _cli_json(app.state.workspace.path, _command(page.text), folder), kind
            checked += 1
    assert checked == 7


def test_the_savings_page_shows_the_cli_figures_and_marks_them_on_the_chart(app, uploaded):
    input_id = uploaded["savings"][0]
    page = sign_in(app, "viewer").get(f"/deepdives/inputs/{input_id}").text
    cli = Cli(app.state.workspace.path).json("deepdive", "savings", example_path("savings_example.csv"))
    total = cli["total"]
    for key in ("central", "p10", "p50", "p90", "mean", "all_at_worst", "all_at_best"):
        cell = re.search(rf'data-key="{key}">([^<]+)<', page).group(1)
        assert cell == pounds(Decimal(str(total[key]))), key
    figures = json.loads(re.search(r'<script type="application/json" id="figures">(.*?)</script>', page,
                                   re.S).group(1).replace("<\\/", "</"))
    lines = [shape["x0"] for shape in figures["distribution"]["layout"]["shapes"]]
    assert lines == [total[k] for k in ("p10", "p50", "p90", "central", "all_at_worst", "all_at_best")]
    # The cumulative share reaches 10% at P10 and 90% at P90 (it is read from the same draws).
    cdf = figures["distribution"]["data"][1]
    assert cdf["x"][10] == pytest.approx(total["p10"], abs=0.01) and cdf["x"][90] == pytest.approx(total["p90"],
                                                                                                    abs=0.01)
    # The histogram holds every draw: its shares add up to 1.
    assert sum(figures["distribution"]["data"][0]["y"]) == pytest.approx(1.0)


def test_journey_timeline_bars_add_up_to_the_stage_and_agency_totals(app, uploaded):
    session = sign_in(app, "viewer")
    input_id = uploaded["journeys"][0]
    journey = session.get(f"/api/deepdives/inputs/{input_id}").json()["journeys"][0]
    assert journey["total"] == 56890  # Family Bresha, seed 004
    page = session.get(f"/deepdives/inputs/{input_id}").text
    figure = json.loads(re.search(r'id="figures">(.*?)</script>', page, re.S).group(1))["journey-0"]
    stages = [s["stage"] for s in journey["stages"]]
    for trace in figure["data"]:
        assert trace["x"] == stages
        assert sum(trace["y"]) == pytest.approx(journey["by_agency"][trace["name"]])
    for index, stage in enumerate(journey["stages"]):
        assert sum(t["y"][index] for t in figure["data"]) == pytest.approx(stage["cost"])


def test_cba_shows_who_invests_and_who_benefits_by_partner_and_year(app, uploaded):
    session = sign_in(app, "viewer")
    input_id = uploaded["cba"][0]  # Leicester: council and NHS invest in year 0; NHS, police, council benefit
    cba = session.get(f"/api/deepdives/inputs/{input_id}").json()
    cells = {(r["agency"], r["year"]): r for r in cba["by_agency_year"]}
    assert cells[("Leicestershire County Council", 0)]["pv_investment"] == 2_000_000
    # Year 3 at 3.5%: 400,000 / 1.035^3.
    assert cells[("Leicestershire Police", 3)]["pv_benefit"] == pytest.approx(400_000 / 1.035 ** 3, abs=0.01)
    for agency in cba["agencies"]:
        rows = [r for r in cba["by_agency_year"] if r["agency"] == agency["agency"]]
        assert sum(r["pv_benefit"] for r in rows) == pytest.approx(agency["pv_benefit"], abs=0.02)
    page = session.get(f"/deepdives/inputs/{input_id}").text
    assert 'id="chart-who-pays"' in page and 'id="chart-distribution"' in page
    assert re.search(r'data-key="npv.p10">([^<]+)<', page).group(1) == pounds(
        Decimal(str(cba["monte_carlo"]["npv"]["p10"])))


def _versions(app) -> int:
    with app.state.workspace.read() as con:
        return con.con.execute("SELECT count(*) FROM deepdive_input_versions").fetchone()[0]


@pytest.mark.parametrize(("kind", "content", "row", "column"), [
    ("savings", b"id,agency,low,central,high,start_year\nS1,Council,1,2,3,2010-11\nS2,Council,1,lots,3,2010-11\n",
     3, "central"),
    ("savings", b"id,agency,low,central,high,start_year\nS1,Council,5,2,3,2010-11\n", 2, "low"),
    ("cba", b"year,agency,kind,amount\n0,Council,investment,100\n1,NHS,gift,50\n", 3, "kind"),
    ("journeys", b"journey,step,stage,agency,activity,unit_cost_code\nJ,1,start,NHS,visit,NOPE\n", 2,
     "unit_cost_code"),
    ("segments", b"segment,unit_cost,count\ncoping,643,-5\n", 2, "count"),
])
def test_a_bad_upload_is_refused_naming_row_and_column_and_nothing_is_stored(app, uploaded, kind, content, row,
                                                                              column):
    session = sign_in(app, "analyst")
    before = _versions(app)
    response = _upload(session, kind, f"bad-{kind}.csv", content)
    assert response.status_code == 422
    assert "was not stored" in response.text
    assert re.search(rf'<tr class="error" data-row="{row}" data-column="{column}">', response.text), response.text
    assert _versions(app) == before
    api = session.client.post("/api/deepdives/inputs", data={"kind": kind}, files={"file": ("bad.csv", content)},
                              headers={"X-CSRF-Token": session.csrf})
    assert api.status_code == 422
    assert any(e["row"] == row and e["column"] == column for p in api.json()["problems"] for e in p["errors"])
    assert _versions(app) == before


def test_an_upload_names_an_unknown_place_and_stores_nothing(app, uploaded):
    session = sign_in(app, "analyst")
    before = _versions(app)
    response = _upload(session, "savings", "s.csv", example_path("savings_example.csv").read_bytes(), place="E0999")
    assert response.status_code == 422 and "Unknown place" in response.text
    assert _versions(app) == before


def _grid_form(page: str) -> dict[str, str]:
    return {m.group(1): unescape(m.group(2)) for m in re.finditer(r'<input name="(c-[^"]+)" value="([^"]*)"', page)}


def _column(page: str, heading: str) -> int:
    headings = re.findall(r'<th scope="col">([^<]+)</th>', page.split('class="grid"')[1].split("</thead>")[0])
    return headings.index(heading)


def test_editing_a_row_stores_a_version_and_changes_the_range(app):
    session = sign_in(app, "analyst")
    input_id = _input_id(_upload(session, "savings", "register.csv", example_path("savings_example.csv").read_bytes(),
                                 name="edit me"))
    before = session.get(f"/api/deepdives/inputs/{input_id}").json()
    editor = session.get(f"/deepdives/inputs/{input_id}/edit").text
    form = _grid_form(editor)
    central = _column(editor, "central")
    assert form[f"c-3-{central}"] == "120000"  # S2, the single visiting team: GBP 120,000 a year (seed 001)
    form[f"c-3-{central}"] = "130000"
    response = session.client.post(f"/deepdives/inputs/{input_id}/rows", data={"csrf_token": session.csrf, **form},
                                   headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/deepdives/inputs/{input_id}"
    after = session.get(f"/api/deepdives/inputs/{input_id}").json()
    # S2 recurs from 2010-11 over the five-year horizon: central total up by 5 x 10,000.
    assert after["total"]["central"] == before["total"]["central"] + 50_000
    assert after["total"]["p90"] != before["total"]["p90"]
    versions = session.get(f"/api/deepdives/inputs/{input_id}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["made_by"] == "analyst" and versions[0]["action"] == "edit"
    assert versions[0]["detail"] == "row 3 central: 120000 → 130000"
    # The first version still reads as it was.
    assert session.get(f"/api/deepdives/inputs/{input_id}?version=1").json() == before


def test_a_bad_edit_is_refused_at_its_cell_and_nothing_is_stored(app):
    session = sign_in(app, "analyst")
    input_id = _input_id(_upload(session, "savings", "register.csv", example_path("savings_example.csv").read_bytes(),
                                 name="bad edit"))
    editor = session.get(f"/deepdives/inputs/{input_id}/edit").text
    form = _grid_form(editor)
    low = _column(editor, "low")
    form[f"c-4-{low}"] = "a lot"
    before = _versions(app)
    response = session.client.post(f"/deepdives/inputs/{input_id}/rows", data={"csrf_token": session.csrf, **form},
                                   headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert 'data-row="4" data-column="low"' in response.text and 'aria-invalid="true"' in response.text
    assert 'value="a lot"' in response.text  # the user's edit is kept in the form to fix
    assert _versions(app) == before
    plain = session.post(f"/deepdives/inputs/{input_id}/rows", data=form)  # without htmx: the page, 422
    assert plain.status_code == 422 and _versions(app) == before


def test_adding_and_deleting_rows(app):
    session = sign_in(app, "analyst")
    input_id = _input_id(_upload(session, "savings", "register.csv", example_path("savings_example.csv").read_bytes(),
                                 name="add and delete"))
    editor = session.get(f"/deepdives/inputs/{input_id}/edit").text
    form = _grid_form(editor)
    for heading, value in (("id", "S9"), ("agency", "Police"), ("central", "1000"), ("start_year", "2010-11")):
        form[f"c-new-{_column(editor, heading)}"] = value
    form["delete-6"] = "yes"  # S5, the one-off disposal
    response = session.post(f"/deepdives/inputs/{input_id}/rows", data=form)
    assert response.status_code == 303
    entries = session.get(f"/api/deepdives/inputs/{input_id}").json()["entries"]
    assert [e["id"] for e in entries] == ["S1", "S2", "S3", "S4", "S9"]


def test_cba_parameters_are_checked_versioned_and_equal_the_cli(app, uploaded, tmp_path):
    session = sign_in(app, "analyst")
    input_id = _input_id(_upload(session, "cba", "leicester_alcohol_cba.csv",
                                 example_path("leicester_alcohol_cba.csv").read_bytes(), name="parameters"))
    before = _versions(app)
    bad = session.post(f"/deepdives/inputs/{input_id}/params", data={"discount_rate": "250%", "draws": "5"})
    assert bad.status_code == 422 and _versions(app) == before
    assert 'id="param-discount_rate-error"' in bad.text and 'id="param-draws-error"' in bad.text
    good = session.post(f"/deepdives/inputs/{input_id}/params", data={
        "discount_rate": "5%", "optimism_bias": "20%", "deadweight": "0.1", "draws": "2000", "seed": "7",
        "distribution": "triangular"})
    assert good.status_code == 303 and _versions(app) == before + 1
    shown = session.get(f"/api/deepdives/inputs/{input_id}").json()
    assert (shown["discount_rate"], shown["optimism_bias"], shown["deadweight"]) == (0.05, 0.2, 0.1)
    assert shown["monte_carlo"]["draws"] == 2000 and shown["monte_carlo"]["distribution"] == "triangular"
    (tmp_path / "leicester_alcohol_cba.csv").write_bytes(example_path("leicester_alcohol_cba.csv").read_bytes())
    page = session.get(f"/deepdives/inputs/{input_id}").text
    assert "--discount-rate 5%" in unescape(_command(page))
    assert shown == _cli_json(app.state.workspace.path, _command(page), tmp_path)


def test_a_partner_changes_only_its_own_organisations_inputs(app):
    partner, other, viewer = sign_in(app, "partner"), sign_in(app, "other_partner"), sign_in(app, "viewer")
    input_id = _input_id(_upload(partner, "savings", "lbl.csv", example_path("savings_example.csv").read_bytes(),
                                 name="lbl savings", place="E09000023"))
    rows = partner.client.get("/api/deepdives/inputs").json()["savings"]
    assert next(r for r in rows if r["input_id"] == input_id)["organisation"] == "lbl"
    assert partner.get(f"/deepdives/inputs/{input_id}/edit").status_code == 200
    assert other.get(f"/deepdives/inputs/{input_id}/edit").status_code == 403
    assert other.post(f"/deepdives/inputs/{input_id}/params", data={"horizon": "3"}).status_code == 403
    assert viewer.get(f"/deepdives/inputs/{input_id}").status_code == 200
    # Another partner cannot take the name over with an upload either.
    again = _upload(other, "savings", "pct.csv", b"id,agency,central,start_year\nX,pct,1,2010-11\n",
                    name="lbl savings", place="E09000023")
    assert again.status_code == 403


def test_tables_download_as_csv_and_xlsx(app, uploaded):
    session = sign_in(app, "viewer")
    for kind, table in (("savings", "entries"), ("cba", "by-agency-year"), ("journeys", "stops"),
                        ("segments", "segments"), ("unit_costs", "costs")):
        base = f"/api/deepdives/inputs/{uploaded[kind][0]}/tables/{table}"
        rows = session.get(base).json()
        csv_text = session.get(base + "?format=csv").text
        book = load_workbook(BytesIO(session.get(base + "?format=xlsx").content))
        assert rows and len(csv_text.strip().splitlines()) == len(rows) + 1
        assert book.active.max_row == len(rows) + 1


def test_themes_equal_the_cli_json(tmp_path):
    db = build_themed_workspace(tmp_path)
    application = create_app(open_workspace(db))
    try:
        session = sign_in(application, "analyst")
        rules = example_path("theme_rules_example.csv")
        rules_id = _input_id(_upload(session, "rules", rules.name, rules.read_bytes()))
        query = f"place=E09000023&year=2008-09&rules={rules_id}"
        shown = session.get(f"/api/deepdives/themes?{query}").json()
        page = session.get(f"/deepdives/themes?{query}").text
    finally:
        application.state.workspace.close()  # the CLI opens the file itself (DuckDB: one process config a file)
    (tmp_path / rules.name).write_bytes(rules.read_bytes())
    assert shown == _cli_json(db, _command(page), tmp_path)
    totals = {t["theme"]: t["total"] for t in shown["themes"]}
    # Hand tags: worklessness 300 + 80; families 80; the rule 'keyword alcohol' finds the 120 line.
    assert totals == {"worklessness": 380, "families": 80, "drugs and alcohol": 120}
    assert pounds(Decimal("380.00")) in page and 'id="chart-cofog"' in page and 'id="chart-inventory"' in page
