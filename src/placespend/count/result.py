"""The count of one place (DESIGN.md §4) as values, folded from the rows of the questions the count asks.

Why apart from `consolidate`, with no Ibis: the same folding serves the count computed through Ibis and the
CLI's quick count, which runs the same questions compiled to SQL beforehand (`count.compiled_count`) and must
not pay for importing Ibis (most of a command's start-up). Both hand their rows here, so the two cannot fold
differently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.domain import vocabulary as v

ZERO = Decimal("0.00")
OWN_INCOME = "own_income"
OUTTURN_DETAIL = "outturn_detail"
COUNTED_STATUSES = ("spend", "unreported")
# The breakdowns of CountResult and the column each one sums by, read from one grouped query.
BREAKDOWNS = {"by_cofog": "cofog_division", "by_spender_type": "counted_type", "by_funder_type": "funder_kind",
              "by_capital_revenue": "capital_revenue", "by_basis": "basis", "by_apportionment": "apportionment",
              "by_method": "method"}

Rows = list[dict[str, Any]]
# The rows of one of the count's questions, by its name (count.consolidate.count_queries): asked only when the
# folding needs them, so the overlap questions are not asked where the place has no grants.
Answers = Callable[[str], Rows]


@dataclass
class CountResult:
    place: str
    period: str
    total: Decimal
    lines: int
    by_cofog: dict[str, Decimal]
    by_spender_type: dict[str, Decimal]
    by_funder_type: dict[str, Decimal]
    by_capital_revenue: dict[str, Decimal]
    by_basis: dict[str, Decimal]
    by_apportionment: dict[str, Decimal]
    by_method: dict[str, Decimal]
    unreported_transfers: Decimal
    eliminated_transfers: Decimal
    unreported_recipients: list[dict[str, object]] = field(default_factory=list)
    # bodies that only pass money on: what they received and passed on in scope (shown, not counted)
    pass_through: list[dict[str, object]] = field(default_factory=list)
    outturn_detail: Decimal = ZERO   # grants inside their council's outturn: shown, not counted (count.overlaps)
    overlap_warnings: list[dict[str, object]] = field(default_factory=list)


def fold_count(place: str, period: str, answer: Answers) -> CountResult:
    """The cells (lines grouped by status and every breakdown's key) summed in Decimal, so each breakdown adds
    up to the total exactly, with the unreported recipients, pass-through bodies and overlap warnings."""
    by_status: dict[str, Decimal] = defaultdict(lambda: ZERO)
    sums: dict[str, dict[str, Decimal]] = {name: defaultdict(lambda: ZERO) for name in BREAKDOWNS}
    line_count = 0
    for cell in answer("cells"):
        line_count += cell["lines"]
        by_status[cell["status"]] += cell["amount"]
        if cell["status"] in COUNTED_STATUSES:
            for name, key in BREAKDOWNS.items():
                sums[name][str(cell[key])] += cell["amount"]
    return CountResult(
        place=place,
        period=period,
        total=by_status["spend"] + by_status["unreported"],
        lines=line_count,
        **{name: dict(sorted(found.items())) for name, found in sums.items()},
        unreported_transfers=by_status["unreported"],
        eliminated_transfers=by_status["eliminated"],
        unreported_recipients=answer("unreported_recipients"),
        pass_through=[{**row, "difference": row["received"] - row["passed_on"]} for row in answer("pass_through")],
        outturn_detail=by_status[OUTTURN_DETAIL],
        overlap_warnings=fold_overlap_warnings(answer),
    )


def fold_overlap_warnings(answer: Answers) -> list[dict[str, object]]:
    """What the count could not decide, and what it decided, about grants beside an outturn (count.overlaps)."""
    if not answer("grants")[0]["n"]:
        return []
    councils = sorted({row["spender"] for row in answer("outturn_councils")})
    warnings: list[dict[str, object]] = []
    for row in answer("grants_by_spender"):
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
