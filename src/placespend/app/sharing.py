"""Information-sharing agreements, enforced (issue "Customer insight II", points 4 and 6).

The ICO data sharing code asks that people-level sharing happens under a documented agreement: who shares
(parties, as body ids), why (purpose), on what lawful basis (UK GDPR Art. 6(1), and Art. 9(2) for special
category data), which fields, how long results are kept, when it is reviewed. Here the agreement is also
the gate: `require_agreement` is called by `link` and `overlap` before they read a record, every run is
audited (who, when, agreement, fingerprints of the inputs, counts published), and `purge` deletes stored
linkage pairs past retention, leaving a record that it did. Purging also happens whenever an agreement is
required or a run is read, so expired data cannot be served while waiting for someone to run `purge`.

Who sees what (point 6): only analysts named in the agreement see a run's pairs; a partner sees only its
own side's record ids; everyone else (viewers, councillors, the public site) sees the run's aggregates,
which left disclosure control (`insight.disclosure`) before they were stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, NoReturn

from placespend.app.accounts import User
from placespend.app.workflow import Forbidden, NotFound
from placespend.domain import vocabulary as v
from placespend.domain.problems import PlacespendError
from placespend.engine import sharing_store as store
from placespend.engine.workspace import Workspace
from placespend.insight.disclosure import DEFAULT_THRESHOLD, protect, published_threshold

# UK GDPR Art. 6(1) lawful bases and Art. 9(2) conditions, by their paragraph letters.
ARTICLE_6 = {"a": "consent", "b": "contract", "c": "legal obligation", "d": "vital interests", "e": "public task",
             "f": "legitimate interests"}
ARTICLE_9 = {"a": "explicit consent", "b": "employment and social security", "c": "vital interests",
             "d": "not-for-profit bodies", "e": "made public by the data subject", "f": "legal claims",
             "g": "substantial public interest", "h": "health or social care", "i": "public health",
             "j": "archiving, research and statistics"}
LINK_COUNTS = ["left_only", "both", "right_only"]
RUN_KINDS = ("link", "overlap", "unmatched", "services")


class Refused(PlacespendError):
    """Sharing not covered by a live agreement, or results asked for by someone the agreement does not name."""


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    purpose: str
    legal_basis: str
    special_basis: str | None
    parties: list[str]
    fields: list[str]
    analysts: list[str]
    retention_days: int | None
    retain_until: dt.date | None
    review_date: dt.date
    rounding: int | None
    threshold: int
    created_by: str
    created_at: dt.datetime
    retired_by: str | None
    retired_at: dt.datetime | None
    retire_reason: str | None

    def problem(self, today: dt.date) -> str | None:
        """Why the agreement does not allow sharing today, or None when it is live."""
        if self.retired_at is not None:
            return f"agreement {self.agreement_id} was retired on {self.retired_at:%Y-%m-%d} ({self.retire_reason})"
        if self.retain_until is not None and today > self.retain_until:
            return f"agreement {self.agreement_id} expired on {self.retain_until}"
        if today > self.review_date:
            return f"agreement {self.agreement_id} was due for review on {self.review_date}; record a review first"
        return None

    def keep_until(self, run_at: dt.datetime) -> dt.date:
        """The last day a run's stored results may be kept."""
        ends = [self.retain_until] if self.retain_until else []
        if self.retention_days is not None:
            ends.append(run_at.date() + dt.timedelta(days=self.retention_days))
        return min(ends)


def _today() -> dt.date:
    return store.now().date()


def legal_basis(text: str, article: int) -> str:
    """'6(1)(e)', 'e' or 'public task' -> '6(1)(e)'; anything else is refused, naming the choices."""
    bases = ARTICLE_6 if article == 6 else ARTICLE_9
    prefix = "6(1)" if article == 6 else "9(2)"
    key = text.strip().lower().removeprefix("art.").strip().removeprefix(prefix).strip("() ")
    for letter, name in bases.items():
        if key in {letter, name}:
            return f"{prefix}({letter})"
    choices = "; ".join(f"{prefix}({k}) {n}" for k, n in bases.items())
    raise PlacespendError(f"'{text}' is not a UK GDPR Art. {article} basis; use one of: {choices}")


def add_agreement(ws: Workspace, agreement_id: str, purpose: str, basis: str, parties: list[str],
                  fields: list[str], analysts: list[str], review_date: dt.date, by: str,
                  special_basis: str | None = None, retention_days: int | None = None,
                  retain_until: dt.date | None = None, rounding: int | None = None,
                  threshold: int = DEFAULT_THRESHOLD) -> Agreement:
    """Register an agreement; it is refused unless it says everything the code of practice asks for."""
    if any(a.agreement_id == agreement_id for a in agreements(ws)):
        raise PlacespendError(f"agreement {agreement_id} exists already; retire it and add a new one")
    if len(set(map(v.normalise_id, parties))) < 2:
        raise PlacespendError("an agreement needs at least two parties (body ids)")
    if not fields or not analysts or not purpose.strip():
        raise PlacespendError("an agreement needs a purpose, at least one field and at least one named analyst")
    if retention_days is None and retain_until is None:
        raise PlacespendError("say how long results are kept: --retention-days or --retain-until")
    published_threshold(threshold)
    if (retention_days is not None and retention_days < 0) or (rounding is not None and rounding < 1):
        raise PlacespendError("retention days must be >= 0 and rounding >= 1")
    row = {"agreement_id": agreement_id, "purpose": purpose.strip(), "legal_basis": legal_basis(basis, 6),
           "special_basis": legal_basis(special_basis, 9) if special_basis else None,
           "parties": sorted(set(map(v.normalise_id, parties))), "fields": sorted({f.strip() for f in fields}),
           "analysts": sorted(set(analysts)), "retention_days": retention_days, "retain_until": retain_until,
           "review_date": review_date, "rounding": rounding, "threshold": threshold, "created_by": by,
           "created_at": store.now()}
    store.insert_agreement(ws, row)
    return agreement(ws, agreement_id)


