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
