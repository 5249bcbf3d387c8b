"""Who is known to whom: overlap of two partners, people known to 2, 3, ... services, the cost of services to
people known to several, and the Bolton case (seed 000: social-care adaptations without council-tax
disablement relief; DESIGN.md §7).

Every count of people leaves through `disclosure.protect`; counts are built from linked pseudonymised files,
so nothing here ever sees a name. Money (costs of services) is Decimal and is withheld wherever the number
of people it is the cost of is withheld: the cost of a group of three is a fact about three people.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

from placespend.insight.disclosure import DEFAULT_THRESHOLD, protect
from placespend.insight.linkage import Link

UNKNOWN_GROUP = "(not recorded)"
COST_CODE_COLUMN = "x_unit_cost_code"
UNITS_COLUMN = "x_units"


def _groups(table: pa.Table, by: str) -> list[str]:
    if by not in table.column_names:
        return [UNKNOWN_GROUP] * table.num_rows
    return [value if value else UNKNOWN_GROUP for value in table.column(by).to_pylist()]


def _published(rows: list[dict[str, Any]], counts: list[str], threshold: int,
               rounding: int | None) -> dict[str, Any]:
    table = protect(rows, counts, "total", threshold, rounding)
    return {"threshold": threshold, "rounding": rounding, "groups": table.rows, "totals": table.column_totals,
            "total": table.grand_total}


def overlap(left: pa.Table, right: pa.Table, links: Sequence[Link], by: str,
            threshold: int = DEFAULT_THRESHOLD, rounding: int | None = None) -> dict[str, Any]:
    """People known to both, left only, right only, per value of LEFT's `by` column (DESIGN.md §7).

    A right-only person has no left record: they are grouped by the right file's own `by` column when it has
    one (partners in one place usually share ward codes), else under "(not recorded)".
    """
    linked_left = {link.left_id for link in links}
    linked_right = {link.right_id for link in links}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for record_id, group in zip(left.column("record_id").to_pylist(), _groups(left, by), strict=True):
        counts[group]["both" if record_id in linked_left else "left_only"] += 1
    for record_id, group in zip(right.column("record_id").to_pylist(), _groups(right, by), strict=True):
        if record_id not in linked_right:
            counts[group]["right_only"] += 1
    rows = [{"group": group, "left_only": c["left_only"], "both": c["both"], "right_only": c["right_only"],
             "total": c["left_only"] + c["both"] + c["right_only"]} for group, c in sorted(counts.items())]
    return _published(rows, ["left_only", "both", "right_only"], threshold, rounding)


def not_in_right(left: pa.Table, links: Sequence[Link]) -> list[str]:
    """LEFT's record_ids with no link: in the Bolton case, adaptations without disablement relief."""
    linked = {link.left_id for link in links}
    return [record_id for record_id in left.column("record_id").to_pylist() if record_id not in linked]


def unmatched_by_group(left: pa.Table, links: Sequence[Link], by: str,
                       threshold: int = DEFAULT_THRESHOLD, rounding: int | None = None) -> dict[str, Any]:
    """Per group of LEFT: people matched in RIGHT and people not, for the public (counts protected)."""
    linked = {link.left_id for link in links}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for record_id, group in zip(left.column("record_id").to_pylist(), _groups(left, by), strict=True):
        counts[group]["matched" if record_id in linked else "not_matched"] += 1
    rows = [{"group": g, "matched": c["matched"], "not_matched": c["not_matched"],
             "total": c["matched"] + c["not_matched"]} for g, c in sorted(counts.items())]
    return _published(rows, ["matched", "not_matched"], threshold, rounding)


# --- many partners: one person, the services that know them ---------------------------------------------

@dataclass(frozen=True)
class Partner:
    """One partner's pseudonymised file under a name (its service)."""

    name: str
    table: pa.Table


class _People:
    """Union-find over (partner, record_id): linked records of different partners are one person."""

    def __init__(self) -> None:
        self.parent: dict[tuple[int, str], tuple[int, str]] = {}

    def add(self, node: tuple[int, str]) -> None:
        self.parent.setdefault(node, node)

    def find(self, node: tuple[int, str]) -> tuple[int, str]:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a: tuple[int, str], b: tuple[int, str]) -> None:
        self.parent[self.find(a)] = self.find(b)


