"""The whole-return checks of a columnar return, computed in SQL over its lines.

`checks.ReturnFacts` holds only aggregates, so they are gathered here with GROUP BY queries and the
warnings are then written by `checks.warn`, the same code as for FlowLines: the messages cannot drift apart.
Also here: the partner-upload rule (only your own body's lines), each submission-to-be's slices, and the lines
larger than their submitter's whole previous return (plausibility).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from placespend.domain import classifications as cls
from placespend.domain.problems import Report
from placespend.domain.vocabulary import BASIS_RANK
from placespend.ingest.flows.checks import ONE_OFF_ROWS_SHOWN, Apportioned, ReturnFacts, WorkspaceContext, warn
from placespend.ingest.flows.columnar import ColumnarLines
from placespend.ingest.plausibility import LargeLine, SliceKey, SliceTotals, exceeds

DUPLICATE_KEY = ("period", "place", "spender", "flow", "amount", "cofog", "recipient", "funder", "service_code",
                 "capital_revenue", "basis", "place_share")


def check_lines(lines: ColumnarLines, report: Report, context: WorkspaceContext) -> None:
    if lines.count:
        warn(facts_of(lines), report, context)


def facts_of(lines: ColumnarLines) -> ReturnFacts:
    q = lines.query
    outside_types = [kind for kind, body in cls.body_types().items() if not body.pesa_scope]
    spend, capital, one_off, one_off_total = q("""
        SELECT count(*) FILTER (WHERE flow = 'spend'),
               count(*) FILTER (WHERE flow = 'spend' AND capital_revenue = 'capital'),
               count(*) FILTER (WHERE recurrence = 'one_off'),
               coalesce(sum(counted_amount) FILTER (WHERE recurrence = 'one_off'), 0)
        FROM lines""")[0]
    kinds: dict[str, set[str]] = defaultdict(set)
    for body, kind in q("""
            SELECT DISTINCT spender, spender_type FROM lines
            UNION SELECT recipient, recipient_type FROM lines WHERE recipient <> '' AND recipient_type <> ''
            UNION SELECT funder, funder_type FROM lines WHERE funder <> '' AND funder_type <> ''"""):
        kinds[body].add(kind)
    by_body: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for body, kind, division, total in q("SELECT spender, spender_type, cofog_division, sum(counted_amount) "
                                         "FROM lines WHERE flow = 'spend' GROUP BY ALL"):
        by_body[(body, kind)][division] = Decimal(total)
    return ReturnFacts(
        periods={p: n for p, n in q("SELECT period, count(*) FROM lines GROUP BY 1")},
        bases={b: n for b, n in q("SELECT basis, count(*) FROM lines GROUP BY 1")},
        spend_lines=spend, capital_spend_lines=capital, one_off_lines=one_off, one_off_total=Decimal(one_off_total),
        one_off_rows=[row for (row,) in q("SELECT source_row FROM lines WHERE recurrence = 'one_off' "
                                          f"ORDER BY source_row LIMIT {ONE_OFF_ROWS_SHOWN}")],
        outside_pesa={kind: Decimal(total) for kind, total in q(
            "SELECT spender_type, sum(counted_amount) FROM lines WHERE list_contains(?, spender_type) GROUP BY 1",
            [outside_types])},
        apportioned={method: Apportioned(n, Decimal(total), first) for method, n, total, first in q(
            "SELECT apportionment, count(*), sum(counted_amount), min(source_row) FROM lines "
            "WHERE apportionment <> 'actual' GROUP BY 1")},
        body_kinds=dict(kinds), spend_by_body=dict(by_body), duplicates=_duplicates(lines))


def _duplicates(lines: ColumnarLines) -> list[tuple[str | None, int, int]]:
    """Lines without a line_id repeating an earlier line's key. Keys are hashed first, so the exact
    comparison only runs over the few lines whose hash is shared (a 10M-line return has few or none)."""
    key = ", ".join(DUPLICATE_KEY)
    same = " AND ".join(f"l.{c} IS NOT DISTINCT FROM f.{c}" for c in DUPLICATE_KEY)
    rows = lines.query(f"""
        WITH shared AS (SELECT hash({key}) AS h FROM lines GROUP BY 1 HAVING count(*) > 1),
        candidates AS (SELECT * FROM lines SEMI JOIN shared ON hash({key}) = shared.h),
        firsts AS (SELECT {key}, min(source_row) AS first_row FROM candidates GROUP BY ALL)
        SELECT l.source_sheet, l.source_row, f.first_row
        FROM candidates l JOIN firsts f ON {same}
        WHERE l.source_row > f.first_row AND l.line_id IS NULL
        ORDER BY l.source_row""")
    return [(sheet, row, first) for sheet, row, first in rows]


def check_spender(lines: ColumnarLines, report: Report, only_spender: str) -> None:
    """A partner may only report its own body's money ('spender-not-yours' on each other line)."""
    for sheet, row, spender in lines.query("SELECT source_sheet, source_row, spender FROM lines WHERE spender <> ? "
                                           "ORDER BY source_row", [only_spender]):
        report.error("spender-not-yours", f"This line reports '{spender}', but you submit for "
                     f"'{only_spender}'; send only your own body's lines.", sheet=sheet, row=row, column="spender",
                     value=spender)


def slices_of(lines: ColumnarLines, submitter: str | None) -> dict[SliceKey, SliceTotals]:
    """checks.slices_of in SQL: each submission-to-be's lines per place and period."""
    rows = lines.query("SELECT coalesce(?, spender), place, period, count(*), sum(counted_amount), "
                       "list(DISTINCT basis) FROM lines GROUP BY ALL", [submitter])
    return {(who, place, period): SliceTotals(n, Decimal(total), max(BASIS_RANK.get(b, 1) for b in bases))
            for who, place, period, n, total, bases in rows}


def large_lines(lines: ColumnarLines, submitter: str | None, previous: dict[SliceKey, SliceTotals]
                ) -> list[LargeLine]:
    """checks.large_lines in SQL, in file order."""
    keys = [key for key, before in previous.items() if before.total > 0]
    if not keys:
        return []
    # Candidates in SQL (any line larger than the previous total), the rule itself in Python: the same
    # `exceeds` as the row path, so the margin's arithmetic cannot differ.
    rows = lines.query("""
        WITH before AS (SELECT unnest(?) AS submitter, unnest(?) AS place, unnest(?) AS period,
                               CAST(unnest(?) AS DECIMAL(18, 2)) AS total)
        SELECT l.source_sheet, l.source_row, l.counted_amount, b.submitter, l.place, l.period FROM lines l
        JOIN before b ON b.submitter = coalesce(?, l.spender) AND b.place = l.place AND b.period = l.period
        WHERE l.counted_amount > b.total ORDER BY l.source_row""",
                       [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys],
                        [str(previous[k].total) for k in keys], submitter])
    return [LargeLine(sheet, row, Decimal(counted), (who, place, period))
            for sheet, row, counted, who, place, period in rows
            if exceeds(Decimal(counted), previous[(who, place, period)])]
