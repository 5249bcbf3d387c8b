"""The board report of the demo's Lewisham, 2008-09, against the CLI's own JSON for the same workspace.

The report is built once (app.board_report) from the functions behind `placespend count`, `estimate`, `compare`,
`analyse ...`, `deepdive savings`, `cba` and `assets capital`; every part must equal that command's JSON, and the
PDF's text, the workbook's cells and the HTML must carry those figures to the penny. A pilot without returns
shows its estimate and what seed 000 printed about it.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from placespend.app import accounts, deepdives
from placespend.app.demo.build import DEMO_PASSWORD
from placespend.app.workspace import open_workspace
from placespend.deepdive.examples import example_path
from placespend.web.app import create_app

from conftest import Cli, chromium, demo_copy, inked_pages, line, need_chromium, served

PLACE, YEAR = "tp-lewisham", "2008-09"
DRAWS = "2000"
SAVINGS, CBA = example_path("savings_example.csv"), example_path("leicester_alcohol_cba.csv")
AT = ("--place", PLACE, "--year", YEAR)
ANALYSES = {"composition": ("composition",), "concentration": ("concentration",),
            "local_control": ("local-control",), "per_head": ("per-head", "--need-reference", "england"),
            "routes": ("routes",)}
MONEY = '"£"#,##0.00'


def gbp(value: Any) -> str:
    amount = Decimal(str(value))
    return f"-£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"


def pct(value: Any) -> str:
    return f"{Decimal(str(value)) * 100:.1f}%"


def same(cell: Any, value: Any) -> bool:
    """A workbook number against a JSON number, to the penny."""
    return isinstance(cell, int | float) and round(Decimal(str(cell)), 2) == round(Decimal(str(value)), 2)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Any]:
    """The demo, every part's CLI JSON, and the report written by the CLI in each format."""
    folder = tmp_path_factory.mktemp("board")
    cli = demo_copy(folder / "demo.duckdb")
    expected = {"count": cli.json("count", *AT), "estimate": cli.json("estimate", *AT),
                "compare": cli.json("compare", *AT), "assets": cli.json("assets", "capital", *AT),
                "savings": cli.json("deepdive", "savings", SAVINGS, "--draws", DRAWS),
                "cba": cli.json("cba", CBA, "--draws", DRAWS)}
    for part, args in ANALYSES.items():
        expected[part] = cli.json("analyse", args[0], *AT, *args[1:])
    files = {}
    for suffix in ("json", "pdf", "xlsx", "html"):
        files[suffix] = folder / f"lewisham.{suffix}"
        cli("report", *AT, "--savings", SAVINGS, "--cba", CBA, "--draws", DRAWS, "--out", files[suffix])
    return {"cli": cli, "folder": folder, "expected": expected, "files": files,
            "data": json.loads(files["json"].read_text(encoding="utf-8"))}


def test_every_part_equals_the_cli_json(demo):
    data, expected = demo["data"], demo["expected"]
    for part in ("count", "estimate", "compare", "assets"):
        assert data[part] == expected[part], part
    for part in ANALYSES:
        assert data["analyses"][part] == expected[part], part
    assert data["deepdive"]["savings"] == expected["savings"]
    assert data["deepdive"]["cba"] == expected["cba"]
    assert data["count"]["total"] == 2_290_000_000 and data["compare"]["places"][0]["bridge"]
    # The report names the command behind each part; they are the ones run above.
    commands = data["commands"]
    assert commands["count"] == f"placespend count --place {PLACE} --year {YEAR} --format json"
    assert commands["per_head"].endswith("--need-reference england")
    assert commands["cba"].startswith(f"placespend cba {CBA.name} --discount-rate 0.035")


