"""Ledgers for the Spark parity suite, built through the real CLI, and the exact comparison of two results.

- hand: the hand-worked partnership of tests/count (a composite pilot, chains, a pooled-budget cycle, an
  unreported charity), the analyses' Lewisham ledger of tests/analysis, the estimate's small London region of
  tests/estimate, and LSOAs and wards of Lewisham for Mapping the Money; with canonical regional spend, place
  statistics and LAD -> region lookups so that every estimate, comparison and analysis has what it needs;
- chain: department -> regional agency (a pass-through) -> council chains, from tests/count;
- demo: `placespend demo` (the 13 pilots and the synthetic Lewisham partnership), plus London's regional spend;
- synthetic: `placespend bench generate --lines 20000` (412 places, thousands of bodies, transfer chains).

`Ledger` holds one of them on both engines and checks a computation gives the same result on each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis

from placespend.app.workspace import open_workspace
from placespend.engine.ledger import ledger_of
from placespend.engine.spark import export_parquet, spark_backend

from conftest import Cli, demo_copy, line, write_csv

LEWISHAM = "E09000023"
POPULATION = {"E09000001": 100, "E09000002": 300, "E09000003": 600, LEWISHAM: 260000, "E07000001": 120000,
              "E07000002": 90000, "E07000003": 150000}
IMD = {"E09000001": "20.5", "E09000002": "30", "E09000003": "10", LEWISHAM: "31.4", "E07000001": "12.25",
       "E07000002": "18.5", "E07000003": "9.75"}
LSOAS = {"E01000001": ["E05000001"], "E01000002": ["E05000001"], "E01000003": ["E05000001", "E05000002"],
         "E01000004": ["E05000002"]}


def _reference(cli: Cli, folder: Path) -> None:
    london = {a: "E12000007" for a in ("E09000001", "E09000002", "E09000003", LEWISHAM)}
    south_east = {a: "E12000008" for a in ("E07000001", "E07000002", "E07000003")}
    lookups = [{"relation": "lad_region", "child": a, "parent": r} for a, r in {**london, **south_east}.items()]
    lookups += [{"relation": "lsoa_lad", "child": lsoa, "parent": LEWISHAM} for lsoa in LSOAS]
    lookups += [{"relation": "lsoa_ward", "child": lsoa, "parent": ward, "parent_name": f"Ward {ward[-1]}",
                 "vintage": "2019"} for lsoa, wards in LSOAS.items() for ward in wards]
    cli("import", write_csv(folder / "lookups.csv", lookups))
    stats = []
    for area, people in POPULATION.items():
        for indicator, value in (("population", people), ("population_0_18", people // 4),
                                 ("population_65_plus", people // 6), ("households", people * 2 // 5),
                                 ("imd_average_score", IMD[area]), ("population_age_weighted_health", people * 2)):
            stats.append({"area": area, "period": "2019", "indicator": indicator, "value": value})
    stats += [{"area": area, "period": "2008", "indicator": "population", "value": people - 7}
              for area, people in POPULATION.items()]
    stats += [{"area": lsoa, "period": period, "indicator": "population", "value": 1500 + 111 * n + len(period)}
              for n, lsoa in enumerate(LSOAS) for period in ("2008", "2019")]
    cli("import", write_csv(folder / "stats.csv", stats))
    spend = [{"period": "2008-09", "region": region, "cofog": c, "amount": a}
             for region in ("London", "South East")
             for c, a in (("10", "1000000.00"), ("07", "500000.00"), ("09", "333333.33"), ("03", "10.01"),
                          ("08", "777.77"))]
    cli("import", write_csv(folder / "spend.csv", spend))


def _partnership(a1: str = "E07000001", a2: str = "E07000002") -> dict[str, list[dict[str, Any]]]:
    return {
        "p-dept.csv": [line(place=a1, spender="dept", spender_type="central_government", flow="transfer",
                            amount="1000.00", recipient="council", recipient_type="local_authority", cofog="09.1"),
                       line(place=a1, spender="dept", spender_type="central_government", amount="300.00",
                            cofog="10.9")],
        "p-council.csv": [line(place=a2, spender="council", spender_type="local_authority", amount="700.00",
                               cofog="09.1", funder="dept", funder_type="central_government", ring_fenced="yes"),
                          line(place=a2, spender="council", spender_type="local_authority", flow="transfer",
                               amount="200.00", recipient="pct", recipient_type="nhs", cofog="10.1",
                               funder="dept", funder_type="central_government"),
                          line(place=a2, spender="council", spender_type="local_authority", flow="transfer",
                               amount="100.00", recipient="charity", recipient_type="third_sector", cofog="10.7",
                               funder="dept", funder_type="central_government")],
        "p-pct.csv": [line(place=a1, spender="pct", spender_type="nhs", amount="1000.00", cofog="07.3",
                           place_share="0.5", apportionment="body_estimate", statutory="yes"),
                      line(place=a1, spender="pct", spender_type="nhs", flow="transfer", amount="50.00",
                           recipient="council", recipient_type="local_authority", cofog="10.1")],
        "p-other.csv": [line(place="E07000099", spender="other", amount="999.00")],
        "p-late.csv": [line(place=a1, period="2009-10", spender="late", amount="888.00")],
        "d-lbl.csv": [line(place="E09000001", spender="lbl", amount="300000.00", cofog="10"),
                      line(place="E09000001", spender="lbl", amount="0.01", cofog="07.1", basis="budget")],
        "d-lot.csv": [line(place="E09000002", amount="5000.00", cofog="08", spender="lot", spender_type="lottery",
                           capital_revenue="capital", place_share="0.33333333", apportionment="population_proxy")],
    }


def build_hand_ledger(cli: Cli, folder: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "analysis"))
    from analysis_support import ledger_files

    cli("import", write_csv(folder / "places.csv", [
        {"place": "tp-pilot", "name": "Pilot", "area": "E07000001", "region": "South East"},
        {"place": "tp-pilot", "name": "Pilot", "area": "E07000002", "region": "South East"},
        {"place": "duo", "name": "Duo", "area": "E09000001"}, {"place": "duo", "name": "Duo", "area": "E09000002"},
        {"place": LEWISHAM, "name": "Lewisham", "area": LEWISHAM, "region": "London"},
    ]))
    _reference(cli, folder)
    files = {**_partnership(), **{f"a-{name}": rows for name, rows in ledger_files().items()}}
    cli("ingest", *[write_csv(folder / "in" / name, rows) for name, rows in files.items()])
    # A newer return from the parish supersedes its first one: only the newer slice may count.
    cli("ingest", write_csv(folder / "in" / "a-parish-v2.csv", [
        line(spender="parish", spender_type="parish", amount="41000.00", cofog="08.1")]))


def build_demo_ledger(cli: Cli, folder: Path) -> None:
    demo_copy(cli.db)
    _reference(cli, folder)


def build_synthetic_ledger(cli: Cli, folder: Path) -> None:
    cli("bench", "generate", "--lines", "20000", "--seed", "7", "--out", str(cli.db))


def plain(value: Any) -> Any:
    """Results as plain data: dataclasses as dicts, Ibis tables as their rows (sorted: row order is free)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "to_pyarrow") and hasattr(value, "schema"):
        rows = [plain(r) for r in value.to_pyarrow().to_pylist()]
        return sorted(rows, key=repr)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    return value


