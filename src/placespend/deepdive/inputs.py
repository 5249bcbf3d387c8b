"""Readers for the deep-dive inputs: CBA flows, unit costs, deflators, journeys, savings, segments, theme rules.

Each takes a user's table as the app read it from a file (`layout.UserTable`: rows of cells, the sheet named
as the layout's `kind`) and returns typed records and a `Report` whose problems carry the row and column to
fix; the CLI refuses to compute while a report holds an error. The files are small CSVs the user writes (column names in
`layout` aliases; see each layout below and `placespend deepdive examples`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from placespend.deepdive import layout as L
from placespend.deepdive.cba import CashFlow
from placespend.deepdive.cohorts import Move, Segment
from placespend.deepdive.journeys import Stop
from placespend.deepdive.savings import Saving
from placespend.deepdive.themes import FIELDS, ThemeRule
from placespend.deepdive.uncertainty import Range
from placespend.deepdive.unit_costs import Deflators, Library, UnitCost
from placespend.domain.cells import CellError
from placespend.domain.classifications import normalise_cofog
from placespend.domain.problems import Report

C = L.Column

CBA = L.Layout("cba", (
    C("year", L.whole, required=True), C("agency", L.text, required=True),
    C("kind", L.choice("investment", "benefit", cost="investment", saving="benefit"), required=True),
    C("amount", L.number, required=True, aliases=("central",)), C("low", L.number), C("high", L.number),
    C("component", L.choice("A", "B", "C"), default=""), C("stream", L.text, default=""),
    C("note", L.text, default="", aliases=("notes",)),
))
UNIT_COSTS = L.Layout("unit costs", (
    C("code", L.text, required=True, aliases=("ref", "reference", "id", "cost id", "cost ref", "cost code")),
    C("description", L.text, default="", aliases=("outcome detail", "cost description", "detail", "outcome")),
    C("unit", L.text, default="", aliases=("unit of cost", "unit of measure", "per")),
    C("cost", L.number, required=True, aliases=("unit cost", "fiscal cost", "cost gbp", "value")),
    C("agency", L.text, default="", aliases=("agency bearing cost", "agency bearing the cost", "bearer")),
    C("price_year", L.year_label, required=True, aliases=("price base", "price base year", "year", "price")),
    C("source", L.text, default="", aliases=("sources", "source s", "source of cost")),
    C("category", L.text, default="", aliases=("outcome category", "theme", "cost category")),
))
DEFLATORS = L.Layout("deflators", (
    C("year", L.year_label, required=True, aliases=("financial year", "price year", "fy")),
    C("index", L.non_negative, required=True, aliases=("deflator", "gdp deflator", "value")),
))
JOURNEYS = L.Layout("journeys", (
    C("journey", L.text, default="journey", aliases=("case", "family")),
    C("step", L.whole, required=True, aliases=("order", "stop", "seq")), C("stage", L.text, required=True),
    C("agency", L.text, required=True), C("activity", L.text, required=True, aliases=("contact",)),
    C("unit_cost_code", L.text, default="", aliases=("code", "unit cost")),
    C("actual_cost", L.non_negative, aliases=("cost",)),
    C("repeats", L.positive_whole, default=1, aliases=("times",)),
    C("staff_hours", L.non_negative, default=Decimal(0), aliases=("hours",)),
    C("staff_rate", L.non_negative, default=Decimal(0), aliases=("hourly rate", "rate")),
    C("travel_cost", L.non_negative, default=Decimal(0), aliases=("travel",)),
    C("satisfaction", L.number, aliases=("score",)), C("avoidable", L.yes_no, default=False),
    C("notes", L.text, default="", aliases=("note",)),
))
SAVINGS = L.Layout("savings", (
    C("id", L.text, required=True), C("description", L.text, default=""), C("agency", L.text, required=True),
    C("low", L.number), C("central", L.number, required=True, aliases=("amount", "saving")), C("high", L.number),
    C("recurrence", L.choice("recurring", "one_off", oneoff="one_off"), default="recurring"),
    C("capital_revenue", L.choice("revenue", "capital"), default="revenue"),
    C("start_year", L.start_year, required=True, aliases=("start",)),
    C("profile", L.profile, default=(Decimal(1),)),
    C("status", L.choice("idea", "estimate", "business_case"), default="estimate"),
    C("basis", L.choice("local", "pilot", "scaled"), default="local"),
    C("evidence", L.text, default="", aliases=("evidence link", "link")), C("theme", L.text, default=""),
    C("group", L.text, default=""),
))
SEGMENTS = L.Layout("segments", (
    C("segment", L.text, required=True, aliases=("family type", "cohort", "type")),
    C("unit_cost", L.non_negative, aliases=("cost", "cost per family", "cost per child")),
    C("unit_cost_code", L.text, default="", aliases=("code",)),
    C("count", L.non_negative, required=True, aliases=("number", "families", "children")),
    C("unit", L.text, default="per family per year"), C("baseline", L.yes_no, default=False),
    C("published_ratio", L.non_negative, aliases=("published",)), C("source", L.text, default=""),
))
RULES = L.Layout("theme rules", (
    C("theme", L.text, required=True), C("field", L.text, required=True), C("pattern", L.text, required=True),
))


def read_cba(table: L.UserTable) -> tuple[list[CashFlow], Report]:
    rows, report = L.read(table, CBA)
    flows = [CashFlow(r["year"], r["agency"], r["kind"], Range(r["low"], r["amount"], r["high"]),
                      r["component"], r["stream"], r["row"], r["note"])
             for r in rows if L.check_range(r, report, "amount")]
    for flow in flows:
        if (flow.part == "A" and flow.kind == "investment") or (flow.part != "A" and flow.kind == "benefit"):
            report.error("component-kind", "Benefits are component A; investment is B or C.", row=flow.row,
                         column="component", value=flow.component)
    return flows, report


def read_unit_costs(table: L.UserTable) -> tuple[list[UnitCost], Report]:
    rows, report = L.read(table, UNIT_COSTS)
    for r in rows:
        if not r["agency"]:
            report.warn("agency-missing", "No agency is named as bearing this cost.", row=r["row"], column="agency")
    return [UnitCost(r["code"], r["description"], r["unit"], r["cost"], r["agency"], r["price_year"], r["source"],
                     r["category"], r["row"]) for r in rows], report


def read_deflators(table: L.UserTable) -> tuple[Deflators, Report]:
    rows, report = L.read(table, DEFLATORS)
    index: dict[str, Decimal] = {}
    for r in rows:
        if r["index"] == 0:
            report.error("index-zero", "A deflator index cannot be 0.", row=r["row"], column="index")
        elif r["year"] in index:
            report.error("year-duplicate", f"{r['year']} appears twice.", row=r["row"], column="year")
        else:
            index[r["year"]] = r["index"]
    return Deflators(index, table.name), report


def read_journeys(table: L.UserTable) -> tuple[list[Stop], Report]:
    rows, report = L.read(table, JOURNEYS)
    seen: set[tuple[str, int]] = set()
    stops = []
    for r in rows:
        if (r["journey"], r["step"]) in seen:
            report.error("step-duplicate", f"Step {r['step']} of '{r['journey']}' appears twice.", row=r["row"],
                         column="step")
            continue
        seen.add((r["journey"], r["step"]))
        if r["staff_hours"] and not r["staff_rate"]:
            report.warn("rate-missing", "Staff hours are given without an hourly rate: they cost nothing here.",
                        row=r["row"], column="staff_rate")
        stops.append(Stop(**{k: v for k, v in r.items()}))
    return stops, report


def read_savings(table: L.UserTable) -> tuple[list[Saving], Report]:
    rows, report = L.read(table, SAVINGS)
    entries, ids = [], set()
    for r in rows:
        if not L.check_range(r, report, "central"):
            continue
        if r["id"] in ids:
            report.error("id-duplicate", f"Saving '{r['id']}' appears twice.", row=r["row"], column="id")
            continue
        ids.add(r["id"])
        if r["recurrence"] == "one_off" and sum(r["profile"]) != 1:
            report.error("profile-not-one", "A one-off saving's profile must add up to 1.", row=r["row"],
                         column="profile")
            continue
        entries.append(Saving(r["id"], r["description"], r["agency"], Range(r["low"], r["central"], r["high"]),
                              r["start_year"], r["recurrence"], r["capital_revenue"], r["profile"], r["status"],
                              r["basis"], r["evidence"], r["theme"], r["group"], r["row"]))
    return entries, report


def read_segments(table: L.UserTable, library: Library | None = None) -> tuple[list[Segment], Report]:
    rows, report = L.read(table, SEGMENTS)
    segments = []
    for r in rows:
        cost, source = r["unit_cost"], r["source"]
        if cost is None and r["unit_cost_code"]:
            priced = library.get(r["unit_cost_code"]) if library else None
            if priced is None:
                report.error("unit-cost-unknown", f"Unit cost code '{r['unit_cost_code']}' is not in the library.",
                             row=r["row"], column="unit_cost_code")
                continue
            cost, source = priced.cost, source or f"unit cost {priced.code} ({priced.price_year})"
        if cost is None:
            report.error("value-missing", "Give a unit_cost or a unit_cost_code.", row=r["row"], column="unit_cost")
            continue
        segments.append(Segment(r["segment"], cost, r["count"], r["unit"], r["baseline"], r["published_ratio"],
                                source, r["row"]))
    if len({s.segment for s in segments}) != len(segments):
        report.error("segment-duplicate", "Each segment must appear once.")
    return segments, report


def read_rules(table: L.UserTable) -> tuple[list[ThemeRule], Report]:
    rows, report = L.read(table, RULES)
    rules = []
    for r in rows:
        name = r["field"].strip().lower()
        pattern = r["pattern"].strip()
        if name not in FIELDS and not name.startswith("x_"):
            report.error("field-unknown", f"'{r['field']}' is not a field rules can match (one of "
                         f"{', '.join(FIELDS)} or an x_ column).", row=r["row"], column="field")
            continue
        if name == "cofog":
            code = normalise_cofog(pattern)
            if code is None:
                report.error("cofog-unknown", f"'{pattern}' is not a COFOG code.", row=r["row"], column="pattern")
                continue
            pattern = code
        rules.append(ThemeRule(r["theme"].strip(), name, pattern, r["row"]))
    return rules, report


def parse_move(text: str) -> Move:
    """'FROM>TO:NUMBER', e.g. 'chaotic>barely coping:10' (the CLI's --move)."""
    try:
        route, amount = text.rsplit(":", 1)
        source, target = route.split(">", 1)
        return Move(source.strip(), target.strip(), L.non_negative(amount))
    except (ValueError, CellError):
        raise ValueError(f"'{text}' is not a move; write FROM>TO:NUMBER, e.g. 'chaotic>coping:10'.") from None


def parse_fraction(text: str, name: str, upper: Decimal = Decimal(1)) -> Decimal:
    """A rate option: 0.035, 3.5% or 3.5 (numbers of 1 or more are percentages)."""
    try:
        return L.fraction(text, upper)
    except CellError as exc:
        raise ValueError(f"{name}: {exc}") from None


def merge(*reports: Report) -> dict[str, Any]:
    return {"ok": all(r.ok for r in reports), "files": [r.to_dict() for r in reports]}
