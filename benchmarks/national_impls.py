"""The three implementations of each benchmarked task: placespend (Ibis), hand-written DuckDB SQL, pandas.

Each returns a plain, canonical Python value (dicts of str -> Decimal/int) so the harness can check that all
three computed the same result to the penny. pandas works in integer pence (int64): an analyst would
probably use floats, but then the results could not be checked equal to the penny.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from placespend.count.consolidate import count_place
from placespend.count.every_place_count import (
    body_totals,
    count_all_places,
    count_and_body_totals,
    count_cells,
    fold_cells,
)
from placespend.domain.criteria import CriteriaSet
from placespend.domain.problems import PlacespendError
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace
from placespend.estimate.centre_out import Estimate
from placespend.estimate.criteria import shipped_criteria
from placespend.estimate.every_place_estimate import estimate_all_places

PENNY = Decimal("0.01")
LIVE_SQL = """
    SELECT f.* FROM flows f
    JOIN submission_slices sl ON sl.submission_id = f.submission_id AND sl.place = f.place
         AND sl.period = f.period AND sl.superseded_by IS NULL
    JOIN submissions s ON s.submission_id = f.submission_id AND s.status = 'accepted'
    WHERE f.period = $period"""
CELLS_SQL = f"""
    WITH live AS ({LIVE_SQL}),
    scopes AS (SELECT place AS scope_place, place AS code FROM places UNION SELECT place, area FROM place_areas),
    lines AS (SELECT l.*, sc.scope_place FROM live l JOIN scopes sc ON sc.code = l.place),
    reporters AS (SELECT DISTINCT scope_place, spender AS reporter FROM lines)
    SELECT l.scope_place,
           CASE WHEN l.flow = 'spend' THEN 'spend' WHEN r.reporter IS NULL THEN 'unreported' ELSE 'eliminated' END
           AS status, l.cofog_division,
           CASE WHEN l.flow = 'spend' THEN l.spender_type ELSE l.recipient_type END AS counted_type,
           CASE WHEN l.flow = 'spend' THEN l.spender ELSE l.recipient END AS body,
           l.counted_amount
    FROM lines l LEFT JOIN reporters r ON r.scope_place = l.scope_place AND r.reporter = l.recipient"""

# The count of one place as one query: (status, COFOG division, counted type, amount, lines) cells.
COUNT_ONE_SQL = f"""
    WITH live AS ({LIVE_SQL}),
    codes AS (SELECT $place AS code UNION SELECT area FROM place_areas WHERE place = $place),
    lines AS (SELECT * FROM live WHERE place IN (SELECT code FROM codes)),
    reporters AS (SELECT DISTINCT spender AS reporter FROM lines)
    SELECT CASE WHEN flow = 'spend' THEN 'spend' WHEN r.reporter IS NULL THEN 'unreported' ELSE 'eliminated' END,
           cofog_division, CASE WHEN flow = 'spend' THEN spender_type ELSE recipient_type END,
           sum(counted_amount), count(*)
    FROM lines LEFT JOIN reporters r ON r.reporter = lines.recipient GROUP BY ALL"""


def _summary_of_counts(counts: dict[str, Any]) -> dict[str, Any]:
    return {p: {"total": c.total, "lines": c.lines, "unreported": c.unreported_transfers,
                "eliminated": c.eliminated_transfers, "by_cofog": c.by_cofog, "by_type": c.by_spender_type}
            for p, c in counts.items()}


# ---- count for one place -------------------------------------------------------------------------------

def count_one_ibis(ws: Workspace, period: str, place: str) -> Any:
    with ws.read() as con:
        r = count_place(ledger_of(con), place, period)
    return {"total": r.total, "lines": r.lines, "by_cofog": r.by_cofog, "by_type": r.by_spender_type}


def count_one_sql(ws: Workspace, period: str, place: str) -> Any:
    raw = duckdb.connect(str(ws.path), read_only=True)
    rows = raw.execute(COUNT_ONE_SQL, {"period": period, "place": place}).fetchall()
    raw.close()
    cells = [{"scope_place": place, "status": s, "cofog_division": d, "counted_type": t, "amount": a, "lines": n}
             for s, d, t, a, n in rows]
    c = fold_cells(cells, period)[place]
    return {"total": c.total, "lines": c.lines, "by_cofog": c.by_cofog, "by_type": c.by_spender_type}


# ---- count for every place -----------------------------------------------------------------------------

def count_all_ibis(ws: Workspace, period: str) -> Any:
    with ws.read() as con:
        return _summary_of_counts(count_all_places(ledger_of(con), period))


def count_all_sql(ws: Workspace, period: str) -> Any:
    raw = duckdb.connect(str(ws.path), read_only=True)
    cur = raw.execute(f"""SELECT scope_place, status, cofog_division, counted_type, sum(counted_amount) AS amount,
                                 count(*) AS lines FROM ({CELLS_SQL}) GROUP BY ALL""", {"period": period})
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    raw.close()
    return _summary_of_counts(fold_cells(rows, period))


def pandas_tables(parquet: Path, period: str, plain: bool = False) -> dict[str, pd.DataFrame]:
    """What an analyst loads: the needed columns of each table, amounts as integer pence.

    `plain` is the first thing most analysts write, `pd.read_parquet(path)` of the whole ledger and a filter
    on the period; otherwise only the needed columns of the period are read (pyarrow pushes the filter down).
    """
    cols = ["submission_id", "period", "place", "spender", "spender_type", "flow", "recipient", "recipient_type",
            "cofog_division", "counted_amount"]
    if plain:
        flows = pd.read_parquet(parquet / "flows")
        flows = flows[flows.period == period][cols].copy()
    else:
        flows = pd.read_parquet(parquet / "flows", columns=cols, filters=[("period", "==", period)])
    flows["pence"] = (flows.pop("counted_amount").map(lambda d: int(d * 100))).astype("int64")
    return {"flows": flows, "slices": pd.read_parquet(parquet / "submission_slices"),
            "subs": pd.read_parquet(parquet / "submissions", columns=["submission_id", "status"]),
            "places": pd.read_parquet(parquet / "places"), "areas": pd.read_parquet(parquet / "place_areas")}


def pandas_lines(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Live lines per place scope with status, counted type and body, as an analyst would merge them."""
    slices = t["slices"][t["slices"].superseded_by.isna()]
    accepted = t["subs"][t["subs"].status == "accepted"][["submission_id"]]
    live_keys = slices.merge(accepted, on="submission_id")[["submission_id", "place", "period"]]
    live = t["flows"].merge(live_keys, on=["submission_id", "place", "period"])
    scopes = pd.concat([t["places"][["place"]].assign(code=t["places"].place),
                        t["areas"].rename(columns={"area": "code"})]).drop_duplicates()
    lines = live.merge(scopes.rename(columns={"place": "scope_place"}), left_on="place", right_on="code")
    reporters = lines[["scope_place", "spender"]].drop_duplicates()  # the spender of any line (DESIGN.md §4)
    reporters = reporters.rename(columns={"spender": "recipient"}).assign(reports=True)
    lines = lines.merge(reporters, on=["scope_place", "recipient"], how="left")
    spend = lines.flow == "spend"
    lines["status"] = "eliminated"
    lines.loc[~spend & lines.reports.isna(), "status"] = "unreported"
    lines.loc[spend, "status"] = "spend"
    lines["counted_type"] = lines.recipient_type.where(~spend, lines.spender_type)
    lines["body"] = lines.recipient.where(~spend, lines.spender)
    return lines