def test_returns_and_reference_data_are_named_with_their_hashes(demo):
    data = demo["data"]
    with duckdb.connect(str(demo["cli"].db), read_only=True) as con:
        counted = con.execute("""
            SELECT DISTINCT s.submission_id, s.content_hash FROM submissions s
            JOIN submission_slices sl USING (submission_id) JOIN flows f USING (submission_id)
            WHERE s.status = 'accepted' AND sl.superseded_by IS NULL AND f.period = ?
              AND f.place IN (SELECT area FROM place_areas WHERE place = ? UNION SELECT ?)""",
                              [YEAR, PLACE, PLACE]).fetchall()
        imports = dict(con.execute("SELECT file_name, content_hash FROM imports").fetchall())
    returns = data["sources"]["returns"]
    assert {(r["submission_id"], r["content_hash"]) for r in returns} == set(counted) and len(counted) == 41
    assert sum(r["lines_in_scope"] for r in returns) == data["count"]["lines"]
    # PESA (regional spending), ONS population and the LAD -> region lookup were used, each with its vintage.
    reference = {r["file_name"]: r for r in data["sources"]["reference"]}
    assert {name: r["content_hash"] for name, r in reference.items()} == imports
    assert reference["regional_spend_pesa2009.csv"]["publisher"] == "HM Treasury"
    assert reference["regional_spend_pesa2009.csv"]["used"] == [[data["estimate"]["vintage"], YEAR]]
    assert reference["place_statistics.csv"]["used"] == [["population", "2019"]]
    assert {r["licence"] for r in reference.values()} == {"Open Government Licence v3.0"}
    assert data["sources"]["published"]["dataset"].startswith("Total Place: Spend Counting Analysis")


