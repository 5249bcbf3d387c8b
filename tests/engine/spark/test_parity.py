"""Every method-layer query gives identical results on DuckDB and on Spark, to the penny (DESIGN.md §2).

The figures worked by hand (the count and its pass-through chains, explain, composition, concentration, local
control, funding routes, per head, the estimate and compare) are checked on both engines by their own tests:
those take the `engine` fixture (tests/conftest.py), so one suite runs on DuckDB and on Spark. What remains
here compares whole results where no hand-worked figure exists: the demo and a synthetic national ledger, the
count of every place, more filters of explain, the ward mapping, the CLI and a Parquet ledger on shared storage.
The same function is called with a DuckDB connection and with a Spark connection over the same ledger
exported as Parquet; results are compared as plain data with their types (Decimal stays Decimal). No
timings here: performance lives in benchmarks/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parity_ledgers import (
    LEWISHAM,
    Ledger,
    build_demo_ledger,
    build_hand_ledger,
    build_synthetic_ledger,
)

from conftest import Cli

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]' runs the Spark suite")

from placespend.analysis.compare import compare_places
from placespend.analysis.composition import composition
from placespend.analysis.concentration import concentration
from placespend.analysis.funding_routes import funding_routes
from placespend.analysis.local_control import local_control
from placespend.analysis.ward_mapping import map_to_wards
from placespend.count.consolidate import count_place
from placespend.count.every_place_count import body_totals, count_all_places
from placespend.count.explain import explain
from placespend.count.reconcile import reconciliation
from placespend.estimate.centre_out import estimate_place
from placespend.estimate.criteria import shipped_criteria

pytestmark = [pytest.mark.spark,
              # pyspark 4.0 and ibis 12 still use pandas options that pandas 3 deprecates; harmless here.
              pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:.*(infer_string|copy keyword).*")]
YEAR = "2008-09"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: Spark needs Java 17 (apt-get install default-jre-headless)")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("placespend-parity")
               .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false").config("spark.driver.bindAddress", "127.0.0.1")
               # Tiny ledgers: compiling code and re-planning adaptively cost more than they save.
               .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _ledger(factory: pytest.TempPathFactory, spark: Any, name: str, build: Any) -> Iterator[Ledger]:
    folder: Path = factory.mktemp(name)
    cli = Cli(folder / f"{name}.duckdb")
    build(cli, folder)
    ledger = Ledger(cli, spark)
    yield ledger
    ledger.duck.disconnect()


@pytest.fixture(scope="module")
def hand(tmp_path_factory, spark) -> Iterator[Ledger]:
    yield from _ledger(tmp_path_factory, spark, "hand", build_hand_ledger)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, spark) -> Iterator[Ledger]:
    yield from _ledger(tmp_path_factory, spark, "demo", build_demo_ledger)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, spark) -> Iterator[Ledger]:
    yield from _ledger(tmp_path_factory, spark, "synthetic", build_synthetic_ledger)


def test_money_stays_decimal_on_spark(hand):
    schema = hand.spark.table("flows").schema()
    assert str(schema["amount"]) == "decimal(18, 2)" and str(schema["counted_amount"]) == "decimal(18, 2)"


@pytest.mark.parametrize("filters", [{"cofog": "10"}, {"cofog": "09.1"}, {"status": "unreported"},
                                     {"status": "eliminated"}, {"body_type": "nhs", "include_eliminated": True}])
def test_explain(hand, filters):
    hand.same(lambda con: explain(con, "tp-pilot", YEAR, **filters))


@pytest.mark.parametrize(("place", "criteria"), [("duo", "population"), ("duo", "needs"), ("tp-pilot", "needs")])
def test_estimate(hand, place, criteria):
    hand.same(lambda con: estimate_place(con, place, YEAR, shipped_criteria(criteria)))


def test_compare_places_hand(hand):
    sets = [shipped_criteria("population"), shipped_criteria("needs")]
    rows, aggregate = hand.same(lambda con: compare_places(con, ["duo", "tp-pilot"], YEAR, sets))
    assert aggregate is not None and all(r["centre_out"] for r in rows)


def test_ward_mapping(hand):
    mapping = hand.same(lambda con: map_to_wards(con, LEWISHAM, YEAR, shipped_criteria("population"), "2019"))
    assert sum(w["amount"] for w in mapping["wards"]) == mapping["total"]


def test_demo_count_and_analyses(demo):
    demo.same(lambda con: count_place(con, "tp-lewisham", YEAR))
    demo.same(lambda con: reconciliation(con, LEWISHAM, YEAR))
    demo.same(lambda con: composition(con, ["tp-lewisham"], YEAR))
    demo.same(lambda con: concentration(con, ["tp-lewisham"], YEAR))
    demo.same(lambda con: local_control(con, ["tp-lewisham"], YEAR))
    demo.same(lambda con: funding_routes(con, ["tp-lewisham"], YEAR))
    demo.same(lambda con: estimate_place(con, LEWISHAM, YEAR, shipped_criteria("population")))


def test_all_places(demo, synthetic):
    for ledger in (demo, synthetic):
        counts = ledger.same(lambda con: count_all_places(con, YEAR))
        ledger.same(lambda con: body_totals(con, YEAR))
        assert counts


def test_synthetic_places(synthetic):
    places = ["tp-pilot-0"]  # a composite of several districts of the synthetic national ledger
    sets = [shipped_criteria("population")]
    rows, _ = synthetic.same(lambda con: compare_places(con, places, YEAR, sets))
    synthetic.same(lambda con: concentration(con, places, YEAR))
    assert rows[0]["locally_led"] and rows[0]["centre_out"]


def test_cli_engine_spark(hand, spark):
    """`--engine spark` on the real CLI: same JSON as DuckDB, through the workspace's own Parquet export."""
    cli = hand.cli
    for args in (["count", "--place", "tp-pilot", "--year", YEAR],
                 ["estimate", "--place", "duo", "--year", YEAR],
                 ["analyse", "routes", "--place", "tp-pilot", "--year", YEAR]):
        assert cli.json(*args, "--engine", "spark") == cli.json(*args), args
    assert cli.db.with_name(cli.db.stem + ".parquet").is_dir()


