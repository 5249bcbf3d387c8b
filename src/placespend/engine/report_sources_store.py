"""Where a place's figures came from, for the sources page of its board report: the partners' returns counted for
the place and year (each with its content hash), and the reference imports with what each one covers.

Read-only and over Ibis expressions, like `places_store`: the report names every file behind its figures, so a
reader can check a figure against the very file it came from.
"""

from __future__ import annotations

from typing import Any

from ibis.backends.duckdb import Backend

from placespend.domain.ledger import COUNTED_SUBMISSIONS, scope_codes


def returns_counted(con: Backend, place: str, period: str) -> list[dict[str, Any]]:
    """Every return with live lines in the place's scope for the period (what its count reads), oldest first:
    submission id, submitting body and its name, file name, SHA-256 of the stored file, when it was received,
    and how many of its lines are in scope."""
    slices, subs, flows = con.table("submission_slices"), con.table("submissions"), con.table("flows")
    codes = scope_codes(con, place)
    live = slices.filter(slices.superseded_by.isnull(), slices.period == period, slices.place.isin(codes))
    live = live.semi_join(subs.filter(subs.status.isin(COUNTED_SUBMISSIONS)).select("submission_id"), "submission_id")
    lines = flows.filter(flows.period == period, flows.place.isin(codes))
    lines = lines.semi_join(live.select("submission_id", "place", "period"), ["submission_id", "place", "period"])
    per_return = lines.group_by("submission_id").agg(lines_in_scope=lines.count())
    bodies = con.table("bodies").select(submitter="body", submitter_name="name")
    found = (subs.join(per_return, "submission_id")
             .left_join(bodies, "submitter")
             .select("submission_id", "submitter", "submitter_name", "file_name", "content_hash", "loaded_at",
                     "status", "line_count", "lines_in_scope")
             .order_by("submission_id"))
    return found.to_pyarrow().to_pylist()


def reference_imports(con: Backend) -> list[dict[str, Any]]:
    """Every reference import with what it holds: the regional spending vintages and years, the statistics'
    indicators and vintages, the lookups' relations and vintages (each as a sorted list of pairs)."""
    imports = con.table("imports").order_by("import_id").to_pyarrow().to_pylist()
    covers: dict[int, dict[str, list[tuple[str, str]]]] = {row["import_id"]: {} for row in imports}
    for name, table, first, second in (("regional_spend", "regional_spend", "vintage", "period"),
                                       ("place_statistics", "place_statistics", "indicator", "period"),
                                       ("area_lookups", "area_lookups", "relation", "vintage")):
        rows = con.table(table)
        pairs = rows.select("import_id", first=rows[first], second=rows[second].cast("string")).distinct()
        for pair in pairs.order_by(["import_id", "first", "second"]).to_pyarrow().to_pylist():
            if pair["import_id"] in covers:
                covers[pair["import_id"]].setdefault(name, []).append((pair["first"], pair["second"] or ""))
    return [{**row, "covers": covers[row["import_id"]]} for row in imports]


def regional_periods(con: Backend) -> list[str]:
    """The years with regional spending: the years any place can be estimated for, oldest first."""
    spend = con.table("regional_spend")
    return sorted(spend.select("period").distinct().period.to_pyarrow().to_pylist())
