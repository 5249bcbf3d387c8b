"""Budget against outturn for one authority and year: what it planned (RA) beside what it spent (RS/RSX).

Both sides are read from the ledger whatever the count's supersession says: for each basis, the lines of the
latest accepted submission that has that authority's spend lines for the year with that basis. So loading
an RA budget after an RSX outturn (or the reverse) never hides either side here.

Two views, because the two returns are classified at different grains:
- ``by_service``: the RSX service headings (education 190 ... other 698). RA detail lines roll up into the
  heading whose block holds them (RA 332 -> 360 adult social care), so this view is like for like.
- ``by_cofog``: COFOG divisions. RA lines map line by line, RSX headings as a whole, so a division gap can be
  classification rather than money (street lighting, RA 249, is 06 in the budget but inside highways, 04,
  in the outturn; RA housing lines 409/460 are 06, RSX housing is 10). Read it with ``by_service``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v
from placespend.domain.ledger import COUNTED_SUBMISSIONS, Ledger
from placespend.domain.service_headings import RA_BLOCKS

ZERO = Decimal("0.00")
BASES = ("budget", "outturn")


@dataclass(frozen=True)
class Comparison:
    key: str            # COFOG division "01".."10", or RSX heading code "190".."698"
    label: str
    budget: Decimal
    outturn: Decimal

    @property
    def difference(self) -> Decimal:
        """Outturn minus budget: positive = spent more than planned."""
        return self.outturn - self.budget

    @property
    def variance(self) -> Decimal | None:
        """Difference as a share of the budget (None where nothing was budgeted)."""
        return (self.difference / self.budget).quantize(Decimal("0.0001")) if self.budget else None


@dataclass
class BudgetOutturn:
    council: str
    period: str
    submissions: dict[str, int | None]        # basis -> submission id used
    by_cofog: list[Comparison]
    by_service: list[Comparison]
    notes: list[str] = field(default_factory=list)

    @property
    def budget_total(self) -> Decimal:
        return sum((row.budget for row in self.by_service), ZERO)

    @property
    def outturn_total(self) -> Decimal:
        return sum((row.outturn for row in self.by_service), ZERO)


def _heading(lines: ir.Table) -> ir.Value:
    """RSX heading of a line: RA and RSX codes both fall in the heading's block; others keep their code."""
    number = lines.service_code.try_cast("int32")
    cases = [(number.between(low, high), heading) for heading, (low, high) in RA_BLOCKS.items()]
    return ibis.cases(*cases, else_=lines.service_code.fill_null("none"))


def _chosen_lines(ledger: Ledger, council: str, period: str) -> ir.Table:
    flows, subs = ledger.table("flows"), ledger.table("submissions")
    accepted = subs.filter(subs.status.isin(COUNTED_SUBMISSIONS)).select("submission_id")
    lines = ledger.with_canonical_ids(flows.semi_join(accepted, "submission_id"))
    lines = lines.filter(lines.spender == council, lines.period == period, lines.flow == "spend",
                         lines.basis.isin(BASES))
    latest = lines.group_by("basis").agg(latest=lines.submission_id.max())
    chosen = lines.inner_join(latest, "basis")
    return chosen.filter(chosen.submission_id == chosen.latest).drop("latest")


def _sums(lines: ir.Table, key: ir.Value) -> dict[tuple[str, str], Decimal]:
    grouped = lines.mutate(key=key).group_by(["basis", "key"]).agg(amount=lines.counted_amount.sum())
    return {(row["basis"], row["key"]): row["amount"] for row in grouped.to_pyarrow().to_pylist()}


def _rows(sums: dict[tuple[str, str], Decimal], labels: dict[str, str]) -> list[Comparison]:
    keys = sorted({key for _, key in sums})
    return [Comparison(key, labels.get(key, key), sums.get(("budget", key), ZERO), sums.get(("outturn", key), ZERO))
            for key in keys]


def budget_vs_outturn(ledger: Ledger, council: str, period: str) -> BudgetOutturn:
    """Compare an authority's budget and outturn for a year (`council` = its body id, e.g. its GSS code)."""
    council = v.normalise_id(council)
    lines = _chosen_lines(ledger, council, period)
    used = lines.group_by("basis").agg(submission=lines.submission_id.max()).to_pyarrow().to_pylist()
    submissions: dict[str, int | None] = {basis: None for basis in BASES}
    submissions.update({row["basis"]: row["submission"] for row in used})
    headings = {code: entry.service_line for (scheme, code), entry in cls.service_line_crosswalk().items()
                if scheme == "RSX"}
    result = BudgetOutturn(
        council, period, submissions,
        by_cofog=_rows(_sums(lines, lines.cofog_division), cls.cofog_divisions()),
        by_service=_rows(_sums(lines, _heading(lines)), headings),
    )
    for basis, submission in submissions.items():
        if submission is None:
            result.notes.append(f"No {basis} lines of '{council}' for {period} are loaded; import its "
                                f"{'RA budget' if basis == 'budget' else 'RS/RSX outturn'} file.")
    result.notes.append("by_cofog mixes grains (RA lines one by one, RSX headings whole); by_service is like for "
                        "like.")
    return result
