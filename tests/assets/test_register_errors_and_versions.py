"""Bad registers are refused with every problem at its row and column and nothing loaded; a good re-import
replaces the owner's register as a new version and keeps the old one."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook

from conftest import register_row, snapshot, write_assets_template, write_csv


def _problems(result: dict) -> set[tuple[str, int | None, str | None]]:
    return {(e["slug"], e["row"], e["column"]) for e in result["errors"]}


def test_every_bad_cell_is_reported_at_its_row_and_column_and_nothing_loads(cli, tmp_path):
    good = write_csv(tmp_path / "good.csv", [register_row("A1", -2.35, 53.39), register_row("A2", -2.30, 53.40)])
    cli("assets", "import", good, "--owner", "council")
    before = snapshot(cli.db.parent)
    rows = [
        register_row("B1", -2.35, 53.39),                      # row 2: fine
        register_row("B2", "west", 53.39),                     # row 3: GeoX not a number
        register_row("B3", -2.35, ""),                         # row 4: one coordinate only
        register_row("B1", -2.31, 53.41),                      # row 5: AssetCode repeated
        register_row("B5", -2.35, 53.39, BuildingSize="-40"),  # row 6: negative floor area
        register_row("B6", -2.35, 53.39, UPRN="12-34"),        # row 7: not a UPRN
        register_row("B7", 1, 2, crs="Mars grid"),             # row 8: unknown reference system
        register_row("", -2.35, 53.39),                        # row 9: no AssetCode
    ]
    result = cli.json("assets", "import", write_csv(tmp_path / "bad.csv", rows), "--owner", "council",
                      expect=1)
    assert result["outcome"] == "rejected"
    assert _problems(result) == {
        ("coordinate-not-number", 3, "GeoX"), ("coordinate-missing", 4, "GeoY"),
        ("asset-code-duplicated", 5, "AssetCode"), ("size-invalid", 6, "BuildingSize"), ("uprn-invalid", 7, "UPRN"),
        ("crs-unknown", 8, "CoordinateReferenceSystem"), ("asset-code-missing", 9, "AssetCode")}
    assert snapshot(cli.db.parent) == before  # byte for byte: nothing half-loaded
    assert [a["asset"] for a in cli.json("assets", "list")["assets"]] == ["A1", "A2"]


def test_template_cells_running_cost_utilisation_and_lease_end_are_checked(cli, tmp_path):
    rows = [{"asset_code": "T1", "running_cost": "a lot", "utilisation": "140%", "lease_end": "next year"}]
    result = cli.json("assets", "import", write_assets_template(tmp_path / "t.xlsx", rows), "--owner", "pct", expect=1)
    assert _problems(result) == {("amount-not-number", 2, "running_cost"),
                                 ("utilisation-out-of-range", 2, "utilisation"), ("date-invalid", 2, "lease_end")}
    assert {e["sheet"] for e in result["errors"]} == {"Assets"}


def test_files_that_are_not_registers_are_refused_clearly(cli, tmp_path):
    book = Workbook()
    book.active.title = "Land"
    book.save(tmp_path / "other.xlsx")
    no_sheet = cli.json("assets", "import", tmp_path / "other.xlsx", "--owner", "pct", expect=1)
    assert [e["slug"] for e in no_sheet["errors"]] == ["sheet-missing"]
    (tmp_path / "spend.csv").write_text("period,place,spender,amount\n2024-25,E08000009,x,1\n")
    no_header = cli.json("assets", "import", tmp_path / "spend.csv", "--owner", "pct", expect=1)
    assert [e["slug"] for e in no_header["errors"]] == ["header-not-found"]
    preamble = tmp_path / "preamble.csv"
    preamble.write_text("Land and buildings 2024\n" + write_csv(tmp_path / "x.csv", [register_row("P1")]).read_text())
    assert [e["slug"] for e in cli.json("assets", "import", preamble, "--owner", "pct", expect=1)["errors"]] == \
        ["preamble"]
    assert "Name the body" in cli("assets", "import", tmp_path / "x.csv", "--owner", " ", expect=2).output


def test_reimport_is_a_new_version_with_history(cli, tmp_path):
    first = write_csv(tmp_path / "v1.csv", [register_row("A1", -2.35, 53.39), register_row("A2", -2.30, 53.40)])
    second = write_csv(tmp_path / "v2.csv", [register_row("A1", -2.35, 53.39), register_row("A3", -2.32, 53.41)])
    one = cli.json("assets", "import", first, "--owner", "Council")
    again = cli.json("assets", "import", first, "--owner", "council")
    assert again["outcome"] == "unchanged" and again["register_id"] == one["register_id"]
    two = cli.json("assets", "import", second, "--owner", "COUNCIL ")
    assert two["register_id"] == one["register_id"] + 1
    assert [a["asset"] for a in cli.json("assets", "list")["assets"]] == ["A1", "A3"]
    versions = cli.json("assets", "history", "--owner", "council")
    assert [(v["register_id"], v["current"], v["superseded_by"]) for v in versions] == [
        (two["register_id"], True, None), (one["register_id"], False, two["register_id"])]
    stored = sorted(p.name for p in (cli.db.parent / "test.submissions").iterdir())
    assert len(stored) == 2  # both files kept unchanged under their hash
    assert [v["file_name"] for v in versions] == ["v2.csv", "v1.csv"]
    # the first version can still be read back: importing it again makes it current once more
    back = cli.json("assets", "import", first, "--owner", "council")
    assert back["outcome"] == "loaded" and [a["asset"] for a in cli.json("assets", "list")["assets"]] == ["A1", "A2"]


def test_template_assets_sheet_is_read_by_assets_import_and_never_by_the_count(cli, tmp_path):
    path = write_assets_template(tmp_path / "return.xlsx", [{"asset_code": "S1", "property_name": "Depot",
                                                             "running_cost": 1000, "utilisation": 0.5}])
    book = load_workbook(path)
    sheet = book["Spend"]
    at = {c.value: c.column for c in sheet[1]}
    for name, value in {"period": "2008-09", "place": "E09000023", "spender": "lbl", "spender_type":
                        "local_authority", "flow": "spend", "amount": 250, "cofog": "10.2"}.items():
        sheet.cell(2, at[name], value)
    book.save(path)
    headings = [c.value for c in load_workbook(path)["Assets"][1]]
    assert headings[0] == "asset_code" and {"running_cost", "utilisation", "services", "lease_end"} <= set(headings)
    cli("ingest", path)
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 250
    assert cli.json("assets", "list")["assets"] == []
    result = cli.json("assets", "import", path, "--owner", "lbl")
    assert result["assets"] == 1 and result["outcome"] == "loaded"
    assert cli.json("assets", "list")["assets"][0]["running_cost"] == 1000
