"""Warnings about a whole return: the inconsistencies seed 000 §4.3 found between the 2009-10 pilots.

They never block loading; they tell the count team what to query before the figures are relied on.
Each check is split in two: the aggregates it needs (`ReturnFacts`), gathered here from FlowLines or by
`columnar_checks` in SQL, and the messages, written once from the aggregates so both paths say the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from placespend.domain import classifications as cls
from placespend.domain.ledger_lines import FlowLine
from placespend.domain.problems import Report
from placespend.domain.vocabulary import BASIS_RANK
from placespend.ingest.plausibility import LargeLine, SliceKey, SliceTotals, exceeds

# A body whose return puts less than this share of its spend where its peers spend is worth a query.
PEER_OVERLAP_THRESHOLD = Decimal("0.5")
ONE_OFF_ROWS_SHOWN = 10


@dataclass
class WorkspaceContext:
    """What validation needs to know of the workspace, read by the service from the engine beforehand."""

    known_places: set[str] = field(default_factory=set)
    body_types: dict[str, str] = field(default_factory=dict)
    peer_divisions: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # body type -> division share


@dataclass
class Apportioned:
    lines: int
    total: Decimal
    first_row: int


@dataclass
class ReturnFacts:
    """Everything the warnings are computed from; small whatever the size of the return."""

    periods: dict[str, int]
    bases: dict[str, int]
    spend_lines: int
    capital_spend_lines: int
    one_off_lines: int
    one_off_total: Decimal
    one_off_rows: list[int]  # the first ONE_OFF_ROWS_SHOWN, in file order
    outside_pesa: dict[str, Decimal]  # spender type outside PESA -> counted amount
    apportioned: dict[str, Apportioned]  # apportionment other than actual
    body_kinds: dict[str, set[str]]
    spend_by_body: dict[tuple[str, str], dict[str, Decimal]]  # (spender, type) -> division -> counted
    duplicates: list[tuple[str | None, int, int]]  # (sheet, row, first row with the same key), in file order


def check_return(lines: list[FlowLine], report: Report, context: WorkspaceContext) -> None:
    if not lines:
        return
    warn(facts_of(lines), report, context)


def slices_of(lines: list[FlowLine], submitter: str | None) -> dict[SliceKey, SliceTotals]:
    """Each submission-to-be's lines per place and period: the given submitter's, else each spender's."""
    found: dict[SliceKey, SliceTotals] = {}
    for line in lines:
        key = (submitter or line.spender, line.place, line.period)
        was = found.get(key, SliceTotals(0, Decimal("0.00"), 0))
        found[key] = SliceTotals(was.lines + 1, was.total + line.counted_amount,
                                 max(was.rank, BASIS_RANK.get(line.basis, 1)))
    return found


def large_lines(lines: list[FlowLine], submitter: str | None, previous: dict[SliceKey, SliceTotals]
                ) -> list[LargeLine]:
    """Lines counting more than their submitter's whole previous return for their place and period (plausibility)."""
    found = []
    for line in lines:
        key = (submitter or line.spender, line.place, line.period)
        before = previous.get(key)
        if before is not None and exceeds(line.counted_amount, before):
            found.append(LargeLine(line.sheet, line.row, line.counted_amount, key))
    return found


def facts_of(lines: list[FlowLine]) -> ReturnFacts:
    spend = [line for line in lines if line.flow == "spend"]
    one_off = [line for line in lines if line.recurrence == "one_off"]
    pesa = cls.body_types()
    outside: dict[str, Decimal] = defaultdict(Decimal)
    apportioned: dict[str, Apportioned] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    spend_by_body: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        if not pesa[line.spender_type].pesa_scope:
            outside[line.spender_type] += line.counted_amount
        if line.apportionment != "actual":
            group = apportioned.setdefault(line.apportionment, Apportioned(0, Decimal(0), line.row))
            group.lines += 1
            group.total += line.counted_amount
        kinds[line.spender].add(line.spender_type)
        if line.recipient and line.recipient_type:
            kinds[line.recipient].add(line.recipient_type)
        if line.funder and line.funder_type:
            kinds[line.funder].add(line.funder_type)
        if line.flow == "spend":
            spend_by_body[(line.spender, line.spender_type)][line.cofog_division] += line.counted_amount
    return ReturnFacts(
        periods=dict(Counter(line.period for line in lines)), bases=dict(Counter(line.basis for line in lines)),
        spend_lines=len(spend), capital_spend_lines=sum(line.capital_revenue == "capital" for line in spend),
        one_off_lines=len(one_off), one_off_total=sum((line.counted_amount for line in one_off), Decimal(0)),
        one_off_rows=[line.row for line in one_off[:ONE_OFF_ROWS_SHOWN]], outside_pesa=dict(outside),
        apportioned=apportioned, body_kinds=dict(kinds),
        spend_by_body={key: dict(divisions) for key, divisions in spend_by_body.items()},
        duplicates=_duplicates(lines))


