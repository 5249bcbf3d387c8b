"""Finding a spend file's header and recognising whose file it is.

Publishers put report titles, run dates and parameters above the header (Lambeth's June 2012 file has
nine such lines), rename a column from one month to the next (Gateshead's 'Strgrpcc(T)' became
'Nstrg(T)' in December 2019) and change case or spacing. So the header is searched in the first lines,
column names are compared by their letters and digits only, and each profile lists the names a role has
been seen under. A header that matches most but not all of a profile is a *near miss*: the file is still
claimed, so the user hears which column is missing instead of "unrecognised file".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from placespend.ingest.spend.profile import Profile, column_key

HEADER_SEARCH = 40           # lines searched for the header: the registry's probe sees as many
NEAR_MISS_SHARE = 0.6        # share of a profile's recognised roles a near miss must still have
NEAR_MISS_MINIMUM = 3


@dataclass
class Layout:
    """Where each role of a profile sits in one file's header."""

    profile: Profile
    header_row: int                           # 1-based row number of the header
    header: list[str]
    index: dict[str, int]                     # role -> 0-based column
    missing: list[str] = field(default_factory=list)       # recognised or required roles with no column
    variants: list[tuple[int, str, str]] = field(default_factory=list)  # (column, name found, usual name)
    unknown: list[int] = field(default_factory=list)       # named columns no role claims

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def width(self) -> int:
        return len(self.header)

    def label(self, column: int) -> str:
        """'Net Amount (F)': the name a finance officer sees and the spreadsheet letter to find it."""
        name = self.header[column].strip() if column < len(self.header) else ""
        letter = column_letter(column)
        return f"{name} ({letter})" if name else letter


def column_letter(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def fit(profile: Profile, cells: Sequence[str], row: int) -> Layout:
    """Lay `profile` over a candidate header row, recording what is missing or named unusually."""
    keys = [column_key(cell) for cell in cells]
    position = {}
    for i, key in enumerate(keys):
        if key:
            position.setdefault(key, i)
    layout = Layout(profile, row, [c.strip() for c in cells], {})
    for role, names in profile.columns.items():
        for rank, name in enumerate(names):
            column = position.get(column_key(name))
            if column is not None and column not in layout.index.values():
                layout.index[role] = column
                if rank > 0 or cells[column].strip() != name:
                    layout.variants.append((column, cells[column].strip(), names[0]))
                break
    wanted = dict.fromkeys((*profile.recognise, *profile.required))
    layout.missing = [role for role in wanted if role not in layout.index]
    claimed = set(layout.index.values())
    layout.unknown = [i for i, key in enumerate(keys) if key and i not in claimed]
    return layout


def _score(layout: Layout) -> float:
    roles = layout.profile.recognise
    return sum(1 for role in roles if role in layout.index) / len(roles) if roles else 0.0


def _values_match(layout: Layout, data_row: Sequence[str] | None) -> bool:
    """A profile's value checks (e.g. 'Body Name' says Manchester) against the first data row."""
    if not layout.profile.values:
        return True
    if data_row is None:
        return False
    values = {role: data_row[i].strip() for role, i in layout.index.items() if i < len(data_row)}
    return all(rule.matches(values) for rule in layout.profile.values)


def locate(rows: Sequence[tuple[int, Sequence[str]]], profiles: Sequence[Profile],
           near_misses: bool = True) -> Layout | None:
    """The best profile for the first lines of a file, complete if any profile matches fully.

    Among complete matches the profile recognising the most roles wins (the most specific), then the first
    listed (user profiles come before packaged ones). Without a complete match, the closest near miss.
    """
    best: tuple[tuple[int, int, float], Layout] | None = None
    searched = [(n, cells) for n, cells in rows[:HEADER_SEARCH] if any(c.strip() for c in cells)]
    for position, (number, cells) in enumerate(searched):
        data_row = searched[position + 1][1] if position + 1 < len(searched) else None
        for order, profile in enumerate(profiles):
            if not profile.auto:
                continue
            layout = fit(profile, cells, number)
            score = _score(layout)
            present = sum(1 for role in profile.recognise if role in layout.index)
            if layout.complete and _values_match(layout, data_row):
                rank = (2, len(profile.recognise), -order)
            elif near_misses and score >= NEAR_MISS_SHARE and present >= NEAR_MISS_MINIMUM \
                    and (data_row is None or _values_match_partial(layout, data_row)):
                rank = (1, present, -order)
            else:
                continue
            if best is None or rank > best[0]:
                best = (rank, layout)
        if best is not None and best[0][0] == 2:
            break
    return best[1] if best else None


def _values_match_partial(layout: Layout, data_row: Sequence[str]) -> bool:
    """For a near miss, value checks whose column is present must still hold (it is this publisher)."""
    values = {role: data_row[i].strip() for role, i in layout.index.items() if i < len(data_row)}
    return all(rule.matches(values) for rule in layout.profile.values if rule.column in layout.index)


def force(rows: Sequence[tuple[int, Sequence[str]]], profile: Profile) -> Layout | None:
    """The header for a profile the user chose (--kind spend:<id>): the row it fits best."""
    best: tuple[float, Layout] | None = None
    for number, cells in rows[:HEADER_SEARCH]:
        if not any(c.strip() for c in cells):
            continue
        layout = fit(profile, cells, number)
        score = _score(layout) if profile.recognise else len(layout.index)
        if layout.index and (best is None or score > best[0]):
            best = (score, layout)
    return best[1] if best else None


def looks_like_spend(cells: Sequence[str]) -> bool:
    """A header with a date, an amount and a payee column: a spend file whose publisher has no profile."""
    keys = [column_key(c) for c in cells]
    if any(key.startswith(("fundingorg", "recipientorg")) for key in keys):   # 360Giving grants: not this reader
        return False
    has = lambda *words: any(any(w in key for w in words) for key in keys)  # noqa: E731
    return has("date") and has("amount", "total", "value", "net") and has("supplier", "vendor", "payee",
                                                                          "beneficiary")
