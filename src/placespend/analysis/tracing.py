"""Tracing money back to its original source over the funding graph, and finding cycles in it.

Pure Python over the few aggregated funding edges of a place (no database): seed 004's mapping template
asks partners to "avoid double counting by tracing the original source", and the practitioners' guide
draws funding-flow walls from source to spender. A body's onward transfer names its own ``funder``, so the
chain can be followed one hand-over at a time until a body spends its own income (or its source is not in
the ledger), which makes it the original source.

Pooled budgets make the graph cyclic (council -> PCT -> council): a route stops, flagged ``cyclic``, when it
would revisit a body already on it, and ``truncated`` when it reaches ``max_hops`` hand-overs, so tracing
always ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

# (giver, receiver) -> {the giver's own funder, or None for its own income: amount passed on}
Funding = dict[tuple[str, str], dict[str | None, Decimal]]

ONE = Decimal(1)


@dataclass(frozen=True)
class Route:
    """Bodies from the original source (first) to the final spender (last), and the share of a stream on it."""

    bodies: tuple[str, ...]
    share: Decimal
    cyclic: bool = False
    truncated: bool = False

    @property
    def hand_overs(self) -> int:
        """Times the money changed hands between the original source and the body that spent it."""
        return len(self.bodies) - 1

    @property
    def source(self) -> str:
        return self.bodies[0]


def trace(final: str, first_funder: str | None, funding: Funding, max_hops: int,
          upstream: dict[str | None, Decimal] | None = None) -> list[Route]:
    """The routes by which the money `final` spends reached it from `first_funder` and beyond.

    `upstream` gives `first_funder`'s own sources when the line itself says so (an unreported transfer
    names its funder); otherwise they are read from `first_funder`'s transfers to `final`. A stream whose
    givers had several sources is split in proportion to the amounts each source paid in.
    """
    if first_funder is None or first_funder == final:
        return [Route((final,), ONE)]
    path = (first_funder, final)
    sources = upstream if upstream is not None else funding.get(path)
    return list(_walk(path, ONE, sources, funding, max_hops))


def _walk(path: tuple[str, ...], share: Decimal, sources: dict[str | None, Decimal] | None, funding: Funding,
          max_hops: int) -> Iterator[Route]:
    total = sum(sources.values(), Decimal(0)) if sources else Decimal(0)
    if not sources or total <= 0:  # own income, or a source outside the ledger: the head is the origin
        yield Route(path, share)
        return
    for funder, amount in sorted(sources.items(), key=lambda item: (item[0] is not None, item[0] or "")):
        part = share * amount / total
        if funder is None:
            yield Route(path, part)
        elif funder in path:
            yield Route(path, part, cyclic=True)
        elif len(path) - 1 >= max_hops:
            yield Route(path, part, truncated=True)
        else:
            yield from _walk((funder, *path), part, funding.get((funder, path[0])), funding, max_hops)


def find_cycles(edges: set[tuple[str, str]], limit: int = 50, max_length: int = 8) -> list[tuple[str, ...]]:
    """Simple cycles of the directed graph, each listed once starting from its smallest body.

    A cycle (A, B) means A -> B -> A. At most `limit` cycles of at most `max_length` bodies are listed:
    enough to point a finance officer to the pooled budgets without walking an exponential search.
    """
    graph: dict[str, set[str]] = defaultdict(set)
    for giver, receiver in edges:
        graph[giver].add(receiver)
    cycles: list[tuple[str, ...]] = []
    for start in sorted(graph):
        stack = [(start, (start,))]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ()), reverse=True):
                if nxt == start:
                    cycles.append(path)
                    if len(cycles) >= limit:
                        return sorted(cycles)
                elif nxt > start and nxt not in path and len(path) < max_length:
                    stack.append((nxt, (*path, nxt)))
    return sorted(cycles)
