"""`--engine` without Spark installed, and the Parquet export's freshness: no Spark needed for these."""

from __future__ import annotations

import pytest

from placespend.app.workspace import open_workspace
from placespend.engine import spark as spark_engine

from conftest import line


def test_spark_without_the_extra_is_a_clear_error(cli, make_csv, monkeypatch):
    cli("ingest", make_csv("lbl.csv", [line()]))
    monkeypatch.setattr(spark_engine, "spark_available", lambda: False)
    result = cli("count", "--place", "E09000023", "--year", "2008-09", "--engine", "spark", expect=2)
    assert "placespend[spark]" in result.output
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09", "--engine", "duckdb")["total"] == 1000


def test_unknown_engine_is_refused(cli):
    result = cli("count", "--place", "E09000023", "--year", "2008-09", "--engine", "oracle", expect=2)
    assert "oracle" in result.output


def test_export_is_refreshed_only_when_the_workspace_changes(cli, make_csv, db):
    cli("ingest", make_csv("a.csv", [line()]))
    ws = open_workspace(db)
    folder = spark_engine.fresh_export(ws)
    stamp = (folder / spark_engine.STAMP).stat().st_mtime_ns
    assert spark_engine.fresh_export(ws) == folder
    assert (folder / spark_engine.STAMP).stat().st_mtime_ns == stamp  # unchanged workspace: no new export
    cli("ingest", make_csv("b.csv", [line(spender="pct", spender_type="nhs", amount="5.00", cofog="07")]))
    spark_engine.fresh_export(ws)
    assert (folder / spark_engine.STAMP).stat().st_mtime_ns != stamp
    import pyarrow.parquet as pq

    assert pq.read_table(folder / "flows").num_rows == 2
    assert not folder.with_name(folder.name + ".partial").exists()


def test_no_workspace_no_export(tmp_path):
    with pytest.raises(spark_engine.PlacespendError):
        spark_engine.fresh_export(open_workspace(tmp_path / "absent.duckdb"))


@pytest.fixture
def no_launcher(monkeypatch):
    """None of the settings by which something else (spark-submit, Spark Connect, a shell) chose the master."""
    for name in ("SPARK_REMOTE", "MASTER", "PYSPARK_SUBMIT_ARGS", "PYSPARK_GATEWAY_PORT", "PLACESPEND_SPARK_MASTER",
                 "SPARK_CONF_DIR", "SPARK_HOME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(("row", "local"), [
    ("spark.master spark://spark-master:7077", False), ("spark.master=yarn", False),
    ("  spark.master   k8s://https://k:6443", False), ("spark.master local[4]", True),
    ("# spark.master spark://old:7077", True), ("spark.executor.memory 4g", True)])
def test_a_master_in_spark_defaults_is_a_cluster(no_launcher, tmp_path, row, local):
    """Spark's own configuration file names the master: the one-machine settings (driver on 127.0.0.1, which
    no executor of a real cluster can reach) must not be forced on it."""
    (tmp_path / "spark-defaults.conf").write_text(f"spark.driver.memory 2g\n{row}\n", encoding="utf-8")
    no_launcher.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert spark_engine._is_local(None) is local
    no_launcher.delenv("SPARK_CONF_DIR")
    no_launcher.setenv("SPARK_HOME", str(tmp_path.parent))  # SPARK_HOME/conf when SPARK_CONF_DIR is not set
    (tmp_path.parent / "conf").mkdir(exist_ok=True)
    (tmp_path.parent / "conf" / "spark-defaults.conf").write_text(row, encoding="utf-8")
    assert spark_engine._is_local(None) is local


def test_started_by_spark_submit_is_a_cluster(no_launcher):
    """spark-submit (or the pyspark shell) hands its JVM over in PYSPARK_GATEWAY_PORT, its --master applied."""
    assert spark_engine._is_local(None) is True
    no_launcher.setenv("PYSPARK_GATEWAY_PORT", "40123")
    assert spark_engine._is_local(None) is False
    assert spark_engine._is_local("local[2]") is True  # PLACESPEND_SPARK_MASTER still decides when set