def agreements(ws: Workspace) -> list[Agreement]:
    return [Agreement(**row) for row in store.agreements(ws)]


def agreement(ws: Workspace, agreement_id: str) -> Agreement:
    for found in agreements(ws):
        if found.agreement_id == agreement_id:
            return found
    raise PlacespendError(f"no sharing agreement {agreement_id}; see 'placespend insight agreement list'")


def retire(ws: Workspace, agreement_id: str, by: str, reason: str) -> Agreement:
    """End an agreement: no run may use it from now on (its stored results keep their retention)."""
    if agreement(ws, agreement_id).retired_at is not None:
        raise PlacespendError(f"agreement {agreement_id} is retired already")
    store.update_agreement(ws, agreement_id, by, "agreement.retire",
                           {"retired_by": by, "retired_at": store.now(), "retire_reason": reason or "no reason given"})
    return agreement(ws, agreement_id)


def review(ws: Workspace, agreement_id: str, by: str, next_review: dt.date) -> Agreement:
    """Record that the agreement was reviewed and is still needed, with the date of the next review."""
    if next_review <= _today():
        raise PlacespendError("the next review date must be in the future")
    store.update_agreement(ws, agreement_id, by, "agreement.review", {"review_date": next_review})
    return agreement(ws, agreement_id)


def require_agreement(ws: Workspace, parties: list[str], fields: list[str], who: str = "unknown",
                      agreement_id: str | None = None) -> Agreement:
    """The live agreement covering these partners and fields (the one named, when given), or a refusal
    naming what is missing.

    Every refusal is audited too: an attempt to link without cover is itself worth knowing about.
    """
    purge(ws, who)
    wanted, wanted_fields, today = set(map(v.normalise_id, parties)), set(fields), _today()
    covering = [a for a in agreements(ws) if wanted <= set(a.parties)
                and (agreement_id is None or a.agreement_id == agreement_id)]
    reasons = []
    for found in covering:
        missing = sorted(wanted_fields - set(found.fields))
        problem = found.problem(today)
        if problem is None and not missing:
            return found
        reasons.append(problem or f"agreement {found.agreement_id} does not cover the fields {', '.join(missing)}")
    named = f"agreement {agreement_id}" if agreement_id else "sharing agreement"
    message = ("; ".join(reasons) if reasons else
               f"no {named} covers the parties {', '.join(sorted(wanted))}; add one with "
               "'placespend insight agreement add'")
    refuse(ws, who, {"parties": sorted(wanted), "fields": sorted(wanted_fields)}, message,
           covering[0].agreement_id if covering else agreement_id)


def refuse(ws: Workspace, who: str, detail: dict[str, Any], message: str, agreement_id: str | None = None) -> NoReturn:
    """Audit a refusal, then raise it: every attempt to share without cover is itself worth knowing about."""
    store.record_refusal(ws, who, agreement_id, {**detail, "reason": message})
    raise Refused(f"Refused: {message}")


def require_analyst(ws: Workspace, agreement: Agreement, username: str) -> None:
    """Linkage results (pairs) go only to the analysts the agreement names; anyone else is refused, audited."""
    if username not in agreement.analysts:
        refuse(ws, username, {"wanted": "linkage pairs"}, f"only the analysts named in agreement "
               f"{agreement.agreement_id} ({', '.join(agreement.analysts)}) see its linkage results",
               agreement.agreement_id)


def save_run(ws: Workspace, agreement: Agreement, kind: str, who: str, left_owner: str, right_owner: str,
             left_fingerprint: str, right_fingerprint: str, pairs: list[tuple[str, str, float]] | None = None,
             left_records: int | None = None, right_records: int | None = None,
             published: dict[str, Any] | None = None) -> str:
    """Audit one `link` or `overlap` run and store its pseudonymised pairs; returns the run id.

    `pairs` are (left record_id, right record_id, match probability) from pseudonymised files, never raw
    identifiers. `published` is what the run printed, as it left disclosure control; for a `link` run with
    record counts the summary (left only / both / right only) is protected here.
    """
    if kind not in RUN_KINDS:
        raise ValueError(f"kind must be one of {RUN_KINDS}, not {kind!r}")
    pairs = pairs or []
    if published is None and left_records is not None and right_records is not None:
        published = link_summary(agreement, len(pairs), left_records, right_records)
    run_id = f"{store.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    store.insert_run(ws, {"run_id": run_id, "agreement_id": agreement.agreement_id, "kind": kind, "run_by": who,
                          "run_at": store.now(), "left_owner": v.normalise_id(left_owner),
                          "right_owner": v.normalise_id(right_owner), "left_fingerprint": left_fingerprint,
                          "right_fingerprint": right_fingerprint, "left_records": left_records,
                          "right_records": right_records, "published": published}, pairs)
    return run_id


