"""Candidates for rationalisation: under-used sites and leases that end soon (seed 001 §5.22: align the estate
with customers' needs and release what is surplus).

Both read only what the owner reported: a site without a utilisation figure or a lease end date is counted
as unknown, never as fully used or as held for ever.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from placespend.domain.assets import Asset

DEFAULT_UNDER_USED = Decimal("0.5")


@dataclass
class Listing:
    """The assets found, and how many of those examined could not be judged for want of the figure."""

    assets: list[Asset] = field(default_factory=list)
    examined: int = 0
    unknown: int = 0


def under_used(assets: list[Asset], below: Decimal = DEFAULT_UNDER_USED) -> Listing:
    """Sites whose utilisation is below `below` (a share, 0-1), least used first."""
    known = [a for a in assets if a.utilisation is not None]
    found = sorted((a for a in known if a.utilisation < below), key=lambda a: (a.utilisation, a.key))
    return Listing(found, len(assets), len(assets) - len(known))


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year. Past the calendar's last
    year (9999) the horizon is its last day: every lease ends within 8,000 years."""
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def leases_ending(assets: list[Asset], on: dt.date, years: int) -> Listing:
    """Assets whose lease ends on or before `on` + `years` (those already ended included), soonest first.

    A lease that has ended is the most urgent decision of all, so it is listed rather than dropped.
    """
    horizon = years_after(on, years)
    known = [a for a in assets if a.lease_end is not None]
    found = sorted((a for a in known if a.lease_end <= horizon), key=lambda a: (a.lease_end, a.key))
    return Listing(found, len(assets), len(assets) - len(known))
