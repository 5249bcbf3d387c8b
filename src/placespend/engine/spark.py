"""Spark as the second engine: the same Ibis expressions, run by Spark over the ledger stored as Parquet.

Why Parquet and temp views: the method layer only ever calls `con.table(name)` and builds Ibis expressions,
so if a Spark session has a view of the same name for every ledger table, every count, estimate, comparison
and analysis runs unchanged on Ibis's PySpark backend (DESIGN.md §2). Parquet is the one format both engines
read natively, it keeps DECIMAL(18, 2) as DECIMAL (money stays exact on Spark) and it lives happily on shared
storage (HDFS, S3, ADLS, a mounted volume), which is where a cluster expects its data.

Two ways to give Spark a ledger:

- the DuckDB workspace is exported (DuckDB's `COPY ... TO ... (FORMAT PARQUET)`, fast and streaming) to a
  folder beside it, refreshed only when the workspace file has changed since the last export;
- or `PLACESPEND_LEDGER` names a Parquet root already on shared storage (one sub-folder per table), and the
  DuckDB workspace is not read at all.

Cluster settings come from Spark's own configuration (`SPARK_CONF_DIR/spark-defaults.conf`,
`PYSPARK_SUBMIT_ARGS`, `SPARK_REMOTE` for Spark Connect); `PLACESPEND_SPARK_MASTER` is a shortcut for the
master URL. pyspark is an optional extra (`placespend[spark]`): it is imported only when Spark is asked for.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from placespend.domain.problems import PlacespendError
from placespend.engine.workspace import Workspace

if TYPE_CHECKING:
    from ibis.backends.pyspark import Backend as SparkBackend
    from pyspark.sql import SparkSession

# Every table the method layers read (count, estimate, compare, analyses). Accounts, sessions and the audit log
# stay in DuckDB: they are the web app's, not the ledger's.
# `body_aliases` carries the bodies register's merges, which the count applies on every engine.
# `place_lines` is not exported: it is DuckDB's place-ordered copy of `flows`, and Spark reads `flows` itself.
LEDGER_TABLES = ("flows", "submissions", "submission_slices", "places", "place_areas", "regional_spend",
                 "place_statistics", "area_lookups", "published_figures", "bodies", "body_aliases")
ENGINES = ("duckdb", "spark")
STAMP = "_placespend_export.json"
LEDGER_ENV = "PLACESPEND_LEDGER"
MASTER_ENV = "PLACESPEND_SPARK_MASTER"
# Set when something else decided where Spark runs: Spark Connect, a master, spark-submit's options or its JVM.
LAUNCHER_ENV = ("SPARK_REMOTE", "MASTER", "PYSPARK_SUBMIT_ARGS", "PYSPARK_GATEWAY_PORT")
DEFAULTS_MASTER = re.compile(r"^\s*spark\.master(?:\s*[=:]\s*|\s+)(\S+)")  # a Java properties line
ROW_GROUP = 1_000_000  # rows per Parquet row group: Spark splits a table into tasks by row groups

# Settings for a Spark the product starts itself in local mode; a cluster's own configuration is left alone.
LOCAL_CONF = {
    # 200 shuffle partitions (Spark's default) is for clusters: on one machine, tiny tasks cost seconds
    "spark.sql.shuffle.partitions": str(max(4, 2 * (os.cpu_count() or 2))),
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.bindAddress": "127.0.0.1",  # local mode stays on loopback: listen there and say so, or
    "spark.driver.host": "127.0.0.1",         # the block manager advertises an address nothing listens on
}
SESSION_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",  # results come back through Arrow, not row by row
    "spark.sql.ansi.enabled": "true",  # a decimal overflow is an error, never a silent NULL
}


def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def require_spark() -> None:
    if not spark_available():
        raise PlacespendError("--engine spark needs the optional Spark extra: pip install 'placespend[spark]' "
                              "(and a Java 17 runtime).")


def export_parquet(ws: Workspace, folder: str | os.PathLike[str],
                   tables: tuple[str, ...] = LEDGER_TABLES) -> dict[str, int]:
    """Write each ledger table to `folder/<table>/part-0.parquet`; returns the rows written per table.

    Written to a sibling folder first and swapped in, so a reader never sees half an export.
    """
    target = Path(folder)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    counts: dict[str, int] = {}
    with ws.read() as con:
        raw = con.con
        for name in tables:
            (partial / name).mkdir(parents=True)
            path = str(partial / name / "part-0.parquet").replace("'", "''")
            raw.execute(f"COPY {name} TO '{path}' (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE {ROW_GROUP})")
            counts[name] = raw.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    (partial / STAMP).write_text(json.dumps({"workspace": _fingerprint(ws), "rows": counts}), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return counts


def export_folder(ws: Workspace) -> Path:
    """Where a workspace's Parquet copy lives: beside the DuckDB file, like its submissions folder."""
    return ws.path.with_name(ws.path.stem + ".parquet")


