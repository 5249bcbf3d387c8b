"""The count and the analyses on a real Spark cluster give DuckDB's results to the penny (DESIGN.md §2).

tests/engine/spark/test_parity.py runs Spark in local mode: driver and executors in one JVM. Here a standalone
master and two workers run as separate processes on 127.0.0.1 (tests/engine/spark/standalone_cluster.py), the
product connects to them through `PLACESPEND_SPARK_MASTER=spark://...` as it would to any cluster, and the
work is checked to have been done by executors on both workers, not by the driver.
"""

from __future__ import annotations

import json
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from parity_ledgers import Ledger, build_synthetic_ledger
from standalone_cluster import StandaloneCluster, standalone_cluster

from conftest import Cli

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]' runs the Spark suite")

from placespend.analysis.composition import composition
from placespend.analysis.concentration import concentration
from placespend.analysis.funding_routes import funding_routes
from placespend.analysis.local_control import local_control
from placespend.count.consolidate import count_place
from placespend.count.every_place_count import body_totals, count_all_places
from placespend.count.reconcile import reconciliation
from placespend.engine.spark import LOCAL_CONF, MASTER_ENV, spark_session

pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:.*(infer_string|copy keyword).*")]
YEAR = "2008-09"
PLACES = ["tp-pilot-0", "E06000000", "E07000001"]  # a composite pilot of the generator and its two biggest districts
# Ledgers of thousands of lines: Spark's cluster defaults (200 shuffle partitions, generated code, adaptive
# re-planning) cost far more than they save on them; test_parity.py sets the same in local mode.
TINY_LEDGER_CONF = {"spark.sql.shuffle.partitions": "2", "spark.sql.codegen.wholeStage": "false",
                    "spark.sql.adaptive.enabled": "false"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandaloneCluster]:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: Spark needs Java 17 (apt-get install default-jre-headless)")
    with standalone_cluster(tmp_path_factory.mktemp("spark-cluster"), workers=2, worker_cores=1,
                            worker_memory="1g") as running:
        yield running


@pytest.fixture(scope="module")
def session(cluster: StandaloneCluster) -> Iterator[Any]:
    """The product's own session, pointed at the cluster the way a user would point it at theirs."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    # pyspark starts its JVM with the first session's settings as JVM-wide system properties, so a later session
    # of this process with no master of its own (test_linkage_on_spark.py's) would look for this stopped cluster.
    # Starting the JVM first, as `spark-submit` does with no options (master local[*]), keeps them out of it.
    SparkContext.getSystemProperty("spark.master")
    left_over = SparkSession.getActiveSession()  # a local session another module kept: the master is fixed
    if left_over is not None:                    # when the JVM's context starts, so start a new one
        left_over.stop()
    # A local session started earlier in this process (the suite's Spark half) left its one-machine settings
    # (no UI, driver on loopback) as JVM-wide properties; a user's `placespend` process starts with none.
    for key in LOCAL_CONF:
        SparkContext._jvm.java.lang.System.clearProperty(key)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(MASTER_ENV, cluster.master_url)
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        env.setenv("PYSPARK_PYTHON", sys.executable)
        started = spark_session()
        yield started
        started.stop()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, session: Any) -> Iterator[Ledger]:
    """`placespend bench generate --lines 20000`: 412 places, thousands of bodies, chains of transfers."""
    folder = tmp_path_factory.mktemp("synthetic")
    cli = Cli(folder / "ledger.duckdb")
    build_synthetic_ledger(cli, folder)
    ledger = Ledger(cli, session)
    for key, value in TINY_LEDGER_CONF.items():
        ledger.spark._session.conf.set(key, value)
    yield ledger
    ledger.duck.disconnect()


def _executor_tasks(session: Any) -> dict[str, int]:
    """Tasks completed per executor, from the driver's own REST API (the driver itself is left out)."""
    context = session.sparkContext
    url = f"{context.uiWebUrl}/api/v1/applications/{context.applicationId}/executors"
    with urllib.request.urlopen(url, timeout=10) as response:
        return {e["hostPort"]: e["completedTasks"] for e in json.load(response) if e["id"] != "driver"}


def test_the_product_runs_on_the_standalone_master(cluster, session):
    assert session.sparkContext.master == cluster.master_url
    # The master grants the application a core on each worker (one executor each) within moments of its start.
    state = cluster.wait_for(lambda s: [w["coresused"] for w in s["workers"]] == [1, 1], "two executors", 60)
    assert [(a["name"], a["cores"]) for a in state["activeapps"]] == [("placespend", 2)]


def test_count_and_analyses_of_places(synthetic, session):
    """A few places' count, reconciliation and analyses (each query is seconds on a cluster, whatever its size:
    every estimate, comparison and analysis is checked in local mode by test_parity.py)."""
    for place in PLACES[:2]:
        result = synthetic.same(lambda con, place=place: count_place(con, place, YEAR))
        assert result["total"] > 0 and result["eliminated_transfers"] > 0, place  # chains to eliminate
    synthetic.same(lambda con: reconciliation(con, PLACES[0], YEAR))
    synthetic.same(lambda con: composition(con, PLACES, YEAR))
    synthetic.same(lambda con: concentration(con, PLACES, YEAR))
    synthetic.same(lambda con: local_control(con, PLACES, YEAR))
    synthetic.same(lambda con: funding_routes(con, PLACES, YEAR))
    tasks = _executor_tasks(session)
    assert len(tasks) == 2 and all(done > 0 for done in tasks.values()), tasks  # both workers did work


def test_every_place_on_a_national_ledger(synthetic):
    counts = synthetic.same(lambda con: count_all_places(con, YEAR))
    bodies = synthetic.same(lambda con: body_totals(con, YEAR))
    assert len(counts) > 400 and bodies  # 400 districts and 12 composite pilots of the generator
    synthetic.same(lambda con: concentration(con, ["tp-pilot-0", "tp-pilot-1"], YEAR))

