"""Malformed reference and open-data files for `placespend import`: each refused with its problem at the right
row and column, nothing changed in the workspace, never a traceback. Several are what the fuzzer
(benchmarks/fuzz_readers.py) found raising exceptions before: short CSV rows, a damaged old Excel file, JSON
that is not a FeatureCollection."""

from __future__ import annotations

import json

import pytest

from conftest import line, snapshot

ODD_XLS = b"\xd0\xcf\x11\xe0" + b"od,region" * 20  # starts as an old Excel file, and is not one
CASES: dict[str, tuple[str, bytes, str, int | None, str | None]] = {
    # name: (file name, content, slug, row, column)
    "regional spend row cut short": ("spend.csv", b"period,region,cofog,amount\n2008-09,London,10,1000\n"
                                                  b"2008-09,London\n", "value-not-number", 3, "amount"),
    "regional spend amount in words": ("spend.csv", b"period,region,cofog,amount\n2008-09,London,10,lots\n",
                                       "value-not-number", 2, "amount"),
    "regional spend COFOG 11": ("spend.csv", b"period,region,cofog,amount\n2008-09,London,11,10\n",
                                "cofog-unknown", 2, "cofog"),
    "regional spend unknown region": ("spend.csv", b"period,region,cofog,amount\n2008-09,Atlantis,10,10\n",
                                      "region-unknown", 2, "region"),
    "regional spend period with slash": ("spend.csv", b"period,region,cofog,amount\n2008/09,London,10,10\n",
                                         "period-format", 2, "period"),
    "statistics area not a GSS code": ("stats.csv", b"area,period,indicator,value\nlewisham,2019,population,5\n",
                                       "area-invalid", 2, "area"),
    "statistics indicator blank": ("stats.csv", b"area,period,indicator,value\nE09000023,2019,,5\n",
                                   "indicator-invalid", 2, "indicator"),
    "statistics value n/a": ("stats.csv", b"area,period,indicator,value\nE09000023,2019,population,n/a\n",
                             "value-not-number", 2, "value"),
    "statistics value infinite": ("stats.csv", b"area,period,indicator,value\nE09000023,2019,population,Infinity\n",
                                  "value-not-number", 2, "value"),
    "statistics row cut short": ("stats.csv", b"area,period,indicator,value\nE09000023,2019\n",
                                 "value-missing", 2, "value"),
    "lookup child not a GSS code": ("lookup.csv", b"relation,child,parent\nlad_region,lewisham,E12000007\n",
                                    "area-invalid", 2, "child"),
    "lookup parent blank": ("lookup.csv", b"relation,child,parent\nlad_region,E09000023,\n",
                            "area-invalid", 2, "parent"),
    "lookup row cut short": ("lookup.csv", b"relation,child,parent\nlad_region\n", "area-invalid", 2, "child"),
    "places area not a GSS code": ("places.csv", b"place,name,area\ntp-x,X,lewisham\n", "area-invalid", 2, "area"),
    "a damaged old Excel file": ("spend.csv", ODD_XLS, "not-excel", None, None),
    "a CSV of no known kind": ("what.csv", b"a,b,c\n1,2,3\n", "kind-unrecognised", None, None),
    "GeoJSON cut off": ("areas.geojson", b'{"type":"FeatureCollection","features":[{"properties":{"LAD21CD":'
                                         b'"E09000023"},"geometry":{"type":"Polygon"}}', "json-invalid", 1, "109"),
    "GeoJSON as a list": ("areas.geojson", b'[{"type":"FeatureCollection"}]', "geojson-invalid", None, None),
    "GeoJSON features not a list": ("areas.geojson", b'{"type":"FeatureCollection","features":{"a":1}}',
                                    "geojson-invalid", None, None),
    "GeoJSON feature without a code": ("areas.geojson", b'{"type":"FeatureCollection","features":[{"properties":'
                                                        b'{"name":"x"},"geometry":{"type":"Point","coordinates":'
                                                        b'[0,0]}}]}', "feature-unidentified", 1, None),
    "360Giving grant beyond any public body's budget": (
        "grants.csv", b"Identifier,Title,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,"
                      b"Recipient Org:Name,Funding Org:Identifier,Funding Org:Name,"
                      b"Beneficiary Location:0:Geographic Code\n"
                      b"360G-x-1,Grant,GBP,1000,2020-03-31,GB-CHC-1,Club,GB-GOR-PB188,Sport England,E09000012\n"
                      b"360G-x-2,Grant,GBP,999999999999,2020-03-31,GB-CHC-1,Club,GB-GOR-PB188,Sport England,"
                      b"E09000012\n", "amount-implausible", 3, "amount"),
    "360Giving JSON without a grants list": ("grants.json", b'{"grants": {"amountawarded": 1}}', "json-no-grants",
                                             None, None),
}


@pytest.fixture
def loaded(cli, make_csv):
    cli("ingest", make_csv("good.csv", [line(amount="99.00")]))
    cli("import", make_csv("stats.csv", [{"area": "E09000023", "period": "2019", "indicator": "population",
                                          "value": "300000"}]))
    return cli


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_import_is_reported_where_it_is_and_changes_nothing(case, loaded, db, tmp_path):
    name, content, slug, row, column = CASES[case]
    path = tmp_path / "bad" / name
    path.parent.mkdir()
    path.write_bytes(content)
    before = snapshot(db.parent)
    result = loaded("import", path, "--format", "json", expect=1)
    assert "Traceback" not in result.output
    [report] = json.loads(result.stdout)
    assert report["outcome"] == "rejected"
    found = [e for e in report["errors"] if e["slug"] == slug]
    assert found, f"expected {slug}, got {[(e['slug'], e['row'], e['column']) for e in report['errors']]}"
    assert (found[0]["row"], found[0]["column"]) == (row, column) and found[0]["message"]
    assert snapshot(db.parent) == before, "a rejected file changed the workspace"
