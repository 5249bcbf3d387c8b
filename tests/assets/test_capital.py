"""Capital beside the estate: the ledger's capital lines by partner and COFOG division, counted as the count
counts them (transfers to reporters eliminated, to non-reporters counted as the recipient's)."""

from __future__ import annotations

from decimal import Decimal

from conftest import line, register_row, write_csv


def test_capital_by_partner_and_function_beside_the_estate(cli, make_csv, tmp_path):
    cli("ingest", make_csv("lbl.csv", [
        line(amount="1000.00", cofog="10.2", capital_revenue="capital"),
        line(amount="500.00", cofog="04.5", capital_revenue="capital"),
        line(amount="9999.00", cofog="10.2"),  # revenue: not capital
        line(amount="250.00", cofog="07", flow="transfer", recipient="pct", recipient_type="nhs",
             capital_revenue="capital"),  # to a body that reports its spend: eliminated
        line(amount="300.00", cofog="10.7", flow="transfer", recipient="foodbank", recipient_type="third_sector",
             capital_revenue="capital"),  # to a body that reports nothing: counted as the foodbank's
    ]))
    cli("ingest", make_csv("pct.csv", [
        line(spender="pct", spender_type="nhs", amount="400.00", cofog="07.3", capital_revenue="capital"),
        line(spender="pct", spender_type="nhs", amount="200.00", cofog="07.1", capital_revenue="capital",
             place_share="0.5", apportionment="body_estimate"),
    ]))
    cli("assets", "import", write_csv(tmp_path / "lbl-assets.csv", [
        register_row("H1", -0.02, 51.45, BuildingSize="1200.5"), register_row("H2", BuildingSize="300")]),
        "--owner", "LBL", "--place", "E09000023")
    out = cli.json("assets", "capital", "--place", "E09000023", "--year", "2008-09")
    count = cli.json("count", "--place", "E09000023", "--year", "2008-09")
    assert Decimal(str(out["total"])) == Decimal("2300.00") == Decimal(str(count["by_capital_revenue"]["capital"]))
    partners = {p["partner"]: p for p in out["partners"]}
    assert {k: Decimal(str(p["capital"])) for k, p in partners.items()} == {
        "lbl": Decimal("1500.00"), "pct": Decimal("500.00"), "foodbank": Decimal("300.00")}
    assert partners["lbl"]["by_cofog"] == {"10": 1000, "04": 500}
    assert partners["pct"]["by_cofog"] == {"07": 500}
    assert partners["lbl"]["estate"]["assets"] == 2 and partners["lbl"]["estate"]["building_size"] == 1500.5
    assert partners["pct"]["estate"] is None
    assert [p["partner"] for p in out["partners"]] == ["lbl", "pct", "foodbank"]
    assert "not a financial year" in cli("assets", "capital", "--place", "E09000023", "--year", "2008", expect=2).output
