"""Reading one owner's asset register: a Transparency Code land and buildings CSV, or the template's Assets sheet.

Every cell that cannot be read is an error naming its row and the file's own column heading, and a register
with any error yields no assets, so nothing is half-loaded. What can be read with a clear meaning is kept
and said: an asset without coordinates (Trafford publishes 235 of its 608 so) is kept and listed, not
refused; coordinates in another reference system are converted; a mis-cased tenure is read as the Code's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from placespend.domain.asset_columns import ASSETS_SHEET, AssetColumn, heading_key, lookup
from placespend.domain.assets import HOLDING_TYPES, TENURE_DETAILS, TENURE_TYPES, Asset
from placespend.domain.cells import CellError, as_text, is_blank
from placespend.domain.problems import Report
from placespend.ingest.assets import coordinates
from placespend.ingest.tabular import HEADER_SEARCH_ROWS, read_rows
from placespend.ingest.values import as_amount

UPRN = re.compile(r"^\d{1,12}$")
SHOWN = 5
CANONICAL = {"tenure_type": TENURE_TYPES, "holding_type": HOLDING_TYPES, "tenure_detail": TENURE_DETAILS}
SYNONYMS = {"holding_type": {"land and buildings": "Land/Buildings", "land & buildings": "Land/Buildings",
                             "building": "Buildings"}}


@dataclass
class AssetRegister:
    """The assets of one file in file order, and what the reader had to say about them as a whole."""

    owner: str
    sheet: str | None
    assets: list[Asset] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)  # field -> the file's heading

    @property
    def unlocated(self) -> list[Asset]:
        return [a for a in self.assets if not a.has_point]


@dataclass
class _Header:
    row: int
    columns: dict[int, AssetColumn]
    extra: dict[int, str]
    names: list[str]


def read_asset_register(path: Path, report: Report, owner: str, sheet: str = ASSETS_SHEET) -> AssetRegister | None:
    """The register, or None with every problem in `report` (file, sheet, row, column)."""
    used_sheet, rows = read_rows(path, report, sheet)
    if not report.ok:
        return None
    header = _header(rows, report, used_sheet)
    if header is None:
        return None
    register = AssetRegister(owner, used_sheet, headings={c.field: header.names[i] for i, c in header.columns.items()})
    seen: dict[str, int] = {}
    recased: dict[tuple[str, str], list[int]] = {}
    for number, cells in rows:
        if number <= header.row or all(is_blank(c) for c in cells):
            continue
        report.rows_read += 1
        if len(cells) > len(header.names) and any(not is_blank(c) for c in cells[len(header.names):]):
            report.error("row-too-long", "This row has more cells than there are column headings.", sheet=used_sheet,
                         row=number)
            continue
        asset = _asset(owner, number, cells, header, report, used_sheet, recased)
        if asset is None:
            continue
        if asset.asset_code in seen:
            report.error("asset-code-duplicated", f"AssetCode {asset.asset_code} is already used in row "
                         f"{seen[asset.asset_code]}; each asset needs its own code.", sheet=used_sheet, row=number,
                         column=header.names[_index(header, "asset_code")], value=asset.asset_code)
            continue
        seen[asset.asset_code] = number
        register.assets.append(asset)
    _summarise(register, report, recased)
    if report.ok and not register.assets:
        report.error("file-empty", "The register has no assets.", sheet=used_sheet)
    return register if report.ok else None


def _header(rows: list[tuple[int, list[Any]]], report: Report, sheet: str | None) -> _Header | None:
    """The heading row: the first row naming AssetCode and at least two other known columns."""
    known = lookup()
    filled = [(n, cells) for n, cells in rows if not all(is_blank(c) for c in cells)]
    if not filled:
        report.error("file-empty", "There are no rows to load.", sheet=sheet)
        return None
    for number, cells in filled[:HEADER_SEARCH_ROWS]:
        names = ["" if is_blank(c) else str(c).strip() for c in cells]
        found = {i: known[heading_key(name)] for i, name in enumerate(names) if heading_key(name) in known}
        if "asset_code" not in {c.field for c in found.values()} or len(found) < 3:
            continue
        if number != filled[0][0]:
            report.error("preamble", f"Rows {filled[0][0]}-{number - 1} come before the column headings in row "
                         f"{number}; delete them so the headings are the first row.", sheet=sheet, row=filled[0][0])
        by_field: dict[str, int] = {}
        for index, column in found.items():
            if column.field in by_field:
                report.error("column-duplicated", f"'{names[index]}' and '{names[by_field[column.field]]}' are the "
                             "same column; keep one.", sheet=sheet, row=number, column=names[index])
            by_field[column.field] = index
        extra = {i: name for i, name in enumerate(names) if name and i not in found}
        return _Header(number, found, extra, names)
    report.error("header-not-found", "No row of column headings was found: a register needs AssetCode and the "
                 "Transparency Code's other headings (UPRN, PropertyName, GeoX, GeoY ...) or the template's.",
                 sheet=sheet, row=filled[0][0])
    return None


def _index(header: _Header, name: str) -> int:
    return next(i for i, c in header.columns.items() if c.field == name)


def _asset(owner: str, number: int, cells: list[Any], header: _Header, report: Report, sheet: str | None,
           recased: dict[tuple[str, str], list[int]]) -> Asset | None:
    values: dict[str, Any] = {}
    failed = False
    for index, column in header.columns.items():
        cell = cells[index] if index < len(cells) else None
        try:
            values[column.field] = PARSERS.get(column.field, _text)(cell)
        except CellError as exc:
            report.error(exc.slug, str(exc), sheet=sheet, row=number, column=header.names[index],
                         value=None if cell is None else str(cell))
            failed = True
    if failed:
        return None
    if not values.get("asset_code"):
        report.error("asset-code-missing", "The AssetCode is blank; every asset needs one.", sheet=sheet, row=number,
                     column=header.names[_index(header, "asset_code")])
        return None
    for name, choices in CANONICAL.items():
        if values.get(name):
            values[name] = _canonical(name, values[name], choices, number, recased)
    point = _point(values, header, report, sheet, number)
    if point is False:
        return None
    extra = {name: as_text(cells[i]) for i, name in header.extra.items() if i < len(cells) and not is_blank(cells[i])}
    located = {"lon": point.lon, "lat": point.lat, "located": point.located} if point else {}
    return Asset(owner=owner, row=number, **values, **located, extra=extra)


def _point(values: dict[str, Any], header: _Header, report: Report, sheet: str | None,
           number: int) -> coordinates.Point | bool | None:
    """The WGS84 point, None when the row has no coordinates, False after an error."""
    x, y, crs = values.get("geo_x", ""), values.get("geo_y", ""), values.get("crs", "")
    if not x and not y:
        return None
    names = {f: header.names[_index(header, f)] if f in values else f for f in ("geo_x", "geo_y", "crs")}
    for name, text in (("geo_x", x), ("geo_y", y)):
        if not text:
            report.error("coordinate-missing", f"Only one coordinate is given; fill {names[name]} too, or leave "
                         "both blank.", sheet=sheet, row=number, column=names[name])
            return False
    try:
        point = coordinates.locate(crs, coordinates.number(x, names["geo_x"]), coordinates.number(y, names["geo_y"]))
    except CellError as exc:
        column = names["crs"] if exc.slug.startswith("crs") else names["geo_x"]
        report.error(exc.slug, str(exc), sheet=sheet, row=number, column=column, value=f"{crs} {x} {y}".strip())
        return False
    if point.note:
        report.warn("coordinates-repaired", point.note, sheet=sheet, row=number, column=names["geo_x"],
                    value=f"{x}, {y}")
    if not coordinates.in_uk(point.lon, point.lat):
        report.warn("coordinates-outside-uk", f"The point ({point.lon:.5f}, {point.lat:.5f}) is outside the UK; "
                    "check the coordinates and their reference system.", sheet=sheet, row=number,
                    column=names["geo_x"])
    return point


def _canonical(name: str, value: str, choices: tuple[str, ...], row: int,
               recased: dict[tuple[str, str], list[int]]) -> str:
    """The Code's spelling of a value typed in another case ('Leasehold out' -> 'Leasehold Out')."""
    wanted = SYNONYMS.get(name, {}).get(value.lower()) or next((c for c in choices if c.lower() == value.lower()),
                                                               None)
    if wanted and wanted != value:
        recased.setdefault((value, wanted), []).append(row)
    return wanted or value