def test_cli_reads_a_parquet_ledger_on_shared_storage(hand, tmp_path, monkeypatch):
    """PLACESPEND_LEDGER names a Parquet root (as on a cluster): the DuckDB workspace is not needed at all."""
    monkeypatch.setenv("PLACESPEND_LEDGER", str(hand.folder))
    elsewhere = Cli(tmp_path / "no-such-workspace.duckdb")
    args = ["count", "--place", "tp-pilot", "--year", YEAR]
    assert elsewhere.json(*args, "--engine", "spark") == hand.cli.json(*args)
    assert not elsewhere.db.exists()


@pytest.fixture(scope="module")
def merged(tmp_path_factory, spark) -> Iterator[Ledger]:
    """The hand ledger after the bodies register merged a recipient into another body (read through aliases)."""
    def build(cli: Cli, folder: Path) -> None:
        build_hand_ledger(cli, folder)
        import duckdb

        raw = duckdb.connect(str(cli.db), read_only=True)
        recipient, spender = raw.execute(
            "SELECT recipient, min(spender) FROM flows WHERE flow = 'transfer' AND recipient NOT IN "
            "(SELECT spender FROM flows WHERE flow = 'spend') GROUP BY 1 ORDER BY 1 LIMIT 1").fetchone()
        (other,) = raw.execute("SELECT min(spender) FROM flows WHERE flow = 'spend' AND spender <> ?",
                               [spender]).fetchone()
        raw.close()
        cli("bodies", "merge", recipient, other, "--reason", "parity test", "--by", "test")

    yield from _ledger(tmp_path_factory, spark, "merged", build)


def test_merged_bodies_count_alike_on_both_engines(merged):
    rows = merged.same(lambda con: con.table("body_aliases").to_pyarrow().to_pylist())
    assert rows, "the merge reached the Spark export"
    merged.same(lambda con: count_place(con, "tp-pilot", YEAR))
    merged.same(lambda con: count_all_places(con, YEAR))