def _pence_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dict("records")
    for row in rows:
        row["amount"] = Decimal(int(row.pop("pence"))) * PENNY
    return rows


def count_all_pandas(parquet: Path, period: str, plain: bool = False) -> Any:
    lines = pandas_lines(pandas_tables(parquet, period, plain))
    cells = lines.groupby(["scope_place", "status", "cofog_division", "counted_type"], dropna=False).agg(
        pence=("pence", "sum"), lines=("pence", "size")).reset_index()
    return _summary_of_counts(fold_cells(_pence_rows(cells), period))


def count_one_pandas(parquet: Path, period: str, place: str, plain: bool = False) -> Any:
    t = pandas_tables(parquet, period, plain)
    t["places"] = t["places"][t["places"].place == place]
    t["areas"] = t["areas"][t["areas"].place == place]
    lines = pandas_lines(t)
    cells = lines.groupby(["scope_place", "status", "cofog_division", "counted_type"], dropna=False).agg(
        pence=("pence", "sum"), lines=("pence", "size")).reset_index()
    c = fold_cells(_pence_rows(cells), period)[place]
    return {"total": c.total, "lines": c.lines, "by_cofog": c.by_cofog, "by_type": c.by_spender_type}


# ---- analyses for every place: composition (from the count) and concentration (per body) ---------------

