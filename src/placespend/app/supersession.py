"""Guarded supersession (DESIGN.md §6): a new return that drops most of the one it replaces, or moves its
place's total by a large share, says so, shows the difference, and loads only when the user confirms.

A newer accepted return from the same submitter for the same place and period replaces the older one in the
count (engine.ledger_store). That is how corrections arrive, and also how one wrong file (a test line, one
sheet of a workbook, a filtered export) silently replaced a council's 106-line return. The thresholds below
separate the two; `--replace` (CLI) or the analyst's confirmation on acceptance (web) lets a real
restatement through, after the difference has been shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from placespend.domain.problems import Report
from placespend.engine import slices_store
from placespend.engine.workspace import Workspace
from placespend.ingest.plausibility import SliceKey, SliceTotals, gbp

DROPPED_LINES_SHARE = Decimal("0.5")
"""A new version with fewer than half of the previous version's lines drops "most" of them. A corrected return
restates every line it had; one with most lines gone is more often a partial file (one sheet, a filtered
export, a single test line) than a body that stopped doing most of what it did."""

PLACE_TOTAL_MOVE_SHARE = Decimal("0.25")
"""One body's new return moving its whole place's ledger total by more than a quarter. In seed 000 Table 1
(§3.4) two independent counts of each pilot's whole spending, centre-out and locally-led, differ by 2% to 27%:
a single partner's restatement that moves the place further than that is more likely a wrong file than a
correction, and a finance officer should look before the figure changes."""


@dataclass(frozen=True)
class Replacement:
    """What a new return for one place and period would replace, and how the place's total would move."""

    submitter: str
    place: str
    period: str
    previous: SliceTotals
    new: SliceTotals
    place_before: Decimal  # counted amount of all live lines at the place and period (every body, both flows)

    @property
    def place_after(self) -> Decimal:
        return self.place_before - self.previous.total + self.new.total

    @property
    def dropped_lines(self) -> int:
        return max(self.previous.lines - self.new.lines, 0)

    @property
    def moved_share(self) -> Decimal | None:
        """(after - before) / before; None when the place had nothing before."""
        return (self.place_after - self.place_before) / self.place_before if self.place_before else None

    @property
    def drops_most(self) -> bool:
        return self.previous.lines > 0 and self.dropped_lines > self.previous.lines * DROPPED_LINES_SHARE

    @property
    def moves_total(self) -> bool:
        moved = self.moved_share
        return self.place_after != self.place_before if moved is None else abs(moved) > PLACE_TOTAL_MOVE_SHARE

    @property
    def guarded(self) -> bool:
        return self.drops_most or self.moves_total

    def describe(self) -> str:
        """The difference in words: previous vs new, and the place's total before and after."""
        lines = "line" if self.new.lines == 1 else "lines"
        said = (f"{self.submitter}'s new return for {self.place} {self.period} has {self.new.lines:,} {lines}, "
                f"{gbp(self.new.total)}; the return it replaces (submission {self.previous.submission_id}) has "
                f"{self.previous.lines:,}, {gbp(self.previous.total)}. The place's ledger total would move from "
                f"{gbp(self.place_before)} to {gbp(self.place_after)} ({_share(self.moved_share)}).")
        reasons = []
        if self.drops_most:
            reasons.append(f"it drops {self.dropped_lines:,} of the {self.previous.lines:,} lines "
                           f"(more than {DROPPED_LINES_SHARE:.0%})")
        if self.moves_total:
            reasons.append(f"it moves the place's total by more than {PLACE_TOTAL_MOVE_SHARE:.0%}")
        return f"{said} Guarded: {' and '.join(reasons)}." if reasons else said

    def to_dict(self) -> dict[str, Any]:
        return {"submitter": self.submitter, "place": self.place, "period": self.period,
                "replaces_submission": self.previous.submission_id, "previous_lines": self.previous.lines,
                "new_lines": self.new.lines, "previous_total": self.previous.total, "new_total": self.new.total,
                "place_total_before": self.place_before, "place_total_after": self.place_after,
                "place_total_moved": self.moved_share, "drops_most_lines": self.drops_most,
                "moves_place_total": self.moves_total, "needs_confirmation": self.guarded}


def _share(moved: Decimal | None) -> str:
    return "from nothing" if moved is None else f"{moved:+.1%}"


def _beats(new: SliceTotals, previous: SliceTotals) -> bool:
    """The rule of engine.ledger_store: a better basis wins, then the newer submission (a file not yet stored
    is the newest)."""
    if new.rank != previous.rank:
        return new.rank > previous.rank
    return new.submission_id is None or (previous.submission_id or 0) < new.submission_id


def replacements(ws: Workspace, new: dict[SliceKey, SliceTotals], previous: dict[SliceKey, SliceTotals]
                 ) -> list[Replacement]:
    """The live slices the new ones would supersede, with their places' ledger totals, in key order."""
    replaced = [key for key in sorted(new) if key in previous and _beats(new[key], previous[key])]
    totals = slices_store.place_totals(ws, sorted({(place, period) for _, place, period in replaced}))
    return [Replacement(*key, previous[key], new[key], totals.get(key[1:], previous[key].total))
            for key in replaced]


def previous_returns(ws: Workspace, submitters: list[str], besides: int | None = None) -> dict[SliceKey, SliceTotals]:
    """The live accepted returns of these submitters, per place and period."""
    return {(who, place, period): SliceTotals(lines, total, rank, sid) for who, place, period, sid, lines, total, rank
            in slices_store.live_slices(ws, submitters, besides)}


def pending(ws: Workspace, submission_id: int) -> list[Replacement]:
    """What accepting a stored submission would replace (the analyst sees this before accepting)."""
    mine = {(who, place, period): SliceTotals(lines, total, rank, sid) for who, place, period, sid, lines, total, rank
            in slices_store.submission_slices(ws, submission_id)}
    submitters = sorted({who for who, _, _ in mine})
    return replacements(ws, mine, previous_returns(ws, submitters, besides=submission_id))


def report_guarded(found: list[Replacement], report: Report, confirmed: bool, how_to_confirm: str,
                   awaiting_acceptance: bool = False) -> None:
    """Each guarded replacement: an error until confirmed, then a warning recording what was replaced. A return
    that waits for an analyst's acceptance only warns: the analyst confirms on accepting it."""
    for replacement in found:
        if not replacement.guarded:
            continue
        if awaiting_acceptance:
            report.warn("replace-needs-confirmation", f"{replacement.describe()} {how_to_confirm}")
        elif confirmed:
            report.warn("replaces-previous-return", f"{replacement.describe()} Replaced as confirmed.")
        else:
            report.error("replace-needs-confirmation", f"{replacement.describe()} Nothing was loaded. "
                         f"{how_to_confirm}")