@dataclass
class Person:
    """A cluster of linked records: which partners know them, their group, and their records."""

    partners: set[int]
    group: str
    records: list[tuple[int, str]]


def people(partners: Sequence[Partner], links: Mapping[tuple[int, int], Sequence[Link]], by: str) -> list[Person]:
    """Everyone known to any partner, records joined through the pairwise links (partner i left, j right).

    A person's group is the `by` value of their record at the first partner (in the order given) that
    records it.
    """
    found = _People()
    groups: dict[tuple[int, str], str] = {}
    for index, partner in enumerate(partners):
        for record_id, group in zip(partner.table.column("record_id").to_pylist(), _groups(partner.table, by),
                                    strict=True):
            found.add((index, record_id))
            groups[(index, record_id)] = group
    for (i, j), pair_links in links.items():
        for link in pair_links:
            found.join((i, link.left_id), (j, link.right_id))
    clusters: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for node in found.parent:
        clusters[found.find(node)].append(node)
    result = []
    for records in clusters.values():
        records.sort()
        known = [groups[r] for r in records if groups[r] != UNKNOWN_GROUP]
        result.append(Person({r[0] for r in records}, known[0] if known else UNKNOWN_GROUP, records))
    return result


def known_to_services(persons: Sequence[Person], partner_count: int,
                      threshold: int = DEFAULT_THRESHOLD, rounding: int | None = None) -> dict[str, Any]:
    """Per group, how many people are known to 1, 2, ... N of the partners (counts protected)."""
    columns = [f"known_to_{n}" for n in range(1, partner_count + 1)]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for person in persons:
        counts[person.group][f"known_to_{len(person.partners)}"] += 1
    rows = [{"group": g, **{c: counts[g][c] for c in columns}, "total": sum(counts[g].values())}
            for g in sorted(counts)]
    return _published(rows, columns, threshold, rounding)


def record_costs(partners: Sequence[Partner], unit_costs: Mapping[str, Decimal]) -> dict[tuple[int, str], Decimal]:
    """Cost of each record's service: `x_units` (default 1) times the unit cost of its `x_unit_cost_code`.

    Unit costs come from the deep dives' library (GMCA layout), brought to one price year there; a record
    whose code is blank or not in the library costs nothing here (the library's report names unknown codes).
    """
    costs: dict[tuple[int, str], Decimal] = {}
    for index, partner in enumerate(partners):
        table = partner.table
        if COST_CODE_COLUMN not in table.column_names:
            continue
        units = table.column(UNITS_COLUMN).to_pylist() if UNITS_COLUMN in table.column_names else None
        for row, (record_id, code) in enumerate(zip(table.column("record_id").to_pylist(),
                                                    table.column(COST_CODE_COLUMN).to_pylist(), strict=True)):
            cost = unit_costs.get((code or "").strip().upper())
            if cost is not None:
                costs[(index, record_id)] = cost * _units(units[row] if units else None)
    return costs


def _units(text: str | None) -> Decimal:
    try:
        value = Decimal((text or "1").strip())
    except ArithmeticError:
        return Decimal(1)
    return value if value.is_finite() and value >= 0 else Decimal(1)


def cost_by_services(persons: Sequence[Person], costs: Mapping[tuple[int, str], Decimal], partner_count: int,
                     threshold: int = DEFAULT_THRESHOLD, rounding: int | None = None) -> dict[str, Any]:
    """People known to 1, 2, ... N services, with the cost of all their services and the cost per person.

    The people counts pass disclosure control as one column; a cost is withheld with its count.
    """
    rows = []
    for n in range(1, partner_count + 1):
        group = [p for p in persons if len(p.partners) == n]
        total = sum((costs.get(r, Decimal(0)) for p in group for r in p.records), Decimal(0))
        rows.append({"group": f"known to {n}", "people": len(group), "cost": total})
    protected = protect([{"group": r["group"], "people": r["people"]} for r in rows], ["people"], None, threshold,
                        rounding)
    out = []
    for row, published in zip(rows, protected.rows, strict=True):
        shown = published["people"] is not None
        out.append({"services": row["group"], "people": published["people"],
                    "cost": row["cost"] if shown else None,
                    "cost_per_person": (row["cost"] / row["people"]).quantize(Decimal("0.01"))
                    if shown and row["people"] else None})
    return {"threshold": threshold, "rows": out}