def _concentration(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per place: bodies, top-3 share, HHI and bodies under GBP 50k / 100k, in Decimal (as analysis does)."""
    by_place: dict[str, list[Decimal]] = defaultdict(list)
    for row in rows:
        by_place[row["scope_place"]].append(Decimal(row["amount"]))
    out = {}
    for place, amounts in by_place.items():
        amounts.sort(reverse=True)
        total = sum(amounts, Decimal(0))
        shares = [a / total if total else Decimal(0) for a in amounts]
        out[place] = {"total": total, "bodies": len(amounts), "top3": sum(shares[:3], Decimal(0)),
                      "hhi": sum((s * s for s in shares), Decimal(0)),
                      "small": [sum(1 for a in amounts if a < limit) for limit in (50_000, 100_000)]}
    return out


def analyses_ibis(ws: Workspace, period: str) -> Any:
    with ws.read() as con:
        counts, bodies = count_and_body_totals(ledger_of(con), period)
    return {"composition": _summary_of_counts(counts), "concentration": _concentration(bodies)}


def analyses_sql(ws: Workspace, period: str) -> Any:
    raw = duckdb.connect(str(ws.path), read_only=True)
    raw.execute(f"CREATE TEMP TABLE cells AS {CELLS_SQL}", {"period": period})
    cur = raw.execute("SELECT scope_place, status, cofog_division, counted_type, sum(counted_amount) AS amount, "
                      "count(*) AS lines FROM cells GROUP BY ALL")
    counts = [dict(zip([d[0] for d in cur.description], r, strict=True)) for r in cur.fetchall()]
    cur = raw.execute("SELECT scope_place, body, counted_type, sum(counted_amount) AS amount FROM cells "
                      "WHERE status <> 'eliminated' GROUP BY ALL")
    bodies = [dict(zip([d[0] for d in cur.description], r, strict=True)) for r in cur.fetchall()]
    raw.close()
    return {"composition": _summary_of_counts(fold_cells(counts, period)), "concentration": _concentration(bodies)}


def analyses_pandas(parquet: Path, period: str, plain: bool = False) -> Any:
    lines = pandas_lines(pandas_tables(parquet, period, plain))
    cells = lines.groupby(["scope_place", "status", "cofog_division", "counted_type"], dropna=False).agg(
        pence=("pence", "sum"), lines=("pence", "size")).reset_index()
    counted = lines[lines.status != "eliminated"]
    bodies = counted.groupby(["scope_place", "body", "counted_type"], dropna=False).agg(
        pence=("pence", "sum")).reset_index()
    return {"composition": _summary_of_counts(fold_cells(_pence_rows(cells), period)),
            "concentration": _concentration(_pence_rows(bodies))}


# ---- compare for every place: A (population-share estimate) beside B (the count) ------------------------

def _compare(a_by_place: dict[str, dict[str, Decimal]], counts: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for place, by_cofog in a_by_place.items():
        a = sum(by_cofog.values(), Decimal(0))
        b = counts[place]["total"] if place in counts else None
        out[place] = {"a": a, "by_cofog": {k: v for k, v in sorted(by_cofog.items()) if v}, "b": b,
                      "difference": (1 - b / a).quantize(Decimal("0.000001")) if a and b is not None else None}
    return out


def compare_ibis(ws: Workspace, period: str) -> Any:
    criteria: CriteriaSet = shipped_criteria("population")
    with ws.read() as con:
        counts = _summary_of_counts(count_all_places(ledger_of(con), period))
        everywhere = estimate_all_places(ledger_of(con), period, criteria)
    for estimate in everywhere.values():
        if isinstance(estimate, PlacespendError):
            raise estimate  # as estimate_place would: every place of the benchmark has an estimate
    estimates = {p: e.by_cofog for p, e in everywhere.items() if isinstance(e, Estimate)}
    return _compare(estimates, counts)


ESTIMATE_SQL = """
    WITH pop AS (SELECT area, value FROM place_statistics WHERE indicator = 'population' AND period = (
                 SELECT period FROM place_statistics WHERE indicator = 'population'
                 ORDER BY abs(left(period, 4)::INT - left($period, 4)::INT), period LIMIT 1)),
    region_pop AS (SELECT l.parent AS code, sum(p.value) AS value FROM area_lookups l JOIN pop p ON p.area = l.child
                   WHERE l.relation = 'lad_region' GROUP BY 1),
    members AS (SELECT place, area FROM place_areas),
    place_pop AS (SELECT m.place, sum(p.value) AS value FROM members m JOIN pop p USING (area) GROUP BY 1),
    r AS (SELECT region_code, cofog, sum(amount) AS amount FROM regional_spend WHERE period = $period GROUP BY ALL)
    SELECT pl.place, r.cofog,
           ((r.amount * 100)::HUGEINT * (pp.value * 1000000)::HUGEINT * 2 + (rp.value * 1000000)::HUGEINT)
           // (2 * (rp.value * 1000000)::HUGEINT) AS pence
    FROM places pl JOIN place_pop pp USING (place) JOIN region_pop rp ON rp.code = (
         SELECT code FROM (VALUES {regions}) v(name, code) WHERE v.name = pl.region)
    JOIN r ON r.region_code = rp.code"""


def _regions_values() -> str:
    from placespend.domain.regions import REGIONS

    return ", ".join(f"('{name}', '{code}')" for name, code in REGIONS.items() if code)


def compare_sql(ws: Workspace, period: str) -> Any:
    raw = duckdb.connect(str(ws.path), read_only=True)
    rows = raw.execute(ESTIMATE_SQL.format(regions=_regions_values()), {"period": period}).fetchall()
    raw.close()
    estimates: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for place, cofog, pence in rows:
        estimates[place][cofog] = Decimal(int(pence)) * PENNY
    return _compare(estimates, count_all_sql(ws, period))


def compare_pandas(parquet: Path, period: str) -> Any:
    from placespend.domain.regions import REGIONS

    stats = pd.read_parquet(parquet / "place_statistics")
    pop = stats[stats.indicator == "population"]
    periods = sorted(pop.period.unique(), key=lambda p: (abs(int(p[:4]) - int(period[:4])), p))
    pop = pop[pop.period == periods[0]][["area", "value"]]
    lookups = pd.read_parquet(parquet / "area_lookups")
    lad = lookups[lookups.relation == "lad_region"].merge(pop, left_on="child", right_on="area")
    region_pop = lad.groupby("parent").value.sum()
    places = pd.read_parquet(parquet / "places")
    place_pop = pd.read_parquet(parquet / "place_areas").merge(pop, on="area").groupby("place").value.sum()
    spend = pd.read_parquet(parquet / "regional_spend")
    spend = spend[spend.period == period].groupby(["region_code", "cofog"]).amount.sum()
    estimates: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for place, region in zip(places.place, places.region, strict=True):
        code = REGIONS[region]
        share = Decimal(place_pop[place]) / Decimal(region_pop[code])
        for cofog, amount in spend.loc[code].items():
            estimates[place][cofog] = (Decimal(amount) * share).quantize(PENNY, rounding=ROUND_HALF_UP)
    return _compare(estimates, count_all_pandas(parquet, period))


def spark_connection(parquet: Path) -> Any:
    """placespend's own Spark engine in local mode over the Parquet export (JVM start not timed by callers)."""
    from placespend.engine.spark import spark_backend, spark_session

    return spark_backend(str(parquet), spark_session())


def count_all_spark(con: Any, period: str) -> Any:
    return _summary_of_counts(count_all_places(ledger_of(con), period))


def analyses_spark(con: Any, period: str) -> Any:
    counts = _summary_of_counts(count_all_places(ledger_of(con), period))
    bodies = body_totals(ledger_of(con), period).to_pyarrow().to_pylist()
    return {"composition": counts, "concentration": _concentration(bodies)}


def cells_rows(ws: Workspace, period: str) -> int:
    """How many (place, status, division, type) cells the count folds: context for the timings."""
    with ws.read() as con:
        return int(count_cells(ledger_of(con), period).count().to_pyarrow().as_py())
