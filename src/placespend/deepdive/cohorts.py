"""Segments and cohorts: what each family type costs the public purse, and what moving families between types
would save (seed 001 §2.25: Peterborough spends GBP 6,527 a child on 'barely coping' families, GBP 49,425 on
'chaotic' ones and GBP 643 on 'coping' ones; seed 000 §6.1.2: Lewisham's 'thriving' to 'chaotic' spectrum).

cohort cost = unit cost x number in the segment; ratio = unit cost / the baseline segment's unit cost (the one
marked baseline, else the cheapest). A what-if moves a number of families (or children) from one segment to
another at the two segments' unit costs; the saving is the old total less the new.

Published ratios are compared with the ratio the inputs give: seed 001 prints '76 times' for 49,425 / 643,
which is 76.87, about 77.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.domain.problems import Report

ZERO = Decimal(0)
RATIO_TOLERANCE = Decimal("0.5")  # a published 'N times' is read as rounded; further than this is a discrepancy


@dataclass(frozen=True)
class Segment:
    segment: str
    unit_cost: Decimal
    count: Decimal
    unit: str = "per family per year"
    baseline: bool = False
    published_ratio: Decimal | None = None
    source: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Move:
    """Move `number` from one segment to another (for example through a family intervention)."""

    from_segment: str
    to_segment: str
    number: Decimal


@dataclass
class CohortResult:
    segments: list[Segment]
    baseline: Segment
    moves: list[Move] = field(default_factory=list)
    report: Report = field(default_factory=lambda: Report("segments"))

    @property
    def total(self) -> Decimal:
        return sum((s.unit_cost * s.count for s in self.segments), ZERO)

    def ratio(self, segment: Segment) -> Decimal:
        return segment.unit_cost / self.baseline.unit_cost if self.baseline.unit_cost else Decimal("NaN")

    def counts_after(self) -> dict[str, Decimal]:
        counts = {s.segment: s.count for s in self.segments}
        for move in self.moves:
            counts[move.from_segment] -= move.number
            counts[move.to_segment] += move.number
        return counts

    @property
    def total_after(self) -> Decimal:
        after = self.counts_after()
        return sum((s.unit_cost * after[s.segment] for s in self.segments), ZERO)

    def to_dict(self) -> dict[str, Any]:
        total, people = self.total, sum((s.count for s in self.segments), ZERO)
        after = self.counts_after()
        rows = []
        for s in self.segments:
            cost = s.unit_cost * s.count
            rows.append({"segment": s.segment, "unit_cost": s.unit_cost, "unit": s.unit, "count": s.count,
                         "cost": cost, "ratio_to_baseline": self.ratio(s),
                         "share_of_cost": cost / total if total else None,
                         "share_of_count": s.count / people if people else None,
                         "published_ratio": s.published_ratio, "count_after": after[s.segment],
                         "cost_after": s.unit_cost * after[s.segment], "source": s.source, "row": s.row})
        return {"baseline": self.baseline.segment, "total": total, "segments": rows,
                "moves": [{"from": m.from_segment, "to": m.to_segment, "number": m.number,
                           "saving": m.number * (self._unit(m.from_segment) - self._unit(m.to_segment))}
                          for m in self.moves],
                "total_after": self.total_after, "saving": total - self.total_after,
                "problems": self.report.to_dict()}

    def _unit(self, name: str) -> Decimal:
        return next(s.unit_cost for s in self.segments if s.segment == name)


def cohorts(segments: list[Segment], moves: list[Move] | None = None, file: str = "segments") -> CohortResult:
    """Cohort costs, ratios to the baseline and the what-if moves; problems (unknown segment, a move larger
    than the segment, a published ratio the inputs do not give) are reported."""
    report = Report(file)
    if not segments:
        raise ValueError("cohorts() needs at least one segment")
    marked = [s for s in segments if s.baseline]
    baseline = marked[0] if marked else min(segments, key=lambda s: (s.unit_cost, s.segment))
    if len(marked) > 1:
        report.warn("baseline-several", f"Several segments are marked baseline; '{baseline.segment}' is used.")
    valid = _check_moves(segments, moves or [], report)
    result = CohortResult(segments, baseline, valid, report)
    for segment in segments:
        published = segment.published_ratio
        if published is not None and baseline.unit_cost and abs(result.ratio(segment) - published) > RATIO_TOLERANCE:
            report.warn("ratio-discrepancy", f"'{segment.segment}' is published as {published} times the "
                        f"baseline, but {segment.unit_cost} / {baseline.unit_cost} = "
                        f"{result.ratio(segment):.2f}.", row=segment.row, column="published_ratio")
    return result


def _check_moves(segments: list[Segment], moves: list[Move], report: Report) -> list[Move]:
    counts = {s.segment: s.count for s in segments}
    valid = []
    for move in moves:
        unknown = [name for name in (move.from_segment, move.to_segment) if name not in counts]
        if unknown:
            report.error("segment-unknown", f"No segment named '{unknown[0]}' for the move.")
            continue
        if move.number > counts[move.from_segment]:
            report.error("move-too-large", f"Cannot move {move.number} out of '{move.from_segment}', which holds "
                         f"{counts[move.from_segment]}.")
            continue
        counts[move.from_segment] -= move.number
        counts[move.to_segment] += move.number
        valid.append(move)
    return valid
