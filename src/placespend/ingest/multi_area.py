"""Authorities that span several districts (fire, transport, police, combined authorities, the GLA), placed in
their member districts by population share.

Why: a fire authority's outturn carries the authority's own area code (``E31000001`` Avon) as its place, and
no place's scope holds that code, so without this its spending would fall out of every count. Seed 004 (the
Local Spend Mapping Template's principles) asks bodies whose boundaries are not coterminous with the place for
an estimate, and "as a last resort a population based proxy": that is what is done here, and labelled so.

The rule, for each line whose place is not a place or member area of the workspace but is the *parent* in an
imported LAD lookup of `RELATIONS` (``lad_fire_authority`` ... ``lad_region``, e.g. the ONS LAD19 -> FRA19
lookup): the line becomes one line per member district, each carrying its population share of the amount,
shared out to the penny so the parts add up exactly to the published amount (largest remainder, ties to the
first district by code), with ``apportionment = population_proxy``. The population is the ONS ``population``
of the vintage nearest the line's year (earlier wins a tie), named in the line's notes. Where the lookup or
the members' populations are missing, the line stays at the authority's own code, and the report says so.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from placespend.domain.ledger_lines import FlowLine
from placespend.domain.problems import Report

# LAD -> parent relations whose parents are authorities rather than places: the one-line-per-district spread
# applies to lines placed at such a parent. Upper-tier councils (lad_utla) are left out: a county is itself
# commonly a place.
RELATIONS = ("lad_fire_authority", "lad_combined_authority", "lad_police_force_area", "lad_region")
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Members:
    """One multi-area authority's districts, from the lookup, with their populations by vintage."""

    area: str
    relation: str
    districts: tuple[str, ...]
    populations: Mapping[str, Mapping[str, Decimal]]   # vintage (e.g. "2019") -> district -> population

    def vintage_for(self, period: str) -> str | None:
        """The vintage nearest the period (earlier wins a tie) at which every district has a population."""
        complete = [v for v, people in self.populations.items() if all(d in people for d in self.districts)]
        wanted = int(period[:4])
        return min(complete, key=lambda v: (abs(int(v[:4]) - wanted), int(v[:4])), default=None)


def members_from_rows(rows: Iterable[Mapping[str, object]]) -> dict[str, Members]:
    """Members per parent area from (parent, relation, child, period, population) rows of the workspace.

    A child may come from several imports of one lookup; it is one district. A parent in two relations keeps
    the first of `RELATIONS` (a code is one kind of area)."""
    children: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    people: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        parent, relation, child = str(row["parent"]), str(row["relation"]), str(row["child"])
        children[parent][relation].add(child)
        if row.get("period") is not None and row.get("population") is not None:
            people[parent][str(row["period"])][child] = Decimal(str(row["population"]))
    out: dict[str, Members] = {}
    for parent, by_relation in children.items():
        relation = min(by_relation, key=RELATIONS.index)
        districts = tuple(sorted(by_relation[relation]))
        out[parent] = Members(parent, relation, districts,
                              {v: {d: p for d, p in found.items() if d in districts}
                               for v, found in people[parent].items()})
    return out


def population_parts(amount: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The amount shared by the weights to the penny: floor of each exact share, then the pennies left over to
    the largest remainders (ties to the first code), so the parts add up exactly to the amount."""
    total = sum(weights.values(), Decimal(0))
    sign = -1 if amount < 0 else 1
    pennies = int((abs(amount) / PENNY).to_integral_value())
    exact = {code: Decimal(pennies) * weight / total for code, weight in weights.items()}
    floors = {code: int(value) for code, value in exact.items()}
    left = pennies - sum(floors.values())
    order = sorted(exact, key=lambda code: (-(exact[code] - floors[code]), code))
    for code in order[:left]:
        floors[code] += 1
    return {code: sign * Decimal(floors[code]) * PENNY for code in sorted(weights)}


def place_by_population(lines: list[FlowLine], members: Mapping[str, Members], known_places: set[str],
                        report: Report) -> list[FlowLine]:
    """The lines with every line of a multi-area authority replaced by its districts' population parts."""
    out: list[FlowLine] = []
    unplaced: dict[str, Decimal] = defaultdict(Decimal)
    spread: dict[tuple[str, str], tuple[Members, str]] = {}
    for line in lines:
        group = members.get(line.place)
        if group is None or line.place in known_places:
            out.append(line)
            continue
        vintage = group.vintage_for(line.period)
        if vintage is None:
            unplaced[line.place] += line.amount
            out.append(line)
            continue
        spread[(line.place, line.period)] = (group, vintage)
        out.extend(_parts_of(line, group, vintage))
    if spread:
        names = ", ".join(f"{area} {period} ({len(group.districts)} districts, ONS {vintage})"
                          for (area, period), (group, vintage) in sorted(spread.items()))
        report.warn("placed-by-population", f"{len(spread)} authorities span several districts (fire, transport, "
                    f"police or combined authorities): their lines are placed in their districts by population "
                    f"share, apportionment population_proxy: {names}.")
    for area, money in sorted(unplaced.items()):
        report.warn("multi-area-unplaced", f"{area} spans several districts but not all of them have a "
                    f"population in the workspace; its lines (GBP {money:,.2f}) stay at {area}, where no place "
                    "counts them. Import the ONS mid-year population, then import this file again.")
    return out


def _parts_of(line: FlowLine, group: Members, vintage: str) -> list[FlowLine]:
    people = group.populations[vintage]
    weights = {d: people[d] for d in group.districts}
    whole = sum(weights.values(), Decimal(0))
    parts = population_parts(line.amount, weights)
    return [dataclasses.replace(
        line, place=district, amount=part, apportionment="population_proxy",
        line_id=f"{line.line_id}#{district}" if line.line_id else None,
        notes="; ".join(filter(None, [line.notes, f"population share {weights[district] / whole:.6f} of GBP "
                                      f"{line.amount:,.2f} of {group.area} (ONS {vintage} population)"])),
        extra={**line.extra, "x_spread_from": group.area, "x_population_vintage": vintage},
    ) for district, part in parts.items() if part != 0]
