"""The insight pages in a real browser, on Lewisham's real open data (../shared/data): the segments map and the
profiles beneath it, Gi* hotspots of the IMD ranks, a survey's estimates with their 95% intervals and the
overlap of a people-matching run, each equal to what the CLI prints with `--format json` for the same workspace
and files, suppressed cells shown as suppressed. Every page is drawn from this server alone (outside requests
blocked and recorded), logs no error, and axe-core finds nothing serious or critical on it.
"""

from __future__ import annotations

import csv
import gzip
from typing import Any

import pytest
from web_support import PASSWORD, ROLES, offline_tab, serious_violations, served

from people_support import agreement_add
from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.insight.synthetic_people import make_partners

from conftest import SHARED, Cli, chromium, need_chromium, write_csv

pytestmark = pytest.mark.browser

LEWISHAM = "E09000023"
DATA = SHARED / "data"
FILES = ["imd2019-lsoa/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
         "population-demographr/population19_lsoa11.csv.gz",
         "lookups-ons-jtrim/135_lsoa11_to_ward2019_EW.csv.gz",
         f"lookups-drkane/boundaries_lsoa11_{LEWISHAM}.geojson"]
BOUNDARIES = DATA / FILES[3]
# A third partner that is no party to the sharing agreement: it must see no run.
OUTSIDER = ("outsider", "partner", "ccg")
SEGMENT_SIZES = {"A": 30, "B": 24, "C": 6}  # C is under the threshold of 10; B is then withheld too, or C = 60-30-24