def _summarise(register: AssetRegister, report: Report, recased: dict[tuple[str, str], list[int]]) -> None:
    """Warnings about the register as a whole, once each rather than once a row."""
    sheet = register.sheet
    for (given, read_as), rows in recased.items():
        report.warn("value-recased", f"'{given}' is read as '{read_as}' in {len(rows)} row(s): {_rows(rows)}.",
                    sheet=sheet, row=rows[0], value=given)
    unlocated = register.unlocated
    if unlocated:
        report.warn("asset-without-coordinates", f"{len(unlocated)} of {len(register.assets)} assets have no "
                    "coordinates: they are kept in the register and its totals but cannot be mapped or measured "
                    f"(rows {_rows([a.row for a in unlocated])}).", sheet=sheet, row=unlocated[0].row)
    for name, choices in (("tenure_type", TENURE_TYPES), ("holding_type", HOLDING_TYPES)):
        odd = [a for a in register.assets if getattr(a, name) and getattr(a, name) not in choices]
        if odd:
            report.warn(f"{name.replace('_', '-')}-unknown", f"{len(odd)} row(s) give a {name.replace('_', ' ')} the "
                        f"Code does not list ({', '.join(choices)}): {_rows([a.row for a in odd])}; kept as given.",
                        sheet=sheet, row=odd[0].row)


