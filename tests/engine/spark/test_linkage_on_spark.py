"""Linkage at scale runs on Splink's Spark backend (DESIGN.md §2: Spark when a user outgrows one machine),
here Spark in local mode: the same token model, the same training, the same one-to-one links as on DuckDB."""

from __future__ import annotations

import pytest

from placespend.engine.linkage_backend import linkage_database
from placespend.ingest.insight.people_files import read_records, read_tokens
from placespend.insight import linkage
from placespend.insight.people_tokens import KEY_HEADER, key_from_text, pseudonymised_rows
from placespend.insight.synthetic_people import make_partners
from placespend.report.exports import rows_csv

pytestmark = pytest.mark.spark


def _tokens(text: str, key: bytes):
    records = read_records(text.encode(), "r.csv").records
    return read_tokens(rows_csv(list(pseudonymised_rows(key, records))).encode(), "t.csv").table


def test_spark_links_the_same_pairs_as_duckdb():
    pytest.importorskip("pyspark")
    partners = make_partners(800, 700, 400, seed=17)
    key = key_from_text(f"{KEY_HEADER}\n{'5a' * 32}\n")  # fixed: the same pairs every run
    left, right = _tokens(partners.left_csv, key), _tokens(partners.right_csv, key)
    on_duckdb = linkage.link_tables(left, right, database=linkage_database("duckdb"))
    on_spark = linkage.link_tables(left, right, database=linkage_database("spark"))
    duck = {(x.left_id, x.right_id): x.match_probability for x in on_duckdb.links}
    spark = {(x.left_id, x.right_id): x.match_probability for x in on_spark.links}
    # u is sampled from random pairs, which each engine draws its own way, so probabilities agree closely
    # rather than to the last digit; the links at the threshold must be the same people.
    assert len(set(duck) ^ set(spark)) <= len(duck) // 200
    assert max(abs(duck[pair] - spark[pair]) for pair in set(duck) & set(spark)) < 0.05
    # Parity, not the bar: at 800 records a side EM is unsteady (precision about 0.91 with the Bloom-filter
    # model); the precision and recall asked for are tested at 100,000 a side (test_linkage_at_scale).
    precision = {name: len(set(found) & partners.true_pairs) / len(found) for name, found in
                 (("duckdb", duck), ("spark", spark))}
    assert abs(precision["duckdb"] - precision["spark"]) <= 0.01
