"""The synthetic national ledger and the all-places count it is timed with (no timings here: see benchmarks/).

The generator must be deterministic, shaped like a national ledger, and valid by the product's own checks;
the all-places count must give, place by place, exactly what `count_place` gives.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import ibis
import pyarrow.parquet as pq
import pytest

from placespend.app.bench.generate import CANONICAL, generate_workspace
from placespend.count.consolidate import count_place, counted_lines
from placespend.count.every_place_count import body_totals, count_all_places
from placespend.engine.ledger import ledger_of
from placespend.engine.tables import place_ids

YEAR = "2008-09"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "national.duckdb"
    generate_workspace(path, 20_000, 3)
    return path


def _fingerprint(path: Path) -> tuple:
    raw = duckdb.connect(str(path), read_only=True)
    try:
        return raw.execute("SELECT count(*), sum(counted_amount), count(DISTINCT spender), "
                           "sum(hash(spender, recipient, place, amount)) FROM flows").fetchone()
    finally:
        raw.close()


def test_same_seed_same_ledger(ledger, tmp_path):
    again, other = tmp_path / "again.duckdb", tmp_path / "other.duckdb"
    generate_workspace(again, 20_000, 3)
    generate_workspace(other, 20_000, 4)
    assert _fingerprint(again) == _fingerprint(ledger)
    assert _fingerprint(other) != _fingerprint(ledger)


def test_national_shape(ledger):
    raw = duckdb.connect(str(ledger), read_only=True)
    q = lambda sql: raw.execute(sql).fetchall()  # noqa: E731
    assert q("SELECT count(*) FROM places") == [(412,)]
    assert q("SELECT count(DISTINCT period) FROM flows") == [(3,)]
    assert q("SELECT count(*) FROM bodies")[0][0] >= 2_000
    transfers = q("SELECT avg(CASE WHEN flow = 'transfer' THEN 1 ELSE 0 END) FROM flows")[0][0]
    assert 0.05 < transfers < 0.2
    top3 = q("SELECT sum(counted_amount) FILTER (WHERE cofog_division IN ('07', '09', '10')) / sum(counted_amount) "
             "FROM flows WHERE flow = 'spend'")[0][0]
    assert Decimal("0.65") < top3 < Decimal("0.9")  # seed 000: 71-88% in the pilots
    rejected = q("SELECT count(*) FROM submissions WHERE status = 'rejected'")[0][0]
    assert rejected > 0
    raw.close()


def test_all_places_count_is_count_place_for_each_place(ledger):
    con = ibis.duckdb.connect(str(ledger), read_only=True)
    everywhere = count_all_places(ledger_of(con), YEAR)
    places = place_ids(con)
    # every composite pilot, and a spread of districts, big and small (count_place per place is the slow way)
    sample = [p for p in places if p.startswith("tp-")][:6] + places[::60]
    for place in sample:
        one = count_place(ledger_of(con), place, YEAR)
        if not one.lines:
            assert place not in everywhere
            continue
        got = everywhere[place]
        assert (got.total, got.lines, got.unreported_transfers, got.eliminated_transfers) == \
            (one.total, one.lines, one.unreported_transfers, one.eliminated_transfers), place
        assert (got.by_cofog, got.by_spender_type) == (one.by_cofog, one.by_spender_type), place
    bodies = body_totals(ledger_of(con), YEAR)
    pilot = bodies.filter(bodies.scope_place == "tp-pilot-0").amount.sum().to_pyarrow().as_py()
    assert pilot == counted_lines(ledger_of(con), "tp-pilot-0", YEAR).counted_amount.sum().to_pyarrow().as_py()
    con.disconnect()


def test_generated_file_passes_the_products_checks(cli, tmp_path):
    flows = tmp_path / "flows.csv"
    cli("bench", "generate", "--lines", "1500", "--out", str(flows))
    header = flows.read_text().splitlines()[0].split(",")
    assert set(CANONICAL) <= set(header)
    result = cli("ingest", str(flows), "--submitter", "national")
    assert "loaded 1,500 lines" in result.output.replace("\n", " ")


def test_parquet_file_and_export_keep_money_decimal(cli, tmp_path, ledger):
    flows = tmp_path / "flows.parquet"
    cli("bench", "generate", "--lines", "500", "--out", str(flows))
    assert str(pq.read_schema(flows).field("amount").type) == "decimal128(18, 2)"
    out = tmp_path / "export"
    cli("--db", str(ledger), "export-parquet", "--out", str(out))
    schema = pq.read_schema(out / "flows" / "part-0.parquet")
    assert str(schema.field("counted_amount").type) == "decimal128(18, 2)"
    assert {p.name for p in out.iterdir() if p.is_dir()} >= {"flows", "places", "regional_spend"}


def test_generate_refuses_to_overwrite(cli, ledger):
    result = cli("bench", "generate", "--lines", "10", "--out", str(ledger), expect=2)
    assert "exists" in result.output