def fresh_export(ws: Workspace) -> Path:
    """The workspace's Parquet copy, exported again only if the workspace has changed since the last time."""
    if not ws.exists and not ws.is_shared:
        raise PlacespendError(f"No workspace at {ws.path}; ingest or import something first, or pass --db.")
    folder = export_folder(ws)
    stamp = folder / STAMP
    if stamp.exists() and json.loads(stamp.read_text("utf-8")).get("workspace") == _fingerprint(ws):
        return folder
    export_parquet(ws, folder)
    return folder


def _fingerprint(ws: Workspace) -> dict[str, Any]:
    """Size and modification time of the DuckDB file and its write-ahead log: any write changes one of them."""
    found = {}
    for path in (ws.path, ws.path.with_name(ws.path.name + ".wal")):
        if path.exists():
            info = path.stat()
            found[path.name] = [info.st_size, info.st_mtime_ns]
    return {"path": str(ws.path), "files": found, "generation": ws.generation}


def spark_session() -> SparkSession:
    """The running Spark session, or a new one: local mode unless a master is configured."""
    require_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("placespend")
    master = os.environ.get(MASTER_ENV)
    if master:
        builder = builder.master(master)
    local = _is_local(master)
    if local:
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    session = builder.getOrCreate()
    if local:
        session.sparkContext.setLogLevel("ERROR")  # a CLI user wants the figures, not the JVM's warnings
    return session


def _is_local(master: str | None) -> bool:
    """No master configured anywhere means pyspark starts `local[*]`, and only then are the one-machine settings
    right: on a cluster, a driver advertised as 127.0.0.1 is one no executor can reach.

    A master is configured by `SPARK_REMOTE` (Spark Connect), `MASTER`, `PYSPARK_SUBMIT_ARGS`, by being started
    by `spark-submit` or the `pyspark` shell (they hand the Python process their JVM in `PYSPARK_GATEWAY_PORT`,
    their options already applied), or by `spark.master` in the `spark-defaults.conf` that pyspark's own
    spark-submit reads when it starts the JVM.
    """
    if master:
        return master.startswith("local")
    if any(os.environ.get(name) for name in LAUNCHER_ENV):
        return False
    configured = _defaults_master()
    return configured is None or configured.startswith("local")


def _defaults_master() -> str | None:
    """`spark.master` in spark-defaults.conf, found where spark-submit looks: SPARK_CONF_DIR, else SPARK_HOME/conf."""
    folder = os.environ.get("SPARK_CONF_DIR")
    if not folder and os.environ.get("SPARK_HOME"):
        folder = os.path.join(os.environ["SPARK_HOME"], "conf")
    if not folder or not (Path(folder) / "spark-defaults.conf").is_file():
        return None
    defaults = Path(folder) / "spark-defaults.conf"
    for row in defaults.read_text(encoding="utf-8", errors="replace").splitlines():
        found = DEFAULTS_MASTER.match(row)
        if found:
            return found.group(1)
    return None


def spark_backend(ledger: str, session: SparkSession | None = None) -> SparkBackend:
    """An Ibis PySpark connection whose tables are the Parquet folders under `ledger`, one per table.

    A child session of the running one: temp views are per session, so two ledgers never see each other's.
    """
    import ibis

    child = (session or spark_session()).newSession()
    for key, value in SESSION_CONF.items():
        child.conf.set(key, value)
    root = ledger.rstrip("/")
    for name in LEDGER_TABLES:
        child.read.parquet(f"{root}/{name}").createOrReplaceTempView(name)
    return ibis.pyspark.connect(child)


def ledger_location(ws: Workspace) -> str:
    """PLACESPEND_LEDGER when set (a Parquet root on shared storage), else the workspace's fresh export."""
    return os.environ.get(LEDGER_ENV) or str(fresh_export(ws))


@contextmanager
def spark_read(ws: Workspace) -> Iterator[SparkBackend]:
    """A read connection on Spark over the workspace's ledger; its views are dropped when done.

    Never `disconnect()`: Ibis would stop the shared SparkContext, which the next command may reuse.
    """
    require_spark()
    con = spark_backend(ledger_location(ws))
    try:
        yield con
    finally:
        for name in LEDGER_TABLES:
            con._session.catalog.dropTempView(name)
