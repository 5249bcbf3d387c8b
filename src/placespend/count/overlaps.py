"""Known double counts between two published sources of one council's money: its 360Giving grants and its
RS/RSX revenue outturn.

Why: a council's net current expenditure by service heading (RS, RSX) already includes the grants it paid to
voluntary bodies, so counting the grants from its 360Giving file as well would count those pounds twice
(seed 004, the Local Spend Mapping Template: "double counting should be avoided ... consideration of the
original source of spending"). The rule, for a place and period:

- a **grant line** (COFOG from the 360Giving keyword rules) whose spender also reports **service outturn** in
  the same scope (spend lines, basis outturn, RS/RSX service headings) gets the status ``outturn_detail``:
  it stays in the ledger, the flow map and the provenance as detail of who received the money, and is shown
  as ``outturn_detail`` in the count, but does not add to the total;
- where that cannot be decided for certain it is **warned**, not guessed: grants of a local authority whose
  id is not an ONS code (an org-id such as ``GB-LAE-TRF`` that the bodies register has not merged into the
  council's GSS code) while some council's outturn is in scope, counted on top of it until the bodies are
  merged (``placespend bodies suggest --apply`` with the org-id lookup imported).

Bodies compare by canonical id (the bodies register), and periods by financial year: the grant's is its award
date's, which for a multi-year grant is not the years it is paid in, so a note says so.
"""

from __future__ import annotations

import ibis.expr.types as ir

from placespend.count.result import COUNTED_STATUSES, OUTTURN_DETAIL
from placespend.domain import vocabulary as v

__all__ = ["COUNTED_STATUSES", "OUTTURN_DETAIL", "is_grant", "is_outturn", "outturn_bodies", "overlap_queries"]


def is_outturn(lines: ir.Table) -> ir.BooleanValue:
    return (lines.flow == "spend") & (lines.basis == "outturn") & lines.service_scheme.isin(v.OUTTURN_SCHEMES)


def is_grant(lines: ir.Table) -> ir.BooleanValue:
    return lines.cofog_source.isin(v.GRANT_COFOG_SOURCES)


def outturn_bodies(lines: ir.Table, *keys: str) -> ir.Table:
    """The spenders reporting service outturn among the lines, as `outturn_body` (with `keys`, e.g. the place)."""
    outturn = lines.filter(is_outturn(lines))
    return outturn.select(*[outturn[k].name(f"outturn_{k}") for k in keys], outturn_body=outturn.spender).distinct()


def overlap_queries(classified: ir.Table) -> dict[str, ir.Table]:
    """What the count asks to warn about grants beside an outturn (folded by count.result.fold_overlap_warnings):
    how many grants there are, the councils reporting outturn, and the grants by spender and status."""
    grants = classified.filter(is_grant(classified))
    outturn = classified.filter(is_outturn(classified))
    by = grants.group_by(["spender", "spender_type", "status"]).agg(amount=grants.amount.sum(), lines=grants.count())
    return {"grants": grants.aggregate(n=grants.count()), "outturn_councils": outturn.select("spender").distinct(),
            "grants_by_spender": by.order_by(["spender", "status", "spender_type"])}
