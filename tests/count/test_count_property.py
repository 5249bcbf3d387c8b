"""The count against an independent, deliberately plain implementation of DESIGN.md §4, to the penny.

Hypothesis builds random ledgers (transfers to reporting and non-reporting recipients, bodies that only pass
money on, chains and cycles of transfers, place shares, lines outside the place or period, a composite place
of several areas), loads them through the real CLI into a real DuckDB workspace, and compares every figure of
the count as the CLI gives it (SQL compiled ahead of time) and as Ibis computes it (tests/count_ways.py).

Thirty new ledgers a run. The mutation run (Makefile `mutation`, TESTING.md) sets PLACESPEND_HYPOTHESIS=mutation:
six ledgers, the same six on every run (derandomised), and a failing one is reported as it is (no shrinking), so
that the property test still judges every mutant it reaches but costs seconds instead of minutes. Six ledgers
catch less than thirty: what they miss must be caught by the figures worked by hand, or the mutant survives.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from count_ways import count_ways

from conftest import Cli, write_csv

AREAS = ["E07000001", "E07000002", "E07000003"]
OUTSIDE = "E07000099"
BODIES = {f"b{i}": kind for i, kind in enumerate(
    ["local_authority", "nhs", "police", "central_government", "third_sector", "fire", "education", "ndpb"])}
SILENT = {"s0": "third_sector", "s1": "private"}  # receive money, never submit a return
COFOG = ["01", "03.1", "04.5", "07.3", "09.1", "10.2", "10.4"]

amounts = st.decimals(min_value=0, max_value=Decimal("5000000000"), places=2, allow_nan=False)
shares = st.one_of(st.just(Decimal(1)), st.sampled_from([Decimal("0.5"), Decimal("0.33333333"), Decimal("0.045")]),
                   st.decimals(min_value=0, max_value=1, places=8, allow_nan=False))


@st.composite
def ledger_line(draw, spender: str) -> dict[str, str]:
    flow = draw(st.sampled_from(["spend", "spend", "transfer"]))
    row = {"period": draw(st.sampled_from(["2008-09", "2008-09", "2008-09", "2009-10"])),
           "place": draw(st.sampled_from([*AREAS, "pilot", OUTSIDE])), "spender": spender,
           "spender_type": BODIES[spender], "flow": flow, "amount": str(draw(amounts)),
           "cofog": draw(st.sampled_from(COFOG)), "place_share": str(draw(shares))}
    if flow == "transfer":
        recipient = draw(st.sampled_from([b for b in [*BODIES, *SILENT] if b != spender]))
        row["recipient"] = recipient.upper() if draw(st.booleans()) else recipient  # ids are case-insensitive
        row["recipient_type"] = {**BODIES, **SILENT}[recipient]
    if draw(st.booleans()):
        row["funder"] = draw(st.sampled_from(list(BODIES)))
        row["funder_type"] = BODIES[row["funder"]]
    return row


ledgers = st.dictionaries(st.sampled_from(list(BODIES)),
                          st.integers(1, 6), min_size=1, max_size=len(BODIES)).flatmap(
    lambda sizes: st.fixed_dictionaries({b: st.lists(ledger_line(b), min_size=n, max_size=n)
                                         for b, n in sizes.items()}))


def independent_count(rows: list[dict[str, str]], period: str) -> dict[str, object]:
    """DESIGN.md §4 read literally, in plain Python."""
    scope = {"pilot", *(a.lower() for a in AREAS)}
    lines = [r for r in rows if r["period"] == period and r["place"].lower() in scope]

    def counted(r: dict[str, str]) -> Decimal:
        return (Decimal(r["amount"]) * Decimal(r["place_share"])).quantize(Decimal("0.01"), ROUND_HALF_UP)

    reporters = {r["spender"].lower() for r in lines}  # the spender of any line in scope, of either flow
    total = unreported = eliminated = Decimal(0)
    by_cofog: dict[str, Decimal] = defaultdict(Decimal)
    by_type: dict[str, Decimal] = defaultdict(Decimal)
    for r in lines:
        amount = counted(r)
        if r["flow"] == "transfer" and r["recipient"].lower() in reporters:
            eliminated += amount
            continue
        if r["flow"] == "transfer":
            unreported += amount
        total += amount
        by_cofog[r["cofog"][:2]] += amount
        by_type[r["spender_type"] if r["flow"] == "spend" else r["recipient_type"]] += amount
    spenders = {r["spender"].lower() for r in lines if r["flow"] == "spend"}
    received: dict[str, Decimal] = defaultdict(Decimal)
    passed_on: dict[str, Decimal] = defaultdict(Decimal)
    for r in lines:
        if r["flow"] == "transfer":
            received[r["recipient"].lower()] += counted(r)
            passed_on[r["spender"].lower()] += counted(r)
    pass_through = {body: (received[body], passed_on[body], received[body] - passed_on[body])
                    for body in sorted(set(received) & set(passed_on) - spenders)}
    return {"total": total, "unreported": unreported, "eliminated": eliminated, "lines": len(lines),
            "by_cofog": dict(by_cofog), "by_spender_type": dict(by_type), "pass_through": pass_through}


PROFILES = {
    "default": settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]),
    "mutation": settings(max_examples=6, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
                         deadline=None, suppress_health_check=[HealthCheck.too_slow]),
}


@PROFILES[os.environ.get("PLACESPEND_HYPOTHESIS", "default")]
@given(ledger=ledgers, period=st.sampled_from(["2008-09", "2009-10"]))
def test_count_matches_independent_implementation(ledger: dict[str, list[dict[str, str]]], period: str):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cli = Cli(folder / "ws.duckdb")
        places = [{"place": "pilot", "name": "Pilot", "area": a} for a in AREAS]
        cli("import", write_csv(folder / "places.csv", places))
        files = [write_csv(folder / f"{body}.csv", rows, columns=_columns(rows)) for body, rows in ledger.items()]
        cli("ingest", *files)
        ways = count_ways(cli, "pilot", period)
    want = independent_count([r for rows in ledger.values() for r in rows], period)
    for way, got in ways:
        assert Decimal(str(got["total"])) == want["total"], way
        assert Decimal(str(got["unreported_transfers"])) == want["unreported"], way
        assert Decimal(str(got["eliminated_transfers"])) == want["eliminated"], way
        assert got["lines"] == want["lines"], way
        assert {k: Decimal(str(v)) for k, v in got["by_cofog"].items()} == want["by_cofog"], way
        assert {k: Decimal(str(v)) for k, v in got["by_spender_type"].items()} == want["by_spender_type"], way
        assert {r["body"]: tuple(Decimal(str(r[k])) for k in ("received", "passed_on", "difference"))
                for r in got["pass_through"]} == want["pass_through"], way


def _columns(rows: list[dict[str, str]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))
