"""Themes across COFOG: worklessness, drugs and alcohol, older people ... cut across functions and agencies, so
a deep dive first has to find the theme's money on the ledger.

A counted line belongs to a theme when

- it is tagged **by hand**: its `theme` column names the theme (several themes separated by `;`), or
- a **rule** matches it: a row (theme, field, pattern) of the user's rules file. Fields are `service_code`,
  `funding_stream`, `spender`, `recipient`, `funder`, `body` (any of the three), `cofog` (a code and everything
  under it: `10` matches `10.5`), `notes`, `line_id`, `keyword` (a word anywhere in the notes, funding stream,
  line id, service code or body names) and any `x_` column of the returns. Patterns are case-insensitive and
  match the whole value, with `*` for any text and `?` for one character; `notes` and `keyword` match
  anywhere in the text.

Theme names are compared in lower case. A line can be in several themes: each theme's total counts it in full,
so theme totals overlap and never add up to the place's total (the distinct tagged total is given).

The inventory of a theme is what seed 001 counted for Lewisham's worklessness (120 projects, 50 providers,
15 funding streams): distinct projects (`x_project`, else `line_id`), providers (`x_provider`, else the body
that finally spends the money), funding streams (`funding_stream`) and access points (`x_access_point`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from placespend.count.consolidate import counted_lines
from placespend.domain.ledger import Ledger

ZERO = Decimal(0)
BODY_NAMES = ("spender_name", "recipient_name")
FIELDS: dict[str, tuple[str, ...]] = {
    "service_code": ("service_code",), "funding_stream": ("funding_stream",), "spender": ("spender",),
    "recipient": ("recipient",), "funder": ("funder",), "body": ("spender", "recipient", "funder"),
    "cofog": ("cofog",), "notes": ("notes",), "line_id": ("line_id",),
    "keyword": ("notes", "funding_stream", "line_id", "service_code", *BODY_NAMES),
}
SUBSTRING_FIELDS = frozenset({"notes", "keyword"})
INVENTORY = ("projects", "providers", "funding_streams", "access_points")
PROVENANCE = ("theme", "tagged_by", "file_name", "source_sheet", "source_row", "status", "spender", "flow",
              "recipient", "body", "cofog", "service_code", "funding_stream", "counted_amount", "line_id", "notes")


@dataclass(frozen=True)
class ThemeRule:
    theme: str
    field: str
    pattern: str
    row: int | None = None

    @property
    def label(self) -> str:
        where = f"rule row {self.row}" if self.row is not None else "rule"
        return f"{where}: {self.field} ~ {self.pattern}"


def glob_regex(pattern: str, anywhere: bool = False) -> str:
    """Case-insensitive regular expression for a `*`/`?` pattern (whole value unless `anywhere`)."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.strip())
    return f"(?i){body}" if anywhere else f"(?i)^{body}$"


def _values(lines: ir.Table, name: str) -> list[ir.StringValue]:
    if name.startswith("x_"):
        return [lines.extra[name].str.fill_null("")]
    return [lines[column].fill_null("") for column in FIELDS[name]]


def rule_condition(lines: ir.Table, rule: ThemeRule) -> ir.BooleanValue:
    """Whether a line matches one rule, as an Ibis expression (runs on any backend with regex search)."""
    if rule.field == "cofog":
        return (lines.cofog == rule.pattern) | lines.cofog.startswith(rule.pattern + ".")
    regex = glob_regex(rule.pattern, anywhere=rule.field in SUBSTRING_FIELDS)
    conditions = [value.re_search(regex) for value in _values(lines, rule.field)]
    condition = conditions[0]
    for other in conditions[1:]:
        condition = condition | other
    return condition


def _hand_condition(lines: ir.Table, theme: str) -> ir.BooleanValue:
    return lines.theme.fill_null("").re_search(rf"(?i)(^|;)\s*{re.escape(theme)}\s*(;|$)")


def theme_lines_base(ledger: Ledger, place: str, period: str) -> ir.Table:
    """Counted lines with the body that finally spends each pound and the line's file name."""
    lines = counted_lines(ledger, place, period)
    lines = lines.mutate(body=ibis.cases((lines.status == "spend", lines.spender), else_=lines.recipient))
    subs = ledger.table("submissions").select("submission_id", "file_name")
    return lines.left_join(subs, "submission_id").drop("submission_id_right")


def hand_themes(lines: ir.Table) -> list[str]:
    names = lines.filter(lines.theme.notnull()).select(name=lines.theme.split(";").unnest())
    names = names.select(name=names.name.strip().lower()).distinct()
    return sorted(n for n in names.name.to_pyarrow().to_pylist() if n)


def tagged_lines(ledger: Ledger, place: str, period: str, rules: list[ThemeRule]) -> ir.Table:
    """One row per (counted line, theme) with `tagged_by`: 'hand' and/or the rules that put it there."""
    lines = theme_lines_base(ledger, place, period)
    names = sorted(set(hand_themes(lines)) | {rule.theme.strip().lower() for rule in rules})
    parts = []
    for name in names:
        labelled = [(_hand_condition(lines, name), "hand")]
        labelled += [(rule_condition(lines, r), r.label) for r in rules if r.theme.strip().lower() == name]
        tagged_by = ibis.literal("")
        matched = ibis.literal(False)
        for condition, label in labelled:
            tagged_by = tagged_by + ibis.cases((condition, label + "; "), else_="")
            matched = matched | condition
        tagged_by = tagged_by.re_replace(r";\s*$", "")
        parts.append(lines.filter(matched).mutate(theme=ibis.literal(name), tagged_by=tagged_by))
    if not parts:
        return lines.filter(ibis.literal(False)).mutate(theme=ibis.literal(""), tagged_by=ibis.literal(""))
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