def link_summary(agreement: Agreement, linked: int, left_records: int, right_records: int) -> dict[str, Any]:
    """How many people the two sides share, through disclosure control with the agreement's settings."""
    row = {"group": "all", "left_only": left_records - linked, "both": linked, "right_only": right_records - linked}
    row["total"] = row["left_only"] + row["both"] + row["right_only"]
    table = protect([row], LINK_COUNTS, "total", agreement.threshold, agreement.rounding)
    return {"threshold": table.threshold, "rounding": table.rounding, "groups": table.rows,
            "column_totals": table.column_totals, "grand_total": table.grand_total}


def purge(ws: Workspace, who: str = "placespend") -> list[dict[str, Any]]:
    """Delete stored pairs of every run past its agreement's retention; returns what was purged."""
    by_id = {a.agreement_id: a for a in agreements(ws)}
    today, due, reasons = _today(), [], {}
    for run in store.runs(ws):
        found = by_id.get(run["agreement_id"])
        if run["purged_at"] is None and found is not None and today > found.keep_until(run["run_at"]):
            due.append(run)
            reasons[run["run_id"]] = f"retention under {found.agreement_id} ended {found.keep_until(run['run_at'])}"
    store.purge_runs(ws, [run["run_id"] for run in due], who, reasons)
    return [{"run_id": run["run_id"], "agreement_id": run["agreement_id"], "pairs_deleted": run["pairs"],
             "reason": reasons[run["run_id"]]} for run in due]


def runs(ws: Workspace, agreement_id: str | None = None) -> list[dict[str, Any]]:
    """Runs with their audit facts and published aggregates (no pairs): safe for every signed-in role."""
    purge(ws)
    keep = ("run_id", "agreement_id", "kind", "run_by", "run_at", "left_owner", "right_owner", "left_fingerprint",
            "right_fingerprint", "published", "purged_at")
    return [{k: run[k] for k in keep} for run in store.runs(ws)
            if agreement_id is None or run["agreement_id"] == agreement_id]


def _run(ws: Workspace, run_id: str) -> dict[str, Any]:
    for run in runs(ws):
        if run["run_id"] == run_id:
            return run
    raise NotFound(f"no linkage run {run_id}")


def may_see(run: dict[str, Any], role: str, organisation: str | None) -> bool:
    """Staff and viewers read every run's published counts (as `/api/insight/runs/{id}/summary` gives them); a
    partner only the runs its organisation was a party to."""
    if role != "partner":
        return True
    return organisation is not None and organisation in {run["left_owner"], *run["right_owner"].split("+")}


def run_summary(ws: Workspace, run_id: str, user: User | None = None) -> dict[str, Any]:
    """The aggregates a run published (already through disclosure control): for staff and viewers, and for a
    partner only when its organisation was a party to the run (`user` None: the CLI, on the workspace itself)."""
    run = _run(ws, run_id)
    if user is not None and not may_see(run, user.role, user.organisation):
        store.record_refusal(ws, user.username, run["agreement_id"], {"run_id": run_id, "wanted": "summary"})
        raise Forbidden(f"run {run_id} was not run on your organisation's records")
    return {"run_id": run_id, "agreement_id": run["agreement_id"], "kind": run["kind"],
            "published": run["published"], "purged": run["purged_at"] is not None}


def run_pairs(ws: Workspace, run_id: str, user: User) -> list[dict[str, Any]]:
    """The linked pairs: only for analysts named in the run's agreement."""
    run = _run(ws, run_id)
    if user.role != "analyst" or user.username not in agreement(ws, run["agreement_id"]).analysts:
        store.record_refusal(ws, user.username, run["agreement_id"], {"run_id": run_id, "wanted": "pairs"})
        raise Forbidden(f"only analysts named in agreement {run['agreement_id']} see its linkage results")
    return store.pairs(ws, run_id)


def partner_records(ws: Workspace, run_id: str, user: User) -> dict[str, Any]:
    """A partner's own record ids that were linked in a run; nothing of the other side."""
    run = _run(ws, run_id)
    side = {"left": run["left_owner"], "right": run["right_owner"]}
    mine = [name for name, owner in side.items() if owner == user.organisation]
    if user.role != "partner" or not mine:
        raise NotFound(f"no linkage run {run_id}")
    ids = sorted({pair[f"{name}_id"] for pair in store.pairs(ws, run_id) for name in mine})
    return {"run_id": run_id, "organisation": user.organisation, "record_ids": ids}


def audit_trail(ws: Workspace, agreement_id: str | None = None) -> list[dict[str, Any]]:
    return store.audit(ws, agreement_id)
