"""Spend files given to `placespend suppliers resolve`: what is refused (with file, row and column), what is
reported row by row, and that nothing is half-stored.

Small files in Manchester's, Newcastle's and Trafford's real layouts, written here.
"""

from __future__ import annotations

import json

import pytest

from placespend.app import suppliers as uc
from placespend.app.workspace import open_workspace

MANCHESTER = ["Body Name", "Service Area", "Expenses Type", "Invoice Payment Date", "Transaction Number",
              "Net Amount", "Supplier Name"]
NEWCASTLE = ["Directorate", "Service Area", "Group Description", "Paid Date", "Supplier Name", "Internal Ref",
             "Cap/Rev", "Cost Centre", "Cost Centre Name", "Total (excludes VAT)"]
TRAFFORD = ["OrganisationLabel", "OrganisationURI", "EffectiveDate", "OrganisationalUnit", "BeneficiaryName",
            "BeneficiaryOtherID", "PaymentDate", "TransactionNumber", "Amount", "IrrecoverableVATAmount", "Purpose",
            "ProclassLabel", "ProclassCode", "InvoiceNumber", "ProfitCentre", "VATRegistrationNumber"]


def manchester(supplier: str, amount: str, day: int = 3, expense: str = "Postage") -> dict[str, str]:
    return {"Body Name": "Manchester City Council", "Service Area": "Corporate Services", "Expenses Type": expense,
            "Invoice Payment Date": f"2019-06-{day:02d}", "Transaction Number": f"19060{day:02d}",
            "Net Amount": amount, "Supplier Name": supplier}


def newcastle(supplier: str, amount: str, cap_rev: str = "revenue") -> dict[str, str]:
    return {"Directorate": "Resources", "Service Area": "Corporate", "Group Description": "Revenue Expenditure",
            "Paid Date": "2019-06-05", "Supplier Name": supplier, "Internal Ref": "7781964", "Cap/Rev": cap_rev,
            "Cost Centre": "1D540", "Cost Centre Name": "Post Room", "Total (excludes VAT)": amount}


def trafford(supplier: str, amount: str, vat: str, account: str = "3536") -> dict[str, str]:
    return {"OrganisationLabel": "Trafford Council",
            "OrganisationURI": "https://opendatacommunities.org/id/metropolitan-district-council/trafford",
            "EffectiveDate": "2025-03-31", "OrganisationalUnit": "POSTAGE", "BeneficiaryName": supplier,
            "BeneficiaryOtherID": account, "PaymentDate": "2025-03-14", "TransactionNumber": "5100482005",
            "Amount": amount, "IrrecoverableVATAmount": "0.00", "Purpose": "Postage", "ProclassLabel":
            "FACILITIES : Postal Services", "ProclassCode": "251010", "InvoiceNumber": "66943",
            "ProfitCentre": "250210", "VATRegistrationNumber": vat}


def payments_stored(db) -> int:
    ws = open_workspace(db)
    if not ws.exists:
        return 0
    with ws.read() as con:
        if "supplier_payments" not in con.list_tables():
            return 0
        return con.con.execute("SELECT count(*) FROM supplier_payments").fetchone()[0]


def test_a_file_that_is_not_spend_is_refused_and_nothing_is_stored(cli, make_csv):
    good = make_csv("manchester-2019-06.csv", [manchester("Royal Mail Group Plc", "120.00")], MANCHESTER)
    bad = make_csv("minutes.csv", [{"item": "apologies", "owner": "chair"}])
    result = cli("suppliers", "resolve", good, bad, "--format", "json", expect=1)
    files = {f["file"]: f for f in json.loads(result.stdout)["files"]}
    assert files["manchester-2019-06.csv"]["ok"]
    assert [e["slug"] for e in files["minutes.csv"]["errors"]] == ["header-not-found"]
    assert payments_stored(cli.db) == 0             # the good file is not stored either: all or nothing


def test_a_missing_supplier_column_is_named(cli, make_csv):
    columns = [c for c in MANCHESTER if c != "Supplier Name"]
    path = make_csv("no-supplier.csv", [manchester("x", "1.00")], columns)
    result = cli("suppliers", "resolve", path, expect=1)
    assert "column-missing" in result.output and "row 1" in result.output and "Supplier Name" in result.output
    assert "Traceback" not in result.output and payments_stored(cli.db) == 0


def test_a_file_with_no_payments_is_refused(cli, make_csv):
    path = make_csv("empty-month.csv", [], MANCHESTER)
    result = json.loads(cli("suppliers", "resolve", path, "--format", "json", expect=1).stdout)
    assert [e["slug"] for e in result["files"][0]["errors"]] == ["file-no-payments"]