def assert_identical(duck: Any, spark: Any, where: str = "result") -> None:
    """Same structure, same types and the same values: Decimals equal to the last digit, not approximately."""
    assert type(duck) is type(spark), f"{where}: {type(duck).__name__} on DuckDB, {type(spark).__name__} on Spark"
    if isinstance(duck, dict):
        assert list(duck) == list(spark), f"{where}: keys {list(duck)} vs {list(spark)}"
        for key in duck:
            assert_identical(duck[key], spark[key], f"{where}.{key}")
    elif isinstance(duck, list | tuple):
        assert len(duck) == len(spark), f"{where}: {len(duck)} items vs {len(spark)}"
        for n, (a, b) in enumerate(zip(duck, spark, strict=True)):
            assert_identical(a, b, f"{where}[{n}]")
    else:
        assert duck == spark, f"{where}: {duck!r} vs {spark!r}"


class Ledger:
    """A workspace with a DuckDB connection and a Spark connection over its Parquet export."""

    def __init__(self, cli: Cli, spark: Any) -> None:
        self.cli, self.ws = cli, open_workspace(cli.db)
        self.folder = cli.db.with_name("parity.parquet")
        export_parquet(self.ws, self.folder)
        self.spark = spark_backend(str(self.folder), spark)
        self.duck = ibis.duckdb.connect(str(self.ws.path), read_only=True)

    def same(self, compute: Callable[[Any], Any]) -> Any:
        """Run `compute(con)` on both engines, assert the results identical, return DuckDB's."""
        on_duck, on_spark = plain(compute(ledger_of(self.duck))), plain(compute(ledger_of(self.spark)))
        assert_identical(on_duck, on_spark)
        return on_duck
