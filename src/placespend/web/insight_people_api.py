"""JSON API for customer insight: people (DESIGN.md §7). Partners upload pseudonymised files only (the key and
raw records stay on their machines), each naming its owner in an `x_owner` column (or the form's left_owner /
right_owner).

Every route runs only under a live sharing agreement covering the owners and the fields the files carry, and
is audited (`placespend.app.people_insight`); a refusal answers 403. Counts of people come back through disclosure
control at the agreement's threshold and rounding at least. The pairs of a linkage go only to an analyst the
agreement names; counts to staff and to partners that are parties of the agreement; a record list (the Bolton
case) only to the partner whose organisation owns LEFT's records.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response

from placespend.app import people_insight, sharing
from placespend.app.people_insight import DEFAULT_THRESHOLD, MATCH_THRESHOLD
from placespend.domain.vocabulary import normalise_id
from placespend.report.money import to_json
from placespend.web.security import Caller, role_in, workspace

router = APIRouter(prefix="/api/insight", tags=["insight"])
COUNTS = role_in("admin", "analyst", "partner")


def _json(payload: object, status: int = 200) -> Response:
    return Response(to_json(payload), media_type="application/json", status_code=status)


async def _file(upload: UploadFile, fallback: str, owner: str | None) -> people_insight.SharedFile:
    return people_insight.SharedFile(upload.filename or fallback, await upload.read(), owner or None)


def _organisation(who: Caller) -> str:
    return normalise_id(who.user.organisation or "") if who.user else ""


def _member(who: Caller) -> str | None:
    """A partner may only ask about sharing its own organisation is party to (it must own one of the files)."""
    return _organisation(who) or "(no organisation)" if who.role == "partner" else None


def _answer(run) -> Response:
    """Run a use case: 403 for a refusal, 422 for bad files or different keys."""
    try:
        outcome: people_insight.Outcome = run()
    except sharing.Refused as exc:
        raise HTTPException(403, str(exc)) from None
    except people_insight.KeysDiffer as exc:
        return _json({"outcome": "rejected", "error": str(exc)}, 422)
    if not outcome.ok:
        return _json({"outcome": "rejected", "reports": [r.to_dict() for r in outcome.reports]}, 422)
    return _json(outcome.result)


@router.post("/link", summary="Linked pairs of two pseudonymised files (analysts named in the agreement only)")
async def link(request: Request, left: UploadFile = File(...), right: UploadFile = File(...),
               match_threshold: float = MATCH_THRESHOLD, agreement: str | None = Form(None),
               left_owner: str | None = Form(None), right_owner: str | None = Form(None),
               who: Caller = Depends(role_in("analyst"))) -> Response:
    a, b = await _file(left, "left.csv", left_owner), await _file(right, "right.csv", right_owner)
    return _answer(lambda: people_insight.link(workspace(request), a, b, who.user.username, match_threshold,
                                               agreement_id=agreement))


@router.post("/overlap", summary="People known to both, left only, right only, by an x_ column (protected)")
async def overlap(request: Request, by: str, left: UploadFile = File(...), right: UploadFile = File(...),
                  threshold: int = DEFAULT_THRESHOLD, match_threshold: float = MATCH_THRESHOLD,
                  agreement: str | None = Form(None), left_owner: str | None = Form(None),
                  right_owner: str | None = Form(None), who: Caller = Depends(COUNTS)) -> Response:
    a, b = await _file(left, "left.csv", left_owner), await _file(right, "right.csv", right_owner)
    return _answer(lambda: people_insight.overlap(workspace(request), a, b, by, who.user.username,
                                                  threshold, match_threshold, agreement, _member(who)))


@router.post("/unmatched", summary="LEFT's people not found in RIGHT, counts by group (protected)")
async def unmatched(request: Request, by: str, left: UploadFile = File(...), right: UploadFile = File(...),
                    threshold: int = DEFAULT_THRESHOLD, match_threshold: float = MATCH_THRESHOLD,
                    agreement: str | None = Form(None), left_owner: str | None = Form(None),
                    right_owner: str | None = Form(None), who: Caller = Depends(COUNTS)) -> Response:
    a, b = await _file(left, "left.csv", left_owner), await _file(right, "right.csv", right_owner)
    return _answer(lambda: people_insight.unmatched(workspace(request), a, b, by, who.user.username,
                                                    threshold, match_threshold, agreement, _member(who)))


@router.post("/unmatched/records", summary="LEFT's unmatched record_ids, for the partner that owns LEFT only")
async def unmatched_records(request: Request, by: str, left: UploadFile = File(...), right: UploadFile = File(...),
                            match_threshold: float = MATCH_THRESHOLD, agreement: str | None = Form(None),
                            right_owner: str | None = Form(None), who: Caller = Depends(role_in("partner"))
                            ) -> Response:
    a, b = await _file(left, "left.csv", None), await _file(right, "right.csv", right_owner)
    read = people_insight.read_tokens(a.data, a.name)
    table = read.table
    owners = ({normalise_id(o or "") for o in table.column(people_insight.OWNER_COLUMN).to_pylist()}
              if table is not None and people_insight.OWNER_COLUMN in table.column_names else set())
    if not _organisation(who) or owners != {_organisation(who)}:
        raise HTTPException(403, "the record list is only for the partner that owns LEFT's records "
                            f"(every row's {people_insight.OWNER_COLUMN} must be your organisation)")
    return _answer(lambda: people_insight.unmatched(workspace(request), a, b, by, who.user.username,
                                                    DEFAULT_THRESHOLD, match_threshold, agreement, _member(who),
                                                    owner_proven=True))


@router.post("/services", summary="People known to 1, 2, ... N services, by an x_ column (protected)")
async def services(request: Request, by: str, files: list[UploadFile] = File(...),
                   threshold: int = DEFAULT_THRESHOLD, match_threshold: float = MATCH_THRESHOLD,
                   agreement: str | None = Form(None), who: Caller = Depends(COUNTS)) -> Response:
    shared = [await _file(upload, f"service-{i}.csv", None) for i, upload in enumerate(files, start=1)]
    return _answer(lambda: people_insight.services(workspace(request), shared, by, who.user.username,
                                                   threshold, match_threshold, None, agreement,
                                                   _member(who)))