def test_bad_rows_are_reported_by_row_and_column_and_left_out(cli, make_csv):
    rows = [manchester("Royal Mail Group Plc", "120.00"), manchester("Royal Mail Group Plc", "twelve", day=4),
            manchester("Royal Mail Group Plc", "30.50", day=5)]
    path = make_csv("manchester-2019-06.csv", rows, MANCHESTER)
    other = make_csv("newcastle-2019-06.csv", [newcastle("ROYAL MAIL GROUP PLC", "99.99")], NEWCASTLE)
    result = json.loads(cli("suppliers", "resolve", path, other, "--format", "json").stdout)
    warnings = result["files"][0]["warnings"]
    bad = [(w["row"], w["column"], w["value"]) for w in warnings if w["slug"] == "amount-not-number"]
    assert bad == [(3, "Net Amount (F)", "twelve")]
    trail = json.loads(cli("suppliers", "payments", "Royal Mail Group Plc", "--format", "json").stdout)
    assert sorted((p["file_name"], p["source_row"], p["amount"]) for p in trail["payments"]) == [
        ("manchester-2019-06.csv", 2, 120.0), ("manchester-2019-06.csv", 4, 30.5), ("newcastle-2019-06.csv", 2, 99.99)]
    shared = json.loads(cli("suppliers", "shared", "--format", "json").stdout)
    [royal_mail] = shared["suppliers"]
    assert {e["partner"]: e["amount"] for e in royal_mail["by_partner"]} == {
        "manchester-city-council": 150.5, "newcastle-city-council": 99.99}
    assert royal_mail["by_partner"][0]["categories"] == [{"category": "Postage", "scheme": "expense type",
                                                          "amount": 150.5}]


def test_identifiers_are_checked_and_a_redacted_payees_are_not_kept(cli, make_csv):
    rows = [trafford("VLC (Stairlifts) Limited", "3082.50", "GB812311285"),
            trafford("VLC Stairlifts Ltd", "100.00", "GB 812 3112 85", account="9999"),
            trafford("Acme Lifts Ltd", "50.00", "GB12345"),
            trafford("Redacted", "75.00", "GB281653589", account="1")]
    path = make_csv("trafford-2025-03.csv", rows, TRAFFORD)
    result = json.loads(cli("suppliers", "resolve", path, "--format", "json").stdout)
    warnings = result["files"][0]["warnings"]
    vat = [(w["row"], w["column"], w["value"]) for w in warnings if w["slug"] == "vat-number-invalid"]
    assert vat == [(4, "VATRegistrationNumber (P)", "GB12345")]
    assert all("281653589" not in json.dumps(w) for w in warnings)   # a redacted payee's VAT is never echoed
    explained = uc.explain(open_workspace(cli.db), "VLC (Stairlifts) Limited", "VLC Stairlifts Ltd")
    assert explained["same_supplier"]
    with open_workspace(cli.db).read() as con:
        kept = con.con.execute("SELECT payee, vat_number, account FROM supplier_payments "
                               "ORDER BY source_row").fetchall()
    assert kept == [("VLC (Stairlifts) Limited", "812311285", "3536"), ("VLC Stairlifts Ltd", "812311285", "9999"),
                    ("Acme Lifts Ltd", None, "3536"), ("Redacted", None, None)]
    partner = json.loads(cli("suppliers", "shared", "--format", "json").stdout)["partners"][0]
    assert partner["third_party_spend"] == 3307.5 and partner["named_spend"] == 3232.5
    refused = cli("suppliers", "explain", "Redacted", "Acme Lifts Ltd", expect=2)
    assert "not a supplier name" in refused.output


def test_misuse_is_one_clear_line(cli, make_csv):
    path = make_csv("manchester-2019-06.csv", [manchester("Royal Mail Group Plc", "120.00")], MANCHESTER)
    assert "between 0 and 1" in cli("suppliers", "resolve", path, "--threshold", "1.5", expect=2).output
    assert payments_stored(cli.db) == 0
    cli("suppliers", "resolve", path)
    assert "No supplier payments in 2030-31" in cli("suppliers", "shared", "--year", "2030-31", expect=2).output
    assert "0 <= low <= central" in cli("suppliers", "savings", "--central", "5", "--low", "9", expect=2).output
    assert "percentage" in cli("suppliers", "savings", "--central", "five", expect=2).output


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_override_needs_a_reason(cli, make_csv, reason):
    path = make_csv("manchester-2019-06.csv", [manchester("Royal Mail Group Plc", "1.00"),
                                               manchester("Royal Mail", "2.00", day=4)], MANCHESTER)
    cli("suppliers", "resolve", path)
    assert "Say why" in cli("suppliers", "split", "Royal Mail Group Plc", "Royal Mail", "--reason", reason,
                            expect=2).output


@pytest.mark.parametrize("command", ["resolve", "shared", "explain", "link", "split", "savings", "overrides",
                                     "payments"])
def test_every_suppliers_command_has_help(cli, command):
    assert "Usage" in cli("suppliers", command, "--help").output
