"""Ibis expressions over the workspace's tables: the only view of the ledger the method layers use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend

from placespend.domain.ledger import COUNTED_SUBMISSIONS
from placespend.engine import bodies_store


def active_flows(con: Backend) -> ir.Table:
    """Lines of accepted submissions whose place-period slice has not been superseded by a newer return."""
    flows, slices, subs = con.table("flows"), con.table("submission_slices"), con.table("submissions")
    live = slices.filter(slices.superseded_by.isnull())
    accepted = subs.filter(subs.status.isin(COUNTED_SUBMISSIONS)).select("submission_id")
    live = live.semi_join(accepted, "submission_id")
    ledger = flows.semi_join(live, [flows.submission_id == live.submission_id, flows.place == live.place,
                                    flows.period == live.period])
    return bodies_store.with_canonical_ids(con, ledger)


@contextmanager
def materialised(con: Backend, expr: ir.Table) -> Iterator[ir.Table]:
    """`expr` computed once into a temporary table (allowed on a read-only connection), dropped after use, for
    callers that read one intermediate result several times.

    Why not `Table.cache()`: ibis 12 fails to drop a DuckDB temporary table ("syntax error at end of input")."""
    name = f"materialised_{uuid.uuid4().hex}"
    table = con.create_table(name, expr, temp=True)
    try:
        yield table
    finally:
        con.raw_sql(f'DROP TABLE IF EXISTS temp.main."{name}"')


def known_places(con: Backend) -> set[str]:
    return set(con.table("places").place.to_pyarrow().to_pylist())


def body_types(con: Backend) -> dict[str, str]:
    bodies = con.table("bodies")
    rows = bodies.filter(bodies.body_type.notnull()).select("body", "body_type").to_pyarrow().to_pylist()
    return {row["body"]: row["body_type"] for row in rows}


def peer_divisions(con: Backend) -> dict[str, dict[str, Decimal]]:
    """Share of each body type's spend by COFOG division across the live ledger (for far-from-peers)."""
    flows = active_flows(con)
    spend = flows.filter(flows.flow == "spend")
    by = spend.group_by(["spender_type", "cofog_division"]).agg(amount=spend.counted_amount.sum())
    shares: dict[str, dict[str, Decimal]] = {}
    for row in by.to_pyarrow().to_pylist():
        shares.setdefault(row["spender_type"], {})[row["cofog_division"]] = row["amount"]
    for kind, divisions in shares.items():
        total = sum(divisions.values(), Decimal(0))
        shares[kind] = {d: (a / total if total else Decimal(0)) for d, a in divisions.items()}
    return shares


def submissions(con: Backend) -> ir.Table:
    subs, slices = con.table("submissions"), con.table("submission_slices")
    scope = slices.group_by("submission_id").agg(
        places=slices.place.collect(distinct=True).sort(),
        periods=slices.period.collect(distinct=True).sort(),
        live_slices=slices.superseded_by.isnull().sum(),
        superseded_by=slices.superseded_by.max(),
    )
    return subs.left_join(scope, "submission_id").drop("submission_id_right").order_by("submission_id")


def place_ids(con: Backend) -> list[str]:
    return sorted(con.table("places").place.to_pyarrow().to_pylist())
