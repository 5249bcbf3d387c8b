"""JSON API for customer insight: sharing agreements, linkage runs and who may read them (DESIGN.md §7).

Point 6 of "Customer insight II": agreements and runs' audit facts for staff; a run's pairs only for the
analysts its agreement names; a partner only its own side's record ids; everyone signed in (and the public
site) only the run's aggregates, which passed disclosure control before they were stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from placespend.app import sharing
from placespend.report.people_counts import export_rows
from placespend.web.api import as_json, table_response
from placespend.web.security import Caller, results_reader, role_in, workspace

router = APIRouter(prefix="/api/insight", tags=["insight"])
STAFF = ("admin", "analyst")


@router.get("/agreements", summary="Information-sharing agreements, live or not, with why not")
def agreements(request: Request, who: Caller = Depends(role_in(*STAFF))) -> Response:
    today = dt.date.today()
    found = sharing.agreements(workspace(request))
    return as_json([{**dataclasses.asdict(a), "problem": a.problem(today)} for a in found])


@router.get("/agreements/{agreement_id}", summary="One agreement with its runs and audit trail")
def agreement(request: Request, agreement_id: str, who: Caller = Depends(role_in(*STAFF))) -> Response:
    ws = workspace(request)
    found = sharing.agreement(ws, agreement_id)
    return as_json({**dataclasses.asdict(found), "problem": found.problem(dt.date.today()),
                    "runs": sharing.runs(ws, agreement_id), "audit": sharing.audit_trail(ws, agreement_id)})


@router.get("/runs", summary="Linkage and overlap runs: who, when, under which agreement (no pairs)")
def runs(request: Request, who: Caller = Depends(role_in(*STAFF))) -> Response:
    return as_json(sharing.runs(workspace(request)))


@router.get("/runs/{run_id}/summary", summary="A run's counts of people, as they left disclosure control")
def run_summary(request: Request, run_id: str, format: str = "json",
                who: Caller = Depends(results_reader)) -> Response:
    summary = sharing.run_summary(workspace(request), run_id, who.user)
    if format == "json":
        return as_json(summary)
    return table_response(export_rows(summary["published"]), format, f"run-{run_id}")


@router.get("/runs/{run_id}/pairs", summary="A run's linked pairs: analysts named in its agreement only")
def run_pairs(request: Request, run_id: str, who: Caller = Depends(role_in(*STAFF))) -> Response:
    return as_json(sharing.run_pairs(workspace(request), run_id, who.user))


@router.get("/runs/{run_id}/records", summary="A partner's own record ids linked in a run")
def partner_records(request: Request, run_id: str, who: Caller = Depends(role_in("partner"))) -> Response:
    return as_json(sharing.partner_records(workspace(request), run_id, who.user))