def _duplicates(lines: list[FlowLine]) -> list[tuple[str | None, int, int]]:
    seen: dict[tuple[object, ...], int] = {}
    found = []
    for line in lines:
        key = (line.period, line.place, line.spender, line.flow, line.amount, line.cofog, line.recipient,
               line.funder, line.service_code, line.capital_revenue, line.basis, line.place_share)
        if key in seen and not line.line_id:
            found.append((line.sheet, line.row, seen[key]))
        seen.setdefault(key, line.row)
    return found


def warn(facts: ReturnFacts, report: Report, context: WorkspaceContext) -> None:
    """The warnings of a non-empty return, in a fixed order."""
    _mixed(facts, report)
    _capital_and_one_off(facts, report)
    _outside_pesa(facts, report)
    _apportioned(facts, report)
    _body_types(facts, report, context)
    _far_from_peers(facts, report, context)
    for sheet, row, first in facts.duplicates:
        report.warn("duplicate-line", f"Row {row} repeats row {first} exactly; if it is not a "
                    "genuine second payment, delete it.", sheet=sheet, row=row)


def _pounds(amount: Decimal) -> str:
    return f"GBP {amount:,.2f}"


def _mixed(facts: ReturnFacts, report: Report) -> None:
    if len(facts.periods) > 1:
        listed = ", ".join(f"{p} ({n} lines)" for p, n in sorted(facts.periods.items()))
        report.warn("mixed-periods", f"The return covers several periods: {listed}. Pilots that mixed years "
                    "could not be compared (seed 000 §4.3); check each line's period.")
    bases = facts.bases
    if "budget" in bases and "outturn" in bases:
        report.warn("budget-with-outturn", f"{bases['budget']} budget lines sit beside {bases['outturn']} outturn "
                    "lines; budgets and outturn are not comparable, so say which the count should use.")


def _capital_and_one_off(facts: ReturnFacts, report: Report) -> None:
    if facts.spend_lines and not facts.capital_spend_lines:
        report.warn("no-capital-lines", "The return has no capital spending. Some pilots left capital out "
                    "(seed 000 §4.3); add it, or confirm there was none.")
    if facts.one_off_lines:
        rows = ", ".join(str(row) for row in facts.one_off_rows)
        report.warn("one-off-lines", f"{facts.one_off_lines} one-off lines ({_pounds(facts.one_off_total)}; rows "
                    f"{rows}) are counted but will not recur; they are shown separately so they do not distort "
                    "year-on-year comparison.")


def _outside_pesa(facts: ReturnFacts, report: Report) -> None:
    for kind, total in sorted(facts.outside_pesa.items()):
        report.warn("outside-pesa-scope", f"{_pounds(total)} is spent by {kind.replace('_', ' ')} bodies, which "
                    "HM Treasury's PESA does not cover; the centre-out estimate will not include it.")


def _apportioned(facts: ReturnFacts, report: Report) -> None:
    for method, group in sorted(facts.apportioned.items()):
        last_resort = " A population proxy is the last resort (seed 004)." if method == "population_proxy" else ""
        report.warn("place-share-estimated", f"{group.lines} lines ({_pounds(group.total)}) have a place share "
                    f"obtained by {method.replace('_', ' ')}; they are labelled as such in the count.{last_resort}",
                    row=group.first_row, column="apportionment")


def _body_types(facts: ReturnFacts, report: Report, context: WorkspaceContext) -> None:
    for body, kinds in sorted(facts.body_kinds.items()):
        known = context.body_types.get(body)
        if len(kinds) > 1:
            report.warn("body-type-inconsistent", f"Body '{body}' is given several types in this return: "
                        f"{', '.join(sorted(kinds))}. Bodies categorised differently broke pilots' comparisons.")
        elif known and known not in kinds:
            report.warn("body-type-inconsistent", f"Body '{body}' is '{next(iter(kinds))}' here but '{known}' in "
                        "earlier returns; agree one type with the count team.")


def _far_from_peers(facts: ReturnFacts, report: Report, context: WorkspaceContext) -> None:
    for (body, kind), divisions in sorted(facts.spend_by_body.items()):
        total = sum(divisions.values(), Decimal(0))
        if not total:
            continue
        peers = context.peer_divisions.get(kind, {})
        usual = {d for d, share in peers.items() if share >= Decimal("0.05")}
        usual |= set(cls.body_types()[kind].typical_cofog)
        overlap = sum((a for d, a in divisions.items() if d in usual), Decimal(0)) / total
        if overlap < PEER_OVERLAP_THRESHOLD:
            report.warn("cofog-far-from-peers", f"Only {overlap:.0%} of {body}'s spend is in the COFOG divisions "
                        f"where {kind.replace('_', ' ')} bodies usually spend ({', '.join(sorted(usual))}); "
                        "check the classification.")
