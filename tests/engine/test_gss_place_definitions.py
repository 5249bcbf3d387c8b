"""A place whose id is itself a GSS code (a district with partners in a neighbour's area, say) is counted with
every member area. The places import once stored such an id in lower case while the count upper-cases a GSS
code, so `count --place E09000023` counted the district alone: a silent wrong figure."""

from __future__ import annotations

import duckdb
from workspace_support import workspace_at

from conftest import Cli, line

PLACES = [{"place": "E09000023", "name": "Lewisham and Greenwich housing", "area": "E09000023"},
          {"place": "E09000023", "name": "Lewisham and Greenwich housing", "area": "E09000011"}]
GREENWICH = line(spender="ghg", spender_type="housing", place="E09000011", cofog="06", amount="777.25")


def test_a_place_named_by_a_gss_code_counts_its_member_areas(cli, make_csv):
    cli("ingest", make_csv("lbl.csv", [line(amount="1000.50")]))
    cli("ingest", make_csv("ghg.csv", [GREENWICH]))
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 1000.50  # no definition yet
    cli("import", make_csv("places.csv", PLACES))
    assert [p["place"] for p in cli.json("places")] == ["E09000023"]
    for asked in ("E09000023", "e09000023", " E09000023 "):
        counted = cli.json("count", "--place", asked, "--year", "2008-09")
        assert counted["total"] == 1000.50 + 777.25 and counted["lines"] == 2


def test_a_definition_stored_in_lower_case_is_upper_cased_on_opening(tmp_path, make_csv):
    db = workspace_at(tmp_path / "old.duckdb", 11)  # LBL's 1000.50 and 234.00 in E09000023
    raw = duckdb.connect(str(db))
    raw.execute("INSERT INTO places VALUES ('e09000023', 'Lewisham and Greenwich housing', NULL)")
    raw.execute("INSERT INTO place_areas VALUES ('e09000023', 'E09000023'), ('e09000023', 'E09000011')")
    raw.close()
    cli = Cli(db)
    cli("ingest", make_csv("ghg.csv", [GREENWICH]))
    assert [(p["place"], p["name"]) for p in cli.json("places")] == [("E09000023", "Lewisham and Greenwich housing")]
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 1000.50 + 234.00 + 777.25
