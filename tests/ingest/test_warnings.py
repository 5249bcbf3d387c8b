"""The warnings for what seed 000 §4.3 complains of: they load, but the count team is told."""

from __future__ import annotations

from conftest import line


def warnings_of(cli, make_csv, rows, name="r.csv"):
    result = cli.json("ingest", make_csv(name, rows))[0]
    assert result["outcome"] == "loaded", result["errors"]
    return {w["slug"]: w for w in result["warnings"]}


def test_mixed_periods_budget_and_no_capital(cli, make_csv):
    found = warnings_of(cli, make_csv, [line(), line(period="2009-10", basis="budget")])
    assert {"mixed-periods", "budget-with-outturn", "no-capital-lines"} <= set(found)


def test_one_off_lines_and_estimated_shares(cli, make_csv):
    found = warnings_of(cli, make_csv, [
        line(capital_revenue="capital", recurrence="one_off", amount="500.00"),
        line(place_share="0.25", apportionment="population_proxy", amount="4000.00"),
    ])
    assert "£" not in found["one-off-lines"]["message"] and "GBP 500.00" in found["one-off-lines"]["message"]
    assert "GBP 1,000.00" in found["place-share-estimated"]["message"]
    assert "last resort" in found["place-share-estimated"]["message"]


def test_bodies_outside_pesa_scope(cli, make_csv):
    found = warnings_of(cli, make_csv, [line(spender="big-lottery", spender_type="lottery", cofog="08",
                                             amount="300.00", capital_revenue="capital")])
    assert "GBP 300.00" in found["outside-pesa-scope"]["message"]


def test_cofog_far_from_peers(cli, make_csv):
    found = warnings_of(cli, make_csv, [line(spender="met", spender_type="police", cofog="09.1",
                                             capital_revenue="capital")])
    assert "cofog-far-from-peers" in found
    quiet = warnings_of(cli, make_csv, [line(spender="met2", spender_type="police", cofog="03.1",
                                             capital_revenue="capital")], name="q.csv")
    assert "cofog-far-from-peers" not in quiet


def test_body_type_inconsistent_with_workspace(cli, make_csv):
    warnings_of(cli, make_csv, [line(capital_revenue="capital")])
    found = warnings_of(cli, make_csv, [line(spender="pct", spender_type="nhs", cofog="07", flow="transfer",
                                             recipient="lbl", recipient_type="nhs", capital_revenue="capital")],
                        name="pct.csv")
    assert "body-type-inconsistent" in found
