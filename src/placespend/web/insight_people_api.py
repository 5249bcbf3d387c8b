"""JSON API for customer insight: people (DESIGN.md §7). Partners upload pseudonymised files only (the key and
raw records stay on their machines). Counts of people come back through disclosure control; the pairs of a
linkage go to staff only; a record list (the Bolton case) only to the partner whose organisation owns the
records, as written in the file's `x_owner` column.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile
from fastapi.responses import Response

from placespend.ingest.insight.people_files import TokenFile, read_tokens
from placespend.insight import linkage
from placespend.insight import people_overlap as po
from placespend.insight.disclosure import DEFAULT_THRESHOLD
from placespend.report.money import to_json
from placespend.web.security import Caller, role_in

router = APIRouter(prefix="/api/insight", tags=["insight"])
OWNER_COLUMN = "x_owner"
COUNTS = role_in("admin", "analyst", "partner")


def _json(payload: object, status: int = 200) -> Response:
    return Response(to_json(payload), media_type="application/json", status_code=status)


async def _pair(left: UploadFile, right: UploadFile) -> tuple[TokenFile, TokenFile] | Response:
    a = read_tokens(await left.read(), left.filename or "left.csv")
    b = read_tokens(await right.read(), right.filename or "right.csv")
    for read in (a, b):
        if not read.report.ok:
            return _json({"outcome": "rejected", "report": read.report.to_dict()}, 422)
    if a.fingerprint != b.fingerprint:
        return _json({"outcome": "rejected", "error": "the files were pseudonymised with different keys"}, 422)
    return a, b


@router.post("/link", summary="Linked pairs of two pseudonymised files (staff only)")
async def link(left: UploadFile = File(...), right: UploadFile = File(...),
               match_threshold: float = linkage.DEFAULT_THRESHOLD,
               who: Caller = Depends(role_in("admin", "analyst"))) -> Response:
    read = await _pair(left, right)
    if isinstance(read, Response):
        return read
    result = linkage.link_tables(read[0].table, read[1].table, match_threshold)
    return _json({"threshold": result.threshold, "pairs": [
        {"left_id": x.left_id, "right_id": x.right_id, "match_probability": x.match_probability}
        for x in result.links]})


@router.post("/overlap", summary="People known to both, left only, right only, by an x_ column (protected)")
async def overlap(by: str, left: UploadFile = File(...), right: UploadFile = File(...),
                  threshold: int = DEFAULT_THRESHOLD, match_threshold: float = linkage.DEFAULT_THRESHOLD,
                  who: Caller = Depends(COUNTS)) -> Response:
    read = await _pair(left, right)
    if isinstance(read, Response):
        return read
    links = linkage.link_tables(read[0].table, read[1].table, match_threshold).links
    return _json(po.overlap(read[0].table, read[1].table, links, by, max(threshold, 2)))


@router.post("/unmatched", summary="LEFT's people not found in RIGHT, counts by group (protected)")
async def unmatched(by: str, left: UploadFile = File(...), right: UploadFile = File(...),
                    threshold: int = DEFAULT_THRESHOLD, match_threshold: float = linkage.DEFAULT_THRESHOLD,
                    who: Caller = Depends(COUNTS)) -> Response:
    read = await _pair(left, right)
    if isinstance(read, Response):
        return read
    links = linkage.link_tables(read[0].table, read[1].table, match_threshold).links
    return _json(po.unmatched_by_group(read[0].table, links, by, max(threshold, 2)))


@router.post("/unmatched/records", summary="LEFT's unmatched record_ids, for the partner that owns LEFT only")
async def unmatched_records(left: UploadFile = File(...), right: UploadFile = File(...),
                            match_threshold: float = linkage.DEFAULT_THRESHOLD,
                            who: Caller = Depends(role_in("partner"))) -> Response:
    read = await _pair(left, right)
    if isinstance(read, Response):
        return read
    table = read[0].table
    owners = set(table.column(OWNER_COLUMN).to_pylist()) if OWNER_COLUMN in table.column_names else set()
    organisation = (who.user.organisation or "").strip().lower() if who.user else ""
    if not organisation or {(o or "").strip().lower() for o in owners} != {organisation}:
        raise HTTPException(403, "the record list is only for the partner that owns LEFT's records "
                            f"(every row's {OWNER_COLUMN} must be your organisation)")
    links = linkage.link_tables(table, read[1].table, match_threshold).links
    return _json({"record_ids": po.not_in_right(table, links)})
