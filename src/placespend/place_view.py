"""Everything a place page or its API shows, computed once per ledger version and cached.

Pages must answer fast for many councillors at once; the figures only change when a submission is
accepted or data is imported, so results are cached against `ledger_version` and recomputed after.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from placespend.analysis.concentration import place_concentration
from placespend.analysis.funding_routes import place_routes
from placespend.analysis.local_control import place_local_control
from placespend.count.consolidate import classified_lines, count_place
from placespend.count.reconcile import reconciliation
from placespend.domain import classifications as cls
from placespend.domain.problems import PlacespendError
from placespend.engine import area_figures_store, tables, workflow_store
from placespend.engine.workspace import Workspace
from placespend.estimate.centre_out import estimate_place
from placespend.estimate.criteria import shipped_criteria
from placespend.estimate.indicators import indicator_for_areas, place_areas

_cache: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()
_computing: dict[tuple[Any, ...], threading.Lock] = {}


def cached(ws: Workspace, key: tuple[Any, ...], compute) -> Any:
    """The value for `key` at the current ledger version; concurrent askers wait for one computation."""
    # A server shares one connection and counts its writes; otherwise ask the database what changed.
    stamp = ws.generation if ws.is_shared else workflow_store.ledger_version(ws)
    version = (str(ws.path), stamp, *key)
    with _lock:
        if version in _cache:
            return _cache[version]
        flight = _computing.setdefault(version, threading.Lock())
    with flight:
        with _lock:
            if version in _cache:
                return _cache[version]
        value = compute()
        with _lock:
            if len(_cache) > 512:
                _cache.clear()
            _cache[version] = value
            _computing.pop(version, None)
    return value


def places(ws: Workspace) -> list[dict[str, Any]]:
    def compute() -> list[dict[str, Any]]:
        with ws.read() as con:
            rows = con.table("places").order_by("place").to_pyarrow().to_pylist()
            flows = tables.active_flows(con)
            used = flows.group_by(["place", "period"]).agg(lines=flows.count()).to_pyarrow().to_pylist()
        periods: dict[str, set[str]] = {}
        for row in used:
            periods.setdefault(row["place"], set()).add(row["period"])
        known = {r["place"] for r in rows}
        extra = [{"place": p, "name": p, "region": None} for p in sorted(periods) if p not in known]
        return [{**r, "periods": sorted(periods.get(r["place"], set()))} for r in rows + extra]

    return cached(ws, ("places",), compute)


def periods_of(ws: Workspace, place: str) -> list[str]:
    def compute() -> list[str]:
        with ws.read() as con:
            flows = tables.active_flows(con)
            scoped = flows.filter(flows.place.isin(_codes(con, place)))
            return sorted(scoped.select("period").distinct().period.to_pyarrow().to_pylist())

    return cached(ws, ("periods", place), compute)


def _codes(con, place: str) -> list[str]:
    from placespend.engine.places_store import scope_codes

    return scope_codes(con, place)


def overview(ws: Workspace, place: str, period: str) -> dict[str, Any]:
    return cached(ws, ("overview", place, period), lambda: _overview(ws, place, period))


def _overview(ws: Workspace, place: str, period: str) -> dict[str, Any]:
    with ws.read() as con:
        count = count_place(con, place, period)
        rec = reconciliation(con, place, period).to_pyarrow().to_pylist()
        lines = classified_lines(con, place, period)
        links = _sankey_links(lines)
        population = _population(con, place, period)
        estimate = _estimate(con, place, period)
        control = place_local_control(con, place, period).to_dict()
        concentration = place_concentration(con, place, period).to_dict()
        routes = place_routes(con, place, period).to_dict()
        name = _name(con, place)
    total = count.total
    names = cls.cofog_divisions()
    return {
        "place": place, "period": period, "count": asdict(count), "reconciliation": rec,
        "population": population,
        "per_head": (total / population["value"]).quantize(Decimal("0.01")) if population and total else None,
        "cofog": [{"cofog": k, "name": names.get(k, k), "amount": a} for k, a in
                  sorted(count.by_cofog.items(), key=lambda kv: -kv[1])],
        "sankey": links,
        "estimate": estimate,
        "name": name,
        "local_control": {k: control[k] for k in ("bands", "under_local_control", "under_local_control_share",
                                                  "blank_flags_amount", "rule")},
        "concentration": {k: concentration[k] for k in ("bodies", "top3_share", "top10_share", "hhi", "hhi_band",
                                                        "small_bodies")} | {"ranking": concentration["ranking"][:10]},
        "routes": {k: routes[k] for k in ("admin_cost", "admin_cost_share", "by_hand_overs", "method", "cycles")},
        "wards": area_figures_store.ward_figures(ws, place, period),
    }


def _name(con, place: str) -> str:
    places = con.table("places")
    found = places.filter(places.place == place).name.to_pyarrow().to_pylist()
    return found[0] if found else place


def others(ws: Workspace, period: str) -> list[dict[str, Any]]:
    """Every place counted for the period with its total and per head: the comparison between places."""
    def compute() -> list[dict[str, Any]]:
        rows = []
        for entry in places(ws):
            if period in entry["periods"]:
                view = overview(ws, entry["place"], period)
                rows.append({"place": entry["place"], "name": view["name"], "total": view["count"]["total"],
                             "per_head": view["per_head"]})
        return rows

    return cached(ws, ("others", period), compute)


def _population(con, place: str, period: str) -> dict[str, Any] | None:
    try:
        value = indicator_for_areas(con, place_areas(con, place), "population", period)
    except PlacespendError:
        return None
    return {"value": value.value, "vintage": value.period, "nearest": value.nearest} if value.value else None


def _estimate(con, place: str, period: str) -> dict[str, Any] | None:
    try:
        estimate = estimate_place(con, place, period, shipped_criteria("population"))
    except PlacespendError as exc:
        return {"problem": str(exc)}
    return {"total": estimate.total, "by_cofog": estimate.by_cofog, "region": estimate.region,
            "vintage": estimate.vintage, "notes": estimate.notes}


def _sankey_links(lines) -> list[dict[str, Any]]:
    """Origin of funds -> spender -> COFOG division, for counted lines; layered so cycles cannot occur.

    A body that both passes money on and spends appears once as a funder ("... funds") and once as a
    spender, so pooled budgets (A -> B -> A) draw as two links instead of breaking the chart.
    """
    counted = lines.filter(lines.status != "eliminated")
    body = (counted.status == "unreported").ifelse(counted.recipient, counted.spender)
    origin = counted.funder.fill_null("own income / local taxation")
    first = counted.group_by(source=origin, target=body).agg(amount=counted.counted_amount.sum())
    second = counted.group_by(source=body, target=counted.cofog_division).agg(amount=counted.counted_amount.sum())
    out = [{"stage": "funding", **r} for r in first.to_pyarrow().to_pylist()]
    out += [{"stage": "function", **r} for r in second.to_pyarrow().to_pylist()]
    return out
