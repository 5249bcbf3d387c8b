"""Shared suppliers in the web app: the /suppliers page (linked from every page), the JSON API, and links and
splits for staff only, audited. Two partners' small files in Manchester's and Newcastle's real layouts."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from web_support import build_workspace, sign_in

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.deepdive.inputs import SAVINGS
from placespend.web.app import create_app

from conftest import Cli, write_csv

MANCHESTER = ["Body Name", "Service Area", "Expenses Type", "Invoice Payment Date", "Transaction Number",
              "Net Amount", "Supplier Name"]
NEWCASTLE = ["Directorate", "Service Area", "Group Description", "Paid Date", "Supplier Name", "Internal Ref",
             "Cap/Rev", "Cost Centre", "Cost Centre Name", "Total (excludes VAT)"]


def _files(folder):
    manchester = [{"Body Name": "Manchester City Council", "Service Area": "Corporate Services",
                   "Expenses Type": expense, "Invoice Payment Date": "2019-06-03", "Transaction Number": str(n),
                   "Net Amount": amount, "Supplier Name": name}
                  for n, (name, amount, expense) in enumerate([("Royal Mail Group Plc", "1200.00", "Postage"),
                                                               ("Capita Business Services Ltd", "800.00", "Licences"),
                                                               ("Biffa Waste Services Ltd", "5000.00", "Refuse")])]
    newcastle = [{"Directorate": "Resources", "Service Area": area, "Group Description": "Revenue Expenditure",
                  "Paid Date": "2019-06-05", "Supplier Name": name, "Internal Ref": "1", "Cap/Rev": "revenue",
                  "Cost Centre": "1D540", "Cost Centre Name": "Post Room", "Total (excludes VAT)": amount}
                 for name, amount, area in [("ROYAL MAIL GROUP PLC", "300.00", "Corporate"),
                                            ("CAPITA BUSINESS SERVICES LTD T/A ORANGE BUS", "200.00", "Revenues")]]
    return (write_csv(folder / "manchester-2019-06.csv", manchester, MANCHESTER),
            write_csv(folder / "newcastle-2019-06.csv", newcastle, NEWCASTLE))


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suppliers-web")
    db = build_workspace(folder)
    Cli(db)("suppliers", "resolve", *_files(folder))
    application = create_app(open_workspace(db))
    ws = application.state.workspace
    application.state.tokens = {role: accounts.new_api_token(ws, accounts.authenticate(ws, role, "correct horse "
                                                                                      "battery"), "t")
                                for role in ("analyst", "viewer")}
    yield application
    ws.close()


def _api(app, role):
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {app.state.tokens[role]}"
    return client


def test_the_page_lists_shared_suppliers_and_every_page_links_to_it(app):
    viewer = sign_in(app, "viewer")
    assert 'href="/suppliers"' in viewer.get("/places").text
    page = viewer.get("/suppliers")
    assert page.status_code == 200
    table = page.text.split('id="shared-suppliers"')[1]
    assert "Royal Mail Group Plc" in table and "£1,500.00" in table and "Postage" in table
    assert "Biffa" not in table                       # paid by one partner only
    assert "Manchester City Council" in page.text.split('id="partners"')[1]


def test_the_api_gives_the_same_figures_and_explains(app):
    viewer = _api(app, "viewer")
    shared = viewer.get("/api/suppliers/shared").json()
    royal = next(s for s in shared["suppliers"] if s["name"] == "Royal Mail Group Plc")
    assert royal["total"] == 1500 and royal["partners"] == 2
    explained = viewer.get("/api/suppliers/explain", params={"left": "ROYAL MAIL GROUP PLC",
                                                           "right": "Royal Mail Group Plc"}).json()
    assert explained["same_supplier"] and explained["steps"][0]["rule"] == "same name once folded"
    missing = viewer.get("/api/suppliers/explain", params={"left": "Nobody Ltd", "right": "Royal Mail"})
    assert missing.status_code == 400 and "No supplier named 'Nobody Ltd'" in missing.json()["error"]["message"]
    download = viewer.get("/api/suppliers/savings", params={"central": "5", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert list(rows[0]) == [column.name for column in SAVINGS.columns]
    assert {r["agency"]: r["central"] for r in rows} == {"Manchester City Council": "100.00",
                                                        "Newcastle City Council": "25.00"}


def test_links_and_splits_are_for_staff_and_audited(app):
    body = {"left": "CAPITA BUSINESS SERVICES LTD T/A ORANGE BUS", "right": "Capita Business Services Ltd",
            "reason": "separate contract"}
    assert _api(app, "viewer").post("/api/suppliers/split", json=body).status_code == 403
    analyst = _api(app, "analyst")
    assert analyst.get("/api/suppliers/explain", params=body).json()["same_supplier"]
    done = analyst.post("/api/suppliers/split", json=body)
    assert done.status_code == 200 and done.json()["same_supplier"] is False
    assert not analyst.get("/api/suppliers/explain", params=body).json()["same_supplier"]
    [override] = analyst.get("/api/suppliers/overrides").json()
    assert (override["action"], override["made_by"], override["reason"]) == ("split", "analyst", "separate contract")
    with app.state.workspace.read() as con:
        audited = con.con.execute("SELECT action, detail FROM audit_log WHERE action LIKE 'suppliers.%'").fetchall()
    assert audited == [("suppliers.split", "separate contract")]
    relinked = analyst.post("/api/suppliers/link", json={**body, "reason": "one contract"})
    assert relinked.json()["same_supplier"] is True