def _figures(data: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Figures of the CLI's JSON, formatted independently, that the report must print."""
    row = expected["compare"]["places"][0]
    concentration = expected["concentration"]["places"][0]
    routes = expected["routes"]["places"][0]
    found = [gbp(expected["count"]["total"]), gbp(expected["estimate"]["total"]), pct(row["difference"]),
             gbp(expected["per_head"]["places"][0]["per_head"]), gbp(routes["admin_cost"]),
             pct(concentration["top3_share"]), gbp(expected["savings"]["total"]["central"]),
             gbp(expected["savings"]["total"]["p90"]), gbp(expected["cba"]["npv"]), gbp(expected["assets"]["total"])]
    found += [gbp(v) for v in expected["count"]["by_cofog"].values()]
    found += [gbp(v) for v in expected["count"]["by_spender_type"].values()]
    found += [gbp(v) for v in expected["count"]["by_method"].values()]
    found += [gbp(r["centre_out"]) for r in row["by_cofog"]]
    found += [gbp(b["amount"]) for b in row["bridge"] if b["amount"] is not None]
    found += [gbp(b["amount"]) for b in concentration["ranking"][:10]]
    found += [gbp(b["amount"]) for b in expected["local_control"]["places"][0]["bands"]]
    found += [gbp(v) for v in routes["by_hand_overs"].values()]
    found += [r["content_hash"] for r in data["sources"]["returns"]]
    found += [r["content_hash"] for r in data["sources"]["reference"]]
    return [*found, "Open Government Licence v3.0", "Office for National Statistics", "HM Treasury"]


def test_pdf_text_carries_the_cli_figures(demo):
    text = subprocess.run(["pdftotext", "-layout", str(demo["files"]["pdf"]), "-"], check=True, capture_output=True,
                          text=True).stdout
    missing = [figure for figure in _figures(demo["data"], demo["expected"]) if figure not in text]
    assert not missing


def test_pdf_pages_render_and_none_is_blank(demo, tmp_path):
    inked = inked_pages(demo["files"]["pdf"], tmp_path)
    assert len(inked) >= 8 and min(inked) > 0.003, inked


def rows_of(book, sheet: str, title: str) -> list[dict[str, Any]]:
    """The rows of the table titled `title` on `sheet`, as dicts by heading, with each cell's number format."""
    cells = list(book[sheet].iter_rows())
    start = next(i for i, row in enumerate(cells) if row[0].value == title)
    headings = [c.value for c in cells[start + 1] if c.value is not None]
    found = []
    for row in cells[start + 2:]:
        if all(c.value is None for c in row):
            break
        found.append({h: c for h, c in zip(headings, row, strict=False)})
    return found


def test_workbook_cells_equal_the_cli_json(demo):
    book = load_workbook(demo["files"]["xlsx"])
    expected = demo["expected"]
    assert {"Summary", "Count", "Estimate and bridge", "Composition", "Concentration", "Local control", "Per head",
            "Funding routes", "Deep dive", "Assets and capital", "Sources"} <= set(book.sheetnames)
    for title, key in (("By COFOG division", "by_cofog"), ("By body type", "by_spender_type"),
                       ("How each pound is known", "by_method")):
        rows = rows_of(book, "Count", title)
        first = "Method" if key == "by_method" else "Code"
        assert {r[first].value for r in rows} == set(expected["count"][key])
        for r in rows:
            assert same(r["GBP"].value, expected["count"][key][r[first].value]), (title, r[first].value)
            assert r["GBP"].number_format == MONEY
    row = expected["compare"]["places"][0]
    table1 = {r["Measure"].value: r["This report"].value for r in
              rows_of(book, "Estimate and bridge", "Seed 000 Table 1: centre-out (A) against locally-led (B)")}
    assert same(table1["A, centre-out"], row["centre_out"]) and same(table1["B, locally-led count"], row["locally_led"])
    for r, want in zip(rows_of(book, "Estimate and bridge", "A and B by COFOG division"), row["by_cofog"], strict=True):
        assert r["Code"].value == want["cofog"] and same(r["A"].value, want["centre_out"])
        assert same(r["B"].value, want["locally_led"]) and same(r["A - B"].value, want["gap"])
    bridge = rows_of(book, "Estimate and bridge", "The bridge: why A and B differ")
    assert [(r["Reason"].value, r["GBP"].value) for r in bridge if r["GBP"].value is not None] == \
           [(b["reason"], b["amount"]) for b in row["bridge"] if b["amount"] is not None]
    ranking = expected["concentration"]["places"][0]["ranking"][:10]
    largest = rows_of(book, "Concentration", "The 10 largest bodies")
    assert [round(r["GBP"].value, 2) for r in largest] == [b["amount"] for b in ranking]
    hops = {str(r["Hand-overs"].value): r["GBP"].value for r in rows_of(book, "Funding routes", "Spend by hand-overs")}
    assert hops == expected["routes"]["places"][0]["by_hand_overs"]
    [per_head] = rows_of(book, "Per head", "Spend per head and need-adjusted per head")
    assert same(per_head["Per head"].value, expected["per_head"]["places"][0]["per_head"])
    years = rows_of(book, "Deep dive", "Savings by year")
    assert [(r["Year"].value, r["P10"].value) for r in years] == \
           [(y["year"], y["p10"]) for y in expected["savings"]["by_year"]]
    capital = {r["Partner"].value: r["Capital"].value for r in
               rows_of(book, "Assets and capital", "Capital by partner, beside its estate in the place")}
    assert capital == {p["partner"]: p["capital"] for p in expected["assets"]["partners"]}
    hashes = {r["SHA-256"].value for r in rows_of(book, "Sources", "Partners' returns counted")}
    assert hashes == {r["content_hash"] for r in demo["data"]["sources"]["returns"]}


def test_html_is_self_contained_and_carries_the_figures(demo):
    html = demo["files"]["html"].read_text(encoding="utf-8")
    assert "<script" not in html and 'src="http' not in html and 'href="http' not in html
    assert html.count("<svg") >= 8
    missing = [figure for figure in _figures(demo["data"], demo["expected"]) if figure not in html]
    assert not missing


def test_a_pilot_without_returns_shows_its_estimate_and_published_figures(demo, tmp_path):
    cli = demo["cli"]
    out = tmp_path / "kent.json"
    cli("report", "--place", "tp-kent", "--year", YEAR, "--out", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["count"]["total"] == 0 and data["analyses"] == {} and data["sources"]["returns"] == []
    assert data["estimate"] == cli.json("estimate", "--place", "tp-kent", "--year", YEAR)
    # "Reproduce any figure" names only the commands behind the parts shown: no analysis without a count.
    assert set(data["commands"]) == {"count", "estimate", "compare"}
    cli("report", "--place", "tp-kent", "--year", YEAR, "--out", tmp_path / "kent.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "kent.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    # Seed 000 Table 1 printed Kent's A as GBP 9.45bn and B as GBP 8.94bn (line 629).
    for figure in ("No partner's return is counted", gbp(data["estimate"]["total"]), "£9,450,000,000.00",
                   "£8,940,000,000.00", "Open Government Licence v3.0"):
        assert figure in text, figure


def test_lewishams_area_code_reports_as_its_pilot(demo, tmp_path):
    out = tmp_path / "area.json"
    demo["cli"]("report", "--place", "E09000023", "--year", YEAR, "--out", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["count"]["total"] == demo["data"]["count"]["total"]
    assert set(data["analyses"]) == set(ANALYSES)


def test_refusals_write_nothing(demo, tmp_path):
    cli = demo["cli"]
    result = cli("report", "--place", "nowhere", "--out", tmp_path / "x.pdf", expect=2)
    assert "Unknown place 'nowhere'" in result.stderr and not (tmp_path / "x.pdf").exists()
    result = cli("report", *AT, "--out", tmp_path / "x.docx", expect=2)
    assert ".pdf, .xlsx, .html or .json" in result.stderr and not (tmp_path / "x.docx").exists()
    bad = tmp_path / "cba.csv"
    bad.write_text("year,agency,kind,amount\nx,a,benefit,1\n", encoding="utf-8")
    result = cli("report", *AT, "--cba", bad, "--out", tmp_path / "y.pdf", expect=2)
    assert "row 2, column year" in result.stderr and not (tmp_path / "y.pdf").exists()


@pytest.fixture(scope="module")
def web(demo):
    """The web app on a copy of the demo (the CLI's connections are closed; the server takes the copy)."""
    db = demo["folder"] / "web.duckdb"
    shutil.copyfile(demo["cli"].db, db)
    app = create_app(open_workspace(db))

    def client(username: str | None) -> TestClient:
        found = TestClient(app)
        if username:
            found.post("/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False)
        return found

    yield client
    app.state.workspace.close()


def test_unknown_place_is_404_on_every_report_route(web):
    viewer = web("councillor")
    for path in ("/reports?place=nowhere", "/places/nowhere/report.pdf", "/places/nowhere/report.xlsx"):
        response = viewer.get(path)
        assert response.status_code == 404 and "Unknown place" in response.text, path


def test_downloads_equal_the_cli_figures(web, demo):
    viewer = web("councillor")
    pdf = viewer.get(f"/places/{PLACE}/report.pdf?year={YEAR}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == f'attachment; filename="board-report-{PLACE}-{YEAR}.pdf"'
    book = load_workbook(BytesIO(viewer.get(f"/places/{PLACE}/report.xlsx?year={YEAR}").content))
    by_cofog = {r["Code"].value: r["GBP"].value for r in rows_of(book, "Count", "By COFOG division")}
    assert {code: round(value, 2) for code, value in by_cofog.items()} == demo["expected"]["count"]["by_cofog"]
    page = viewer.get(f"/reports?place={PLACE}&year={YEAR}").text
    assert gbp(demo["expected"]["count"]["total"]) in page and gbp(demo["expected"]["estimate"]["total"]) in page


def test_file_names_show_only_to_the_count_team_and_the_sending_partner(web, demo):
    returns = demo["data"]["sources"]["returns"]
    names = {r["submitter"]: r["file_name"] for r in returns}
    for username, own in (("lewisham-finance", {"lbl"}), ("councillor", set()), ("analyst", set(names))):
        book = load_workbook(BytesIO(web(username).get(f"/places/{PLACE}/report.xlsx?year={YEAR}").content))
        rows = rows_of(book, "Sources", "Partners' returns counted")
        shown = {r["Body"].value for r in rows if r["File"].value}
        assert shown == own, username
        assert {r["SHA-256"].value for r in rows} == {r["content_hash"] for r in returns}  # hashes for everyone
    page = web("pct-finance").get(f"/reports?place={PLACE}&year={YEAR}").text
    assert names["lewisham-pct"] in page and names["lbl"] not in page


def test_deep_dives_kept_for_the_place_are_reported_from_the_cli_and_the_web(demo, tmp_path):
    """Without deep-dive files, the report shows the latest savings register and CBA case kept for the place on the
    Deep dives page: `placespend report` and the downloads equal the commands the report names; a new version of
    an input shows in the next download (its save leaves the ledger's version, the cache's usual key, alone)."""
    fewer = demo["cli"].json("deepdive", "savings", SAVINGS, "--draws", "1000")
    db = tmp_path / "kept.duckdb"
    shutil.copyfile(demo["cli"].db, db)
    ws = open_workspace(db)
    analyst = accounts.authenticate(ws, "analyst", DEMO_PASSWORD)
    for kind, path in (("savings", SAVINGS), ("cba", CBA)):
        saved = deepdives.upload(ws, analyst, kind, path.stem, PLACE, path.name, path.read_bytes(), {"draws": DRAWS})
        assert saved.stored, saved.outcome.problems
    cli = Cli(db)
    cli("report", *AT, "--out", tmp_path / "kept.json")
    data = json.loads((tmp_path / "kept.json").read_text(encoding="utf-8"))
    assert data["deepdive"]["savings"] == demo["expected"]["savings"]
    assert data["deepdive"]["cba"] == demo["expected"]["cba"]
    for part, path in (("savings", SAVINGS), ("cba", CBA)):  # the command the report names gives that part
        args = shlex.split(data["commands"][part])[1:]
        assert args[-2:] == ["--format", "json"]
        assert cli.json(*[str(path) if a == path.name else a for a in args[:-2]]) == data["deepdive"][part]
    assert [(i["kind"], i["version"]) for i in data["deepdive"]["stored"]] == [("savings", 1), ("cba", 1)]

    app = create_app(open_workspace(db))
    try:
        viewer = TestClient(app)
        viewer.post("/login", data={"username": "councillor", "password": DEMO_PASSWORD}, follow_redirects=False)

        def p10s() -> list[Any]:
            book = load_workbook(BytesIO(viewer.get(f"/places/{PLACE}/report.xlsx?year={YEAR}").content))
            return [r["P10"].value for r in rows_of(book, "Deep dive", "Savings by year")]

        assert p10s() == [y["p10"] for y in demo["expected"]["savings"]["by_year"]]
        pdf = viewer.get(f"/places/{PLACE}/report.pdf?year={YEAR}").content
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True).stdout
        assert gbp(demo["expected"]["cba"]["npv"]).encode() in text
        shared = app.state.workspace
        saved = deepdives.upload(shared, accounts.authenticate(shared, "analyst", DEMO_PASSWORD), "savings",
                                 SAVINGS.stem, PLACE, SAVINGS.name, SAVINGS.read_bytes(), {"draws": "1000"})
        assert saved.version == 2
        before = [y["p10"] for y in demo["expected"]["savings"]["by_year"]]
        assert p10s() == [y["p10"] for y in fewer["by_year"]] != before
        assert "version 2" in viewer.get(f"/reports?place={PLACE}&year={YEAR}").text
    finally:
        app.state.workspace.close()


JOURNEY, SEGMENTS, UNIT_COSTS = (example_path(name) for name in ("bresha_journey.csv", "peterborough_segments.csv",
                                                                   "unit_costs_example.csv"))


def test_journeys_and_cohorts_kept_for_the_place_are_in_the_report(demo, tmp_path):
    """Seed 000 §5.2-5.3: a customer journey (who pays at each stage) and cohorts (what each segment costs, the
    saving of moving people between them) kept for the place on the Deep dives page are in the report, equal to
    the commands it names, and in the workbook's cells and the PDF's text to the penny."""
    db = tmp_path / "journeys.duckdb"
    shutil.copyfile(demo["cli"].db, db)
    ws = open_workspace(db)
    analyst = accounts.authenticate(ws, "analyst", DEMO_PASSWORD)
    costs = deepdives.upload(ws, analyst, "unit_costs", UNIT_COSTS.stem, None, UNIT_COSTS.name,
                             UNIT_COSTS.read_bytes(), {})
    for kind, path, form in (("journeys", JOURNEY, {"unit_costs": str(costs.input_id)}),
                             ("segments", SEGMENTS, {"moves": "chaotic>barely coping:30"})):
        saved = deepdives.upload(ws, analyst, kind, path.stem, PLACE, path.name, path.read_bytes(), form)
        assert saved.stored, saved.outcome.problems
    ws.close()
    cli = Cli(db)
    for suffix in ("json", "xlsx", "pdf"):
        cli("report", *AT, "--out", tmp_path / f"kept.{suffix}")
    data = json.loads((tmp_path / "kept.json").read_text(encoding="utf-8"))
    files = {path.name: str(path) for path in (JOURNEY, SEGMENTS, UNIT_COSTS)}
    printed = {}
    for part in ("journeys", "cohorts"):  # the command the report names gives that part
        args = shlex.split(data["commands"][part])[1:]
        assert args[-2:] in (["--format", "json"], ["-f", "json"])
        printed[part] = cli.json(*[files.get(a, a) for a in args[:-2]])
    assert data["deepdive"]["journeys"] == printed["journeys"]["journeys"] and data["deepdive"]["journeys"]
    assert data["deepdive"]["cohorts"] == printed["cohorts"]
    assert [i["kind"] for i in data["deepdive"]["stored"]] == ["journeys", "segments"]
    [journey] = printed["journeys"]["journeys"]
    cohorts = printed["cohorts"]
    # independent arithmetic: the stages add up to the journey, the segments to the cohorts' total
    assert sum(Decimal(str(s["cost"])) for s in journey["stages"]) == Decimal(str(journey["total"]))
    assert sum(Decimal(str(s["cost"])) for s in cohorts["segments"]) == Decimal(str(cohorts["total"]))
    assert Decimal(str(cohorts["saving"])) > 0

    book = load_workbook(tmp_path / "kept.xlsx")
    stages = rows_of(book, "Deep dive", f"{journey['journey']}: who pays at each stage")
    assert [r["Stage"].value for r in stages] == [s["stage"] for s in journey["stages"]]
    assert all(same(r["Cost"].value, s["cost"]) and r["Cost"].number_format == MONEY
               for r, s in zip(stages, journey["stages"], strict=True))
    segments = rows_of(book, "Deep dive", "Cohorts")
    assert [r["Segment"].value for r in segments] == [s["segment"] for s in cohorts["segments"]]
    assert all(same(r["Cost"].value, s["cost"]) and same(r["Cost after moves"].value, s["cost_after"])
               for r, s in zip(segments, cohorts["segments"], strict=True))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "kept.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    for amount in (journey["total"], journey["repeat_cost"], cohorts["total"], cohorts["saving"]):
        assert gbp(amount) in text, gbp(amount)


@pytest.mark.browser
def test_the_preview_is_accessible_and_offline(demo):
    need_chromium()
    from axe_playwright_python.sync_playwright import Axe

    db = demo["folder"] / "browser.duckdb"
    shutil.copyfile(demo["cli"].db, db)
    with served(create_app(open_workspace(db))) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page, outside, errors = context.new_page(), [], []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                      else (outside.append(route.request.url), route.abort()))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/login")
        page.fill("#username", "councillor")
        page.fill("#password", DEMO_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url("**/places")
        page.click("header nav >> text=Reports")
        page.select_option("#report-place", PLACE)
        page.select_option("#report-year", YEAR)
        page.click("text=Show the report")
        page.wait_for_selector("#sources")
        assert page.locator("#summary").inner_text().count(gbp(demo["expected"]["count"]["total"])) == 1
        violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
        assert not violations, [(v["id"], v["nodes"][0]["target"]) for v in violations]
        with page.expect_download() as download:
            page.click("text=PDF")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        assert not outside and not errors, (outside, errors)


def test_what_cannot_be_computed_says_why_as_the_cli_does(cli, make_csv, tmp_path):
    """A workspace with returns but no ONS or HM Treasury data: the count is reported, and the estimate and per
    head say why they are missing in the words the CLI's error gives."""
    cli("ingest", make_csv("lbl.csv", [line(amount="1000.00"), line(spender="pct", spender_type="nhs",
                                                                   amount="250.50", cofog="07")]))
    cli("report", "--place", "E09000023", "--year", YEAR, "--out", tmp_path / "r.json")
    cli("report", "--place", "E09000023", "--year", YEAR, "--out", tmp_path / "r.pdf")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["count"]["total"] == 1250.5
    for part, command in (("estimate", ("estimate",)), ("per_head", ("analyse", "per-head"))):
        error = cli(*command, "--place", "E09000023", "--year", YEAR, expect=2).stderr
        found = data["analyses"][part] if part == "per_head" else data[part]
        assert " ".join(found["problem"].split()) in " ".join(error.split()), (part, found, error)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "£1,250.50" in text and "Not computed: No 'population' statistics" in text
