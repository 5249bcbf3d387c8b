"""Warnings about a whole return: the inconsistencies seed 000 §4.3 found between the 2009-10 pilots.

They never block loading; they tell the count team what to query before the figures are relied on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from placespend.domain import classifications as cls
from placespend.domain.problems import Report
from placespend.ingest.flows import FlowLine

# A body whose return puts less than this share of its spend where its peers spend is worth a query.
PEER_OVERLAP_THRESHOLD = Decimal("0.5")


@dataclass
class WorkspaceContext:
    """What validation needs to know of the workspace, read by the service from the engine beforehand."""

    known_places: set[str] = field(default_factory=set)
    body_types: dict[str, str] = field(default_factory=dict)
    peer_divisions: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # body type -> division share


def check_return(lines: list[FlowLine], report: Report, context: WorkspaceContext) -> None:
    if not lines:
        return
    _mixed(lines, report)
    _capital_and_one_off(lines, report)
    _outside_pesa(lines, report)
    _apportioned(lines, report)
    _body_types(lines, report, context)
    _far_from_peers(lines, report, context)
    _duplicates(lines, report)


def _pounds(amount: Decimal) -> str:
    return f"GBP {amount:,.2f}"


def _mixed(lines: list[FlowLine], report: Report) -> None:
    periods = Counter(line.period for line in lines)
    if len(periods) > 1:
        listed = ", ".join(f"{p} ({n} lines)" for p, n in sorted(periods.items()))
        report.warn("mixed-periods", f"The return covers several periods: {listed}. Pilots that mixed years "
                    "could not be compared (seed 000 §4.3); check each line's period.")
    bases = Counter(line.basis for line in lines)
    if "budget" in bases and "outturn" in bases:
        report.warn("budget-with-outturn", f"{bases['budget']} budget lines sit beside {bases['outturn']} outturn "
                    "lines; budgets and outturn are not comparable, so say which the count should use.")


def _capital_and_one_off(lines: list[FlowLine], report: Report) -> None:
    spend = [line for line in lines if line.flow == "spend"]
    if spend and not any(line.capital_revenue == "capital" for line in spend):
        report.warn("no-capital-lines", "The return has no capital spending. Some pilots left capital out "
                    "(seed 000 §4.3); add it, or confirm there was none.")
    one_off = [line for line in lines if line.recurrence == "one_off"]
    if one_off:
        total = sum((line.counted_amount for line in one_off), Decimal(0))
        rows = ", ".join(str(line.row) for line in one_off[:10])
        report.warn("one-off-lines", f"{len(one_off)} one-off lines ({_pounds(total)}; rows {rows}) are counted "
                    "but will not recur; they are shown separately so they do not distort year-on-year comparison.")


def _outside_pesa(lines: list[FlowLine], report: Report) -> None:
    types = cls.body_types()
    outside: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if not types[line.spender_type].pesa_scope:
            outside[line.spender_type] += line.counted_amount
    for kind, total in sorted(outside.items()):
        report.warn("outside-pesa-scope", f"{_pounds(total)} is spent by {kind.replace('_', ' ')} bodies, which "
                    "HM Treasury's PESA does not cover; the centre-out estimate will not include it.")


def _apportioned(lines: list[FlowLine], report: Report) -> None:
    by_method: dict[str, list[FlowLine]] = defaultdict(list)
    for line in lines:
        if line.apportionment != "actual":
            by_method[line.apportionment].append(line)
    for method, group in sorted(by_method.items()):
        total = sum((line.counted_amount for line in group), Decimal(0))
        last_resort = " A population proxy is the last resort (seed 004)." if method == "population_proxy" else ""
        report.warn("place-share-estimated", f"{len(group)} lines ({_pounds(total)}) have a place share obtained "
                    f"by {method.replace('_', ' ')}; they are labelled as such in the count.{last_resort}",
                    row=group[0].row, column="apportionment")


def _body_types(lines: list[FlowLine], report: Report, context: WorkspaceContext) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        seen[line.spender].add(line.spender_type)
        if line.recipient and line.recipient_type:
            seen[line.recipient].add(line.recipient_type)
        if line.funder and line.funder_type:
            seen[line.funder].add(line.funder_type)
    for body, kinds in sorted(seen.items()):
        known = context.body_types.get(body)
        if len(kinds) > 1:
            report.warn("body-type-inconsistent", f"Body '{body}' is given several types in this return: "
                        f"{', '.join(sorted(kinds))}. Bodies categorised differently broke pilots' comparisons.")
        elif known and known not in kinds:
            report.warn("body-type-inconsistent", f"Body '{body}' is '{next(iter(kinds))}' here but '{known}' in "
                        "earlier returns; agree one type with the count team.")


def _far_from_peers(lines: list[FlowLine], report: Report, context: WorkspaceContext) -> None:
    spend_by_body: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        if line.flow == "spend":
            spend_by_body[(line.spender, line.spender_type)][line.cofog_division] += line.counted_amount
    for (body, kind), divisions in sorted(spend_by_body.items()):
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


def _duplicates(lines: list[FlowLine], report: Report) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for line in lines:
        key = (line.period, line.place, line.spender, line.flow, line.amount, line.cofog, line.recipient,
               line.funder, line.service_code, line.capital_revenue, line.basis, line.place_share)
        if key in seen and not line.line_id:
            report.warn("duplicate-line", f"Row {line.row} repeats row {seen[key]} exactly; if it is not a "
                        "genuine second payment, delete it.", sheet=line.sheet, row=line.row)
        seen.setdefault(key, line.row)
