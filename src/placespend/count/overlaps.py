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

from decimal import Decimal

import ibis.expr.types as ir

from placespend.domain import vocabulary as v

OUTTURN_DETAIL = "outturn_detail"
COUNTED_STATUSES = ("spend", "unreported")


def is_outturn(lines: ir.Table) -> ir.BooleanValue:
    return (lines.flow == "spend") & (lines.basis == "outturn") & lines.service_scheme.isin(v.OUTTURN_SCHEMES)


def is_grant(lines: ir.Table) -> ir.BooleanValue:
    return lines.cofog_source.isin(v.GRANT_COFOG_SOURCES)


def outturn_bodies(lines: ir.Table, *keys: str) -> ir.Table:
    """The spenders reporting service outturn among the lines, as `outturn_body` (with `keys`, e.g. the place)."""
    outturn = lines.filter(is_outturn(lines))
    return outturn.select(*[outturn[k].name(f"outturn_{k}") for k in keys], outturn_body=outturn.spender).distinct()


def overlap_warnings(classified: ir.Table) -> list[dict[str, object]]:
    """What the count could not decide, and what it decided, about grants beside an outturn, as values."""
    grants = classified.filter(is_grant(classified))
    if not grants.count().to_pyarrow().as_py():
        return []
    outturn = classified.filter(is_outturn(classified))
    councils = sorted(set(outturn.select("spender").distinct().spender.to_pyarrow().to_pylist()))
    by = grants.group_by(["spender", "spender_type", "status"]).agg(amount=grants.amount.sum(), lines=grants.count())
    warnings: list[dict[str, object]] = []
    for row in by.order_by("spender").to_pyarrow().to_pylist():
        body, amount = str(row["spender"]), Decimal(row["amount"])
        if row["status"] == OUTTURN_DETAIL:
            warnings.append({"type": "grants-in-outturn", "body": body, "amount": amount, "lines": row["lines"],
                             "message": f"{row['lines']} grants of {body} (GBP {amount:,.2f}) are part of its "
                             "service outturn (RS/RSX) and are shown as detail, not counted again. Their year is "
                             "the award's; a multi-year grant is paid over later years."})
        elif councils and row["spender_type"] == "local_authority" and not v.GSS_PATTERN.match(body.upper()):
            warnings.append({"type": "grants-outturn-unmatched", "body": body, "amount": amount,
                             "lines": row["lines"], "outturn_bodies": councils,
                             "message": f"Grants of {body} (GBP {amount:,.2f}) are counted, but {body} may be the "
                             f"council whose outturn is counted too ({', '.join(councils)}): if so these "
                             "pounds count twice. Import the org-id lookup and merge the bodies (placespend "
                             "bodies suggest --apply)."})
    return warnings
