"""The database Splink runs its linkage SQL on: an in-memory DuckDB by default, Spark at scale (DESIGN.md §2:
the engine is the one place that chooses and opens databases). It never opens the workspace: the files being
linked are pseudonymised tokens, held only for the length of one linkage.
"""

from __future__ import annotations

import functools
import os
import tempfile
from typing import Any

import duckdb
from splink import DuckDBAPI

from placespend.domain.linkage_database import LinkageDatabase
from placespend.domain.problems import PlacespendError
from placespend.engine.spark import require_spark, spark_session

# DuckDB takes 80% of the machine's memory by default; a linkage shares the machine with the workspace, the
# web server and Python's own copy of the pairs, so it is capped and spills to disk beyond the cap.
MEMORY_LIMIT = os.environ.get("PLACESPEND_LINKAGE_MEMORY", "4GB")


def splink_database(engine: str = "duckdb") -> Any:
    """A fresh Splink database API for one linkage run (its tables vanish with it)."""
    if engine == "duckdb":
        connection = duckdb.connect(":memory:")
        connection.execute("SET preserve_insertion_order = false")  # lets DuckDB spill large joins to disk
        connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        connection.execute(f"SET temp_directory = '{tempfile.gettempdir()}/placespend-linkage'")
        return DuckDBAPI(connection=connection)
    if engine == "spark":
        require_spark()
        from splink import SparkAPI  # optional extra: importable only where pyspark is installed

        session = spark_session()
        if session.sparkContext.getCheckpointDir() is None:  # Splink checkpoints to cut long query lineages
            session.sparkContext.setCheckpointDir(f"{tempfile.gettempdir()}/placespend-linkage-spark")
        return SparkAPI(spark_session=session)
    raise PlacespendError(f"unknown linkage engine '{engine}': use duckdb or spark")


def linkage_database(engine: str = "duckdb") -> LinkageDatabase:
    """What the linkage methods are handed: opens a fresh `splink_database(engine)` for each of their runs."""
    return functools.partial(splink_database, engine)