@dataclass
class ThemeSummary:
    theme: str
    total: Decimal
    lines: int
    by_cofog: dict[str, Decimal]
    by_agency: dict[str, Decimal]
    by_spender_type: dict[str, Decimal]
    inventory: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self, place_total: Decimal) -> dict[str, Any]:
        return {"theme": self.theme, "total": self.total, "lines": self.lines,
                "share_of_place": self.total / place_total if place_total else None,
                "cofog_divisions": len(self.by_cofog), "agencies": len(self.by_agency),
                "by_cofog": self.by_cofog, "by_agency": self.by_agency, "by_spender_type": self.by_spender_type,
                "inventory_counts": {k: len(v) for k, v in self.inventory.items()}, "inventory": self.inventory}


@dataclass
class ThemeReport:
    place: str
    period: str
    place_total: Decimal
    tagged_total: Decimal
    themes: list[ThemeSummary]
    rules: list[ThemeRule]

    def get(self, theme: str) -> ThemeSummary | None:
        return next((t for t in self.themes if t.theme == theme.strip().lower()), None)

    def to_dict(self) -> dict[str, Any]:
        return {"place": self.place, "period": self.period, "place_total": self.place_total,
                "tagged_total": self.tagged_total,
                "note": "A line may be in several themes: theme totals overlap; tagged_total counts each line once.",
                "themes": [t.to_dict(self.place_total) for t in self.themes],
                "rules": [{"theme": r.theme, "field": r.field, "pattern": r.pattern, "row": r.row}
                          for r in self.rules]}


def theme_report(ledger: Ledger, place: str, period: str, rules: list[ThemeRule],
                 only: str | None = None) -> ThemeReport:
    """Totals, COFOG divisions, agencies and inventory of every theme (or only one) in a place and year."""
    base = theme_lines_base(ledger, place, period)
    tagged = tagged_lines(ledger, place, period, rules)
    if only:
        tagged = tagged.filter(tagged.theme == only.strip().lower())
    tagged = tagged.select(
        "theme", "counted_amount", "cofog_division", "body", "counted_type", "submission_id", "source_sheet",
        "source_row", "place",
        projects=tagged.extra["x_project"].str.fill_null(tagged.line_id),
        providers=tagged.extra["x_provider"].str.fill_null(tagged.body),
        funding_streams=tagged.funding_stream,
        access_points=tagged.extra["x_access_point"].str,
    )
    # The tagged lines are computed once; the breakdowns below are small queries over that result.
    tagged = ibis.memtable(ledger.to_pyarrow(tagged))
    totals = tagged.group_by("theme").agg(total=tagged.counted_amount.sum(), lines=tagged.count())
    summaries = [ThemeSummary(r["theme"], r["total"], r["lines"], {}, {}, {})
                 for r in _rows(ledger, totals.order_by([ibis.desc("total"), "theme"]))]
    by_name = {s.theme: s for s in summaries}
    for key, attr in (("cofog_division", "by_cofog"), ("body", "by_agency"), ("counted_type", "by_spender_type")):
        for row in _sums(ledger, tagged, key):
            getattr(by_name[row["theme"]], attr)[row[key]] = row["amount"]
    for key in INVENTORY:
        for row in _sums(ledger, tagged.filter(tagged[key].notnull()), key):
            by_name[row["theme"]].inventory.setdefault(key, []).append(
                {"name": row[key], "amount": row["amount"], "lines": row["lines"]})
    for summary in summaries:
        summary.by_cofog = dict(sorted(summary.by_cofog.items()))
        summary.inventory = {key: summary.inventory.get(key, []) for key in INVENTORY}
    distinct = tagged.select("submission_id", "source_sheet", "source_row", "place", "counted_amount").distinct()
    return ThemeReport(place, period, _scalar(ledger, base.counted_amount.sum()),
                       _scalar(ledger, distinct.counted_amount.sum()), summaries, rules)


def _rows(ledger: Ledger, table: ir.Table) -> list[dict[str, Any]]:
    return ledger.to_pyarrow(table).to_pylist()


def _sums(ledger: Ledger, table: ir.Table, key: str) -> list[dict[str, Any]]:
    by = table.group_by(["theme", key]).agg(amount=table.counted_amount.sum(), lines=table.count())
    return _rows(ledger, by.order_by(["theme", ibis.desc("amount"), key]))


def _scalar(ledger: Ledger, expr: ir.Scalar) -> Decimal:
    value = ledger.to_pyarrow(expr).as_py()
    return value if value is not None else ZERO


def theme_provenance(ledger: Ledger, place: str, period: str, rules: list[ThemeRule], theme: str) -> ir.Table:
    """The lines behind a theme's total, with why each is in it and the file and row it came from."""
    tagged = tagged_lines(ledger, place, period, rules)
    tagged = tagged.filter(tagged.theme == theme.strip().lower())
    return tagged.select(*PROVENANCE).order_by(["file_name", "source_sheet", "source_row"])