def _rows(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:SHOWN])
    return shown + (f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else "")


# -- cells -------------------------------------------------------------------------------------------------------

def _text(cell: Any) -> str:
    return as_text(cell)


def _uprn(cell: Any) -> str:
    text = as_text(cell)
    if text and not UPRN.match(text):
        raise CellError("uprn-invalid", f"'{text}' is not a UPRN (a number of up to 12 digits).")
    return text


def _size(cell: Any) -> Decimal | None:
    text = as_text(cell).replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError("size-not-number", f"'{cell}' is not a number.") from None
    if not value.is_finite() or value < 0:
        raise CellError("size-invalid", f"'{cell}' is not a size: give a number of 0 or more.")
    return value


def _money(cell: Any) -> Decimal | None:
    if is_blank(cell):
        return None
    value = as_amount(cell)
    if value < 0:
        raise CellError("running-cost-negative", f"{cell} is negative; a running cost is 0 or more.")
    return value


def _share(cell: Any) -> Decimal | None:
    """0.45, '45%' or 45 (a number above 1 is a percentage)."""
    text = as_text(cell)
    if not text:
        return None
    percent = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise CellError("utilisation-not-number", f"'{cell}' is not a share such as 0.45 or 45%.") from None
    if percent or value > 1:
        value = value / 100
    if not value.is_finite() or not 0 <= value <= 1:
        raise CellError("utilisation-out-of-range", f"'{cell}' is not between 0 and 100%.")
    return value


def _services(cell: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in as_text(cell).split(";") if part.strip()))


def _date(cell: Any) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = as_text(cell)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError("date-invalid", f"'{text}' is not a date; write YYYY-MM-DD, e.g. 2027-03-31.")


PARSERS = {"uprn": _uprn, "building_size": _size, "land_area": _size, "running_cost": _money,
           "utilisation": _share, "services": _services, "lease_end": _date}
