"""What a server prepares as it starts: the pages people open first, computed in the background so the first
visitor after `placespend serve` (or `make demo`) does not wait for them.

A place page's figures take a second or more to compute the first time (dozens of compiled queries), then
milliseconds from the cache (`place_view.cached`). Computed here: the places list and its map; the latest
year's page of the codes the returns name and of the places listed, up to a limit (on a national ledger of
hundreds of places the rest wait for a visit, as after an acceptance: `place_view.warm_after_acceptance`); the
pages of places without lines; the comparison of every place and the default analyses.
"""

from __future__ import annotations

import logging
import threading

from placespend.app import place_view, places_map
from placespend.domain.problems import WorkspaceClosed
from placespend.engine import page_store
from placespend.engine.workspace import Workspace

WARM_PLACES = 30  # place pages computed at start; each is about a second at the demo, a few at 10M lines

log = logging.getLogger(__name__)


def warm_at_start(ws: Workspace, limit: int = WARM_PLACES) -> threading.Thread | None:
    """Start computing the first pages in a background thread (a server's shared workspace only)."""
    if not ws.is_shared:
        return None

    def work() -> None:
        try:
            listed = place_view.places(ws)
            with ws.read() as con:
                own = sorted(page_store.live_place_periods(con))  # codes a return names: what users open first
            latest: dict[str, str] = {place: period for place, period in own}
            latest.update({row["place"]: row["periods"][-1] for row in listed if row["periods"]})
            if latest:
                year = max(latest.values())
                places_map.places_map(ws, year)
            for place, period in list(latest.items())[:limit]:
                place_view.overview(ws, place, period)
            for row in [r for r in listed if not r["periods"]][:limit]:
                place_view.without_lines(ws, row["place"], None)  # the estimate and published figures
            if latest:
                place_view.others(ws, year)
                place_view.comparison(ws, year)
                place_view.analyses(ws, year)
        except WorkspaceClosed:  # the server stopped before the pages were ready: nothing to prepare them for
            return
        except Exception:  # an optimisation only: a visitor's request computes the page itself, and says why
            log.warning("preparing the first pages stopped; they will be computed when first asked for",
                        exc_info=True)

    thread = threading.Thread(target=work, name="warm-start", daemon=True)
    thread.start()
    return thread
