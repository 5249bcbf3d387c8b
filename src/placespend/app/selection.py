"""What a user asks a figure of (places, year, COFOG code, body type, status, body), checked against the workspace
before any figure is computed: one function for the CLI and the web alike.

Why: the count of an unknown place is GBP 0 and the lines of COFOG '99' are, unfiltered, every line; both
look like answers. An unknown code is refused (`UnknownCode`, naming the nearest known codes; the web answers
404), while a known place with no lines in the year asked is a true zero that says which years have lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ibis.backends.duckdb import Backend

from placespend.count.overlaps import OUTTURN_DETAIL
from placespend.domain import codes
from placespend.domain.vocabulary import has_control_characters, normalise_id, normalise_place
from placespend.engine import bodies_store, places_store, tables
from placespend.engine.workspace import Workspace

STATUSES = ("spend", "unreported", "eliminated", OUTTURN_DETAIL)  # a line's status in the count (count.explain)


@dataclass(frozen=True)
class Selection:
    """The checked, normalised codes, and notes to show beside the figure (a year with no lines)."""

    places: tuple[str, ...] = ()
    period: str | None = None
    cofog: str | None = None
    body_type: str | None = None
    status: str | None = None
    spender: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def place(self) -> str:
        return self.places[0]


def check(con: Backend, *, place: str | Iterable[str] | None = None, year: str | None = None,
          cofog: str | None = None, division: bool = False, body_type: str | None = None,
          status: str | None = None, spender: str | None = None) -> Selection:
    """Every code given, checked and normalised; `UnknownCode` at the first that names nothing known.

    `division` asks for a COFOG division only (a group such as 07.3 is read as its division 07). An empty
    filter (a form's blank `cofog=`) is no filter; an empty year is refused like any other non-year."""
    places = tuple(dict.fromkeys(check_place(con, p) for p in _as_list(place)))
    period = codes.require_period(year) if year is not None else None
    code = codes.require_cofog(cofog) if cofog else None
    if code is not None and division:
        code = code[:2]
    kind = codes.require_body_type(body_type) if body_type else None
    state = codes.require_choice("status", status, STATUSES) if status else None
    body = check_body(con, spender) if spender else None
    notes = tuple(note for p in places if period and (note := year_note(con, p, period)))
    return Selection(places, period, code, kind, state, body, notes)


def check_in(ws: Workspace, **given: object) -> Selection:
    """`check` on a read-only connection of the workspace, for use cases that open it themselves."""
    with ws.read() as con:
        return check(con, **given)  # type: ignore[arg-type]


def check_place(con: Backend, text: str) -> str:
    code = normalise_place(text)
    if not code or has_control_characters(code) or not places_store.is_known_place(con, code):
        labels = places_store.place_labels(con)
        defined = [labels[p] for p in tables.place_ids(con)]
        raise codes.unknown("place", text.strip(), labels,
                            "`placespend places` lists the places; import a places file to define one.", defined)
    return code


def check_body(con: Backend, text: str) -> str:
    body = normalise_id(text)
    known = bodies_store.body_names(con)
    if has_control_characters(body) or body not in known:
        labels = {b: f"{b} ({n})" if n else b for b, n in known.items()}
        names = {n: labels[b] for b, n in known.items() if n}
        raise codes.unknown("body", text.strip(), {**names, **labels}, "`placespend bodies list` lists the bodies.",
                            labels.values())
    return body


def year_note(con: Backend, place: str, period: str) -> str | None:
    """Why a known place's figure for a year is zero: no lines in its scope that year, and which years have."""
    years = places_store.periods_with_lines(con, place)
    if period in years:
        return None
    return f"No lines for {place} in {period}; years with lines: {', '.join(years) or 'none yet'}."


def _as_list(place: str | Iterable[str] | None) -> list[str]:
    if place is None:
        return []
    return [place] if isinstance(place, str) else list(place)