def _survey(folder) -> Any:
    rows, i = [], 0
    for segment, size in SEGMENT_SIZES.items():
        for _ in range(size):
            rows.append({"respondent_id": f"r{i}", "segment": segment, "area": "E05000437" if i % 2 else "E05000438",
                         "weight": 1 + i % 3, "initial_contact": 1 + (i * 7) % 5, "assessment": 1 + (i * 3) % 5,
                         "overall": 1 + (i * 11 + i // 4) % 5})
            i += 1
    return write_csv(folder / "survey.csv", rows)


def _overlap_run(cli: Cli, folder) -> dict[str, Any]:
    """lbl's and pct's synthetic people pseudonymised with one key and overlapped by ward under an agreement."""
    partners = make_partners(150, 120, 30, seed=11)
    (folder / "left.csv").write_text(partners.left_csv)
    (folder / "right.csv").write_text(partners.right_csv)
    cli("insight", "keygen", "--out", folder / "k.key")
    for side in ("left", "right"):
        cli("insight", "pseudonymise", folder / f"{side}.csv", "--key", folder / "k.key", "--out",
            folder / f"{side}_t.csv")
    cli("insight", *agreement_add("falls"))
    return cli.json("insight", "overlap", folder / "left_t.csv", folder / "right_t.csv", "--by", "x_ward",
                    "--left-owner", "lbl", "--right-owner", "pct", "--as", "analyst")


def _imd_ranks() -> dict[str, int]:
    """IoD 2019 File 1's IMD rank of each Lewisham LSOA, read here from the published file."""
    with gzip.open(DATA / "imd2019-lsoa" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz", "rt",
                   encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    return {r[0]: int(r[4].replace(",", "")) for r in rows if r[2] == LEWISHAM}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> dict[str, Any]:
    """Lewisham's LSOAs with IoD domains, people and boundaries, a stored segments run, one account per role;
    and what the CLI prints for them, read before the server holds the workspace."""
    need_chromium()
    if not DATA.is_dir():
        pytest.skip("../shared/data is absent")
    folder = tmp_path_factory.mktemp("insight-browser")
    cli = Cli(folder / "insight.duckdb")
    cli("import", *[DATA / f for f in FILES])
    cli("insight", "segments", "--place", LEWISHAM, "--k", "4", "--seed", "0", "--runs", "2")
    overlap = _overlap_run(cli, folder)
    ws = open_workspace(cli.db)
    for username, (role, organisation) in {**ROLES, OUTSIDER[0]: OUTSIDER[1:]}.items():
        accounts.add_user(ws, username, PASSWORD, role, organisation)
    ws.close()
    values = write_csv(folder / "imd_rank.csv", [{"area": a, "value": v} for a, v in _imd_ranks().items()])
    unused = Cli(folder / "unused.duckdb")
    survey = _survey(folder)
    return {"db": cli.db, "values": values, "overlap": overlap, "survey_file": survey,
            "survey": unused.json("insight", "surveys", survey),
            "profile": cli.json("insight", "profile", "--place", LEWISHAM),
            "map": cli.json("insight", "map", "--place", LEWISHAM, "--column", "segment"),
            "hotspots": unused.json("insight", "hotspots", "--values", values, "--boundaries", BOUNDARIES)}


@pytest.fixture(scope="module")
def server(workspace):
    with served(workspace["db"]) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _drawn(page, chart: str) -> None:
    page.wait_for_selector(f"#chart-{chart}[data-ready=yes]", timeout=30_000)


def _classes_on_map(page, chart: str) -> dict[str, str]:
    """Area -> the legend name of the trace that draws it, as plotly.js holds the figure in the page."""
    return page.evaluate(f"""() => Object.fromEntries(document.getElementById('chart-{chart}').data
        .flatMap(t => t.locations.map(a => [a, t.name])))""")


def _table(page, table: str) -> list[dict[str, str]]:
    return page.evaluate(f"""() => [...document.querySelectorAll('#{table} tbody tr')].map(tr =>
        Object.fromEntries([...tr.cells].map((td, i) =>
            [document.querySelectorAll('#{table} thead th')[i].textContent.trim(), td.textContent.trim()])))""")


def test_the_segments_map_and_profiles_are_the_clis(workspace, server, browser):
    with offline_tab(browser, server, "viewer") as tab:
        page = tab.page
        page.click("nav >> text=Insight")
        page.fill("#area-place", LEWISHAM)
        page.click("#area-form button[type=submit]")
        _drawn(page, "areas")
        cli_rows = {r["area"]: r for r in workspace["profile"]["rows"]}
        assert _classes_on_map(page, "areas") == {a: f"segment {r['segment']}" for a, r in cli_rows.items()}
        assert len(cli_rows) == workspace["map"]["drawn"] == 169
        shown = {r["area"]: r for r in _table(page, "profiles")}
        assert shown.keys() == cli_rows.keys()
        for area, row in cli_rows.items():
            assert shown[area]["segment"] == row["segment"]
            assert int(shown[area]["population"]) == row["population"]
            assert shown[area]["imd income rank"] == str(row["imd_income_rank"])
        assert serious_violations(tab) == []


def test_a_place_without_boundaries_says_what_to_import(server, browser):
    with offline_tab(browser, server, "analyst") as tab:
        tab.page.goto(server + f"/insight?place={LEWISHAM}&level=ward&column=population")
        assert "import a boundary file" in tab.page.inner_text("#no-boundaries")
        assert len(_table(tab.page, "profiles")) == 18  # Lewisham's 2019 wards
        tab.page.goto(server + "/insight?place=E09000012")  # Hackney: its LSOAs are in the lookup, no boundaries
        assert "placespend import boundaries_lsoa_E09000012.geojson" in tab.page.inner_text("#no-boundaries")
        tab.page.goto(server + "/insight?place=nowhere")
        said = tab.page.inner_text("#not-imported")
        assert "Unknown place" in said and "placespend import 135_lsoa11_to_ward2019_EW.csv.gz" in said
        assert serious_violations(tab) == []


def test_hotspots_of_an_upload_are_the_clis(workspace, server, browser):
    with offline_tab(browser, server, "partner") as tab:
        page = tab.page
        page.goto(server + "/insight/hotspots")
        assert serious_violations(tab) == []
        page.set_input_files("#hotspot-values", str(workspace["values"]))
        page.set_input_files("#hotspot-boundaries", str(BOUNDARIES))
        page.click("#hotspot-form button[type=submit]")
        _drawn(page, "hotspots")
        expected = {a["area"]: a for a in workspace["hotspots"]["areas"]}
        names = {"hot": "hot spot", "cold": "cold spot", "none": "not significant"}
        assert _classes_on_map(page, "hotspots") == {a: names[x["class"]] for a, x in expected.items()}
        rows = {r["Area"]: r for r in _table(page, "hotspots")}
        assert {a: r["Class"] for a, r in rows.items()} == {a: x["class"] for a, x in expected.items()}
        assert all(float(rows[a]["Gi* z"]) == pytest.approx(x["z"], abs=5e-4) for a, x in expected.items())
        summary = workspace["hotspots"]["summary"]
        assert summary["hot"] > 0 and summary["cold"] > 0  # IMD ranks cluster in Lewisham both ways
        assert page.inner_text("#hotspot-summary").startswith(
            f"{summary['hot']} hot spots, {summary['cold']} cold spots, {summary['none']} areas not significant")
        assert serious_violations(tab) == []


def test_hotspots_of_projected_values_beside_the_current_are_the_clis(workspace, server, browser, tmp_path):
    """Seed 000 §5.3: hotspots of current and future demand. A projection that reverses the IMD ranks turns hot
    spots cold; the page's two maps and table are what `insight hotspots --projected` prints."""
    ranks = _imd_ranks()
    top = max(ranks.values())
    projected = write_csv(tmp_path / "projected.csv", [{"area": a, "value": top + 1 - v} for a, v in ranks.items()])
    expected = Cli(tmp_path / "unused.duckdb").json("insight", "hotspots", "--values", workspace["values"],
                                                   "--boundaries", BOUNDARIES, "--projected", projected)
    areas = {a["area"]: a for a in expected["areas"]}
    assert {a["class_change"] for a in areas.values()} >= {"hot -> cold", "cold -> hot"}  # the case is not trivial
    with offline_tab(browser, server, "analyst") as tab:
        page = tab.page
        page.goto(server + "/insight/hotspots")
        page.set_input_files("#hotspot-values", str(workspace["values"]))
        page.set_input_files("#hotspot-boundaries", str(BOUNDARIES))
        page.set_input_files("#hotspot-projected", str(projected))
        page.click("#hotspot-form button[type=submit]")
        _drawn(page, "hotspots")
        _drawn(page, "projected")
        names = {"hot": "hot spot", "cold": "cold spot", "none": "not significant"}
        assert _classes_on_map(page, "hotspots") == {a: names[x["class"]] for a, x in areas.items()}
        assert _classes_on_map(page, "projected") == {a: names[x["projected_class"]] for a, x in areas.items()}
        rows = {r["Area"]: r for r in _table(page, "hotspots")}
        assert rows.keys() == areas.keys()
        for area, x in areas.items():
            assert (rows[area]["Class"], rows[area]["Projected class"], rows[area]["Change of class"]) == (
                x["class"], x["projected_class"], x["class_change"])
            assert float(rows[area]["Projected value"]) == x["projected_value"] == top + 1 - ranks[area]
            assert float(rows[area]["Change in value"]) == x["change"] == top + 1 - 2 * ranks[area]
        later = expected["projected_summary"]
        assert page.inner_text("#projected-summary") == (f"Projected (projected.csv): {later['hot']} hot spots, "
                                                          f"{later['cold']} cold spots, {later['none']} areas not "
                                                          f"significant.")
        assert serious_violations(tab) == []


@pytest.mark.parametrize("fault", ["not a number", "an area with no current value"])
def test_a_bad_projected_values_file_is_named_at_its_row_and_column(tmp_path, workspace, server, browser, fault):
    rows = [{"area": a, "value": v} for a, v in _imd_ranks().items()]
    if fault == "not a number":
        rows[4]["value"] = "many"
        where = ("projected-bad.csv", "6", "value")  # the header is row 1
    else:
        rows.append({"area": "E01999999", "value": "5"})
        where = ("projected-bad.csv", str(len(rows) + 1), "area")
    bad = write_csv(tmp_path / "projected-bad.csv", rows)
    with offline_tab(browser, server, "analyst") as tab:
        tab.page.goto(server + "/insight/hotspots")
        tab.page.set_input_files("#hotspot-values", str(workspace["values"]))
        tab.page.set_input_files("#hotspot-boundaries", str(BOUNDARIES))
        tab.page.set_input_files("#hotspot-projected", str(bad))
        tab.page.click("#hotspot-form button[type=submit]")
        problems = [(p["File"], p["Row"], p["Column"]) for p in _table(tab.page, "problems")]
        assert where in problems, problems
        assert tab.page.query_selector("#chart-hotspots") is None
        assert serious_violations(tab) == []


def test_a_bad_values_file_is_named_at_its_row(tmp_path, server, browser):
    bad = write_csv(tmp_path / "bad.csv", [{"area": "E01003189", "value": "12"}, {"area": "E01003190", "value": "x"}])
    with offline_tab(browser, server, "analyst") as tab:
        tab.page.goto(server + "/insight/hotspots")
        tab.page.set_input_files("#hotspot-values", str(bad))
        tab.page.set_input_files("#hotspot-boundaries", str(BOUNDARIES))
        tab.page.click("#hotspot-form button[type=submit]")
        problems = _table(tab.page, "problems")
        assert any(p["File"] == "bad.csv" and p["Row"] == "3" and p["Column"] == "value" for p in problems), problems
        assert serious_violations(tab) == []


def test_a_viewer_sees_no_upload_form(server, browser):
    with offline_tab(browser, server, "viewer") as tab:
        tab.page.goto(server + "/insight/hotspots")
        assert tab.page.query_selector("#hotspot-form") is None
        assert "needs an admin, analyst or partner account" in tab.page.inner_text("main")



def _interval(cell: dict[str, Any], digits: int, scale: float = 1) -> str:
    if cell["n"] is None:
        return f"suppressed: {cell['suppressed']}"
    mean, low, high = (f"{scale * cell[k]:.{digits}f}" for k in ("mean", "ci_low", "ci_high"))
    return f"{mean}{'%' if scale == 100 else ''} ({low} to {high})"


def test_survey_estimates_and_intervals_are_the_clis(workspace, server, browser):
    with offline_tab(browser, server, "analyst") as tab:
        page = tab.page
        page.goto(server + "/insight/surveys")
        page.set_input_files("#survey-file", str(workspace["survey_file"]))
        page.click("#survey-form button[type=submit]")
        cli = workspace["survey"]
        for index, by in enumerate(["segment", "area"], start=1):
            _drawn(page, f"survey-{index}")
            rows = {(r["Question"], r[by]): r for r in _table(page, f"survey-{index}")}
            expected = {(q["question"], g["group"]): g for q in cli["questions"] for g in q["by"][by]}
            assert rows.keys() == expected.keys()
            for key, cell in expected.items():
                assert rows[key]["Mean (95% interval)"] == _interval(cell, 2)
                assert rows[key]["Satisfied (95% interval)"] == _interval(cell["satisfied"], 1, 100)
            plotted = page.evaluate(f"""() => document.getElementById('chart-survey-{index}').data.map(t =>
                [t.name, t.x, t.y, t.error_y.array, t.error_y.arrayminus])""")
            assert sum(len(questions) for _, questions, *_ in plotted) >= 2 * len(cli["questions"])
            for name, questions, means, up, down in plotted:
                for question, mean, plus, minus in zip(questions, means, up, down, strict=True):
                    cell = expected[(question, name)]
                    assert mean == pytest.approx(cell["mean"], abs=1e-12)
                    assert (mean + plus, mean - minus) == pytest.approx((cell["ci_high"], cell["ci_low"]), abs=1e-12)
        small = [(q["question"], "C") for q in cli["questions"]]
        assert all(rows_c.startswith("suppressed") for rows_c in (
            {(r["Question"], r["segment"]): r for r in _table(page, "survey-1")}[k]["Mean (95% interval)"]
            for k in small))
        assert serious_violations(tab) == []
        page.fill("#survey-threshold", "5")  # below the default: the form will not send it ...
        assert page.eval_on_selector("#survey-threshold", "e => e.checkValidity()") is False
        page.eval_on_selector("#survey-threshold", "e => e.removeAttribute('min')")  # ... and the server refuses it
        page.set_input_files("#survey-file", str(workspace["survey_file"]))
        page.click("#survey-form button[type=submit]")
        assert "cannot be lower than 10" in page.inner_text("#refused")
        assert page.query_selector("table.survey") is None


def _overlap_cells(page) -> dict[tuple[str, str], str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('table.overlap tr[data-group]')]
        .flatMap(tr => [...tr.querySelectorAll('td[data-part]')].map(td =>
            [tr.dataset.group + '|' + td.dataset.part, td.textContent.trim()])))""")


@pytest.mark.parametrize("username", ["viewer", "partner", "other_partner"])
def test_overlap_by_ward_is_the_clis_with_small_counts_suppressed(workspace, server, browser, username):
    cli = workspace["overlap"]
    with offline_tab(browser, server, username) as tab:
        page = tab.page
        page.goto(server + "/insight/overlap")
        _drawn(page, "run-1")
        shown = _overlap_cells(page)
        expected = {f"{g['group']}|{part}": g[part] for g in cli["groups"]
                    for part in ("left_only", "both", "right_only", "total")}
        expected |= {f"All|{part}": cli["totals"][part] for part in ("left_only", "both", "right_only")}
        expected["All|total"] = cli["total"]
        assert shown == {k: "suppressed" if v is None else f"{v:,}" for k, v in expected.items()}
        assert "suppressed" in shown.values() and any(v not in ("suppressed", "0") for v in shown.values())
        assert all(v is None or v == 0 or v >= cli["threshold"] for v in expected.values())
        bars = page.evaluate("() => document.getElementById('chart-run-1').data.map(t => [t.x, t.y])")
        for part, (groups, counts) in zip(("left_only", "both", "right_only"), bars, strict=True):
            assert dict(zip(groups, counts, strict=True)) == {g["group"]: g[part] for g in cli["groups"]}
        assert serious_violations(tab) == []


def test_a_partner_outside_the_agreement_sees_no_run(server, browser):
    with offline_tab(browser, server, OUTSIDER[0]) as tab:
        tab.page.goto(server + "/insight/overlap")
        assert tab.page.query_selector("table.overlap") is None
        assert "placespend insight overlap" in tab.page.inner_text("#no-runs")
