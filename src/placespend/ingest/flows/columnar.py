"""Validating a flows CSV or Parquet return column by column in DuckDB, with the row path's exact messages.

Two tiers. Every distinct value of a column is read once through the row path's own cell reader
(`flows.cell_value`), giving a small mapping table (raw text -> readable?, normalised value); amounts and
shares in plain notation are read in SQL instead, since they have too many distinct values. A vectorised
query joins the mappings and flags every row that *might* be bad: a cell that is not readable, a broken
cross-cell rule (transfers, COFOG or service code), anything that could be a totals row or an Excel error, a
repeated line_id, an own column that SQL cannot write as JSON exactly. Only flagged rows go through
`flows.LineReader`, so errors are the row path's (slug, message, row, column) and so are the lines of
flagged rows that turn out valid. Unflagged rows are converted in SQL to the flows layout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from placespend.domain import classifications as cls
from placespend.domain import flow_columns as cols
from placespend.domain import vocabulary as v
from placespend.domain.ledger_lines import (
    LINE_COLUMNS,
    MONEY,
    ONE,
    SHARE,
    ColumnarExport,
    ExportedPart,
    FlowLine,
    lines_table,
)
from placespend.domain.memory_sizes import duckdb_bytes
from placespend.domain.problems import Report
from placespend.ingest import tabular
from placespend.ingest.flows.columnar_source import RawSource, open_source
from placespend.ingest.flows.rows import LineReader, _check_header, cell_value
from placespend.ingest.values import as_amount, as_period, as_share

COLUMNAR_SUFFIXES = frozenset({".csv", ".parquet"})
# What str.strip() strips: DuckDB's trim() is given the same characters so text is trimmed alike.
PY_WHITESPACE = "".join(map(chr, (*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                                  0x2028, 0x2029, 0x202F, 0x205F, 0x3000)))
NOT_SPACE = "[^" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"  # RE2: any non-blank character
# Plain amounts SQL reads itself: up to 11 digits (GBP 99,999,999,999.99) stay below plausibility.AMOUNT_CEILING,
# so a longer one is read by the row path's as_amount, which refuses what no public body spends.
FAST_AMOUNT = r"[0-9]{1,11}(\.[0-9]{1,2})?"
FAST_SHARE = r"0(\.[0-9]{1,8})?|1(\.0{1,8})?"
# Characters an own (x_) column may hold for SQL to write its JSON as json.dumps does.
JSON_PLAIN = r"[^ !#-\[\]-~]"
# Totals rows and Excel errors need 'total' or '#' somewhere in the row: only such rows are looked at.
SUSPICIOUS = "(?i)total|#"
IDS = ("spender", "recipient", "funder")
CHOICES = ("spender_type", "flow", "recipient_type", "funder_type", "capital_revenue", "basis", "recurrence",
           "apportionment", "ring_fenced", "statutory")
TEXTS = ("spender_name", "recipient_name", "funder_name", "service_scheme", "service_code", "funding_stream",
         "theme", "line_id", "notes")
DEFAULTS = {"capital_revenue": "revenue", "basis": "outturn", "recurrence": "recurring", "apportionment": "actual"}
FETCH = 10_000
BATCH_ROWS = 122_880  # Arrow batches handed to the workspace: one DuckDB row group each
TAIL_ROWS = 10_000  # where the last filled row is looked for first (`_last_filled_row`)
# How a checked column's cells become values: through a table of its distinct cells, or, when every cell reads
# as itself ("identity") or there is nothing to look up ("empty"), without joining every row to that table.
Mapping = Literal["table", "identity", "empty"]


@dataclass(frozen=True)
class ColumnarPart:
    """One spender's lines of a validated columnar return: one submission of a file of several bodies' returns
    (DESIGN.md §6). The file is exported once for all its parts (`ColumnarLines.export(by_spender=True)`)."""

    lines: ColumnarLines
    spender: str


@dataclass
class ColumnarLines:
    """A validated return's lines, in the flows layout, in view `lines` of a private DuckDB connection."""

    source: RawSource
    count: int
    total: Decimal

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.source.con.execute(sql, params or []).fetchall()

    def export(self, by_spender: bool = False) -> ColumnarExport:
        """The lines as a stream of Arrow batches, with their slices and bodies. `by_spender`: each spender's
        lines are a submission of their own, so they come sorted by spender (each submission's lines in few
        row groups) and the bodies are as one upsert per spender in turn would leave them."""
        order = "ORDER BY spender, source_row" if by_spender else ""

        def batches() -> pa.RecordBatchReader:
            return self.source.con.execute(f"SELECT * FROM lines {order}").to_arrow_reader(BATCH_ROWS)

        slices = self.source.con.execute("""
            SELECT spender, place, period, count(*) AS lines, sum(counted_amount) AS total FROM lines
            GROUP BY ALL ORDER BY ALL""").to_arrow_table()
        return ColumnarExport(batches, slices, self._bodies(by_spender), self.count, self.total,
                              held_memory=self._memory_limit(), release=self.source.con.close)

    def _memory_limit(self) -> int:
        """The validation database's memory limit in bytes: what the workspace gives up while the lines stream."""
        return duckdb_bytes(self.source.con.execute("SELECT current_setting('memory_limit')").fetchone()[0])

    def _bodies(self, by_spender: bool) -> pa.Table:
        """Each body's name and type where the return first mentions it (spender, then recipient, then funder).

        By spender: where each spender's lines first mention it, folded in spender order as the ledger's upsert
        does (a later name replaces an earlier one, the first type stays)."""
        part = "spender" if by_spender else "''"
        return self.source.con.execute(f"""
            WITH mention AS (
                SELECT {part} AS part, spender AS body, source_row * 3 AS o, spender_name AS name,
                       spender_type AS kind FROM lines
                UNION ALL SELECT {part}, recipient, source_row * 3 + 1, recipient_name, recipient_type FROM lines
                    WHERE recipient IS NOT NULL
                UNION ALL SELECT {part}, funder, source_row * 3 + 2, funder_name, funder_type FROM lines
                    WHERE funder IS NOT NULL),
            firsts AS (SELECT part, body, min({{'o': o, 'name': name, 'kind': kind}}) AS first FROM mention
                       GROUP BY ALL)
            SELECT body, arg_max(first.name, part) FILTER (WHERE first.name IS NOT NULL) AS name,
                   arg_min(first.kind, part) FILTER (WHERE first.kind IS NOT NULL) AS kind
            FROM firsts GROUP BY body ORDER BY body
        """).to_arrow_table()

    def close(self) -> None:
        self.source.close()


@dataclass
class ColumnarReturn:
    report: Report
    lines: ColumnarLines | None


def read_columnar_return(path: Path, known_places: set[str], display_name: str | None = None
                         ) -> ColumnarReturn | None:
    """Validate a CSV or Parquet return in DuckDB; None if only the row path reads this file exactly."""
    report = Report(display_name or path.name)
    source = open_source(path, report)
    if source is None:
        return ColumnarReturn(report, None) if not report.ok else None
    try:
        lines = _validate(source, known_places, report)
    except BaseException:
        source.close()
        raise
    if lines is None:
        source.close()
    return ColumnarReturn(report, lines)


def _validate(source: RawSource, known_places: set[str], report: Report) -> ColumnarLines | None:
    table = tabular.RawTable(source.sheet, source.header_row, source.header, [])
    if not _check_header(table, report):
        return None
    con = source.con
    # ps(cell) is the row reader's view of a text cell: stripped as str.strip() does, None if blank. Trimming
    # with a character list is slow in DuckDB, so it is only done when a cell starts or ends with whitespace.
    spaces = f"'{PY_WHITESPACE}'"
    con.execute(f"CREATE OR REPLACE MACRO ps(s) AS nullif(CASE WHEN contains({spaces}, left(s, 1)) OR "
                f"contains({spaces}, right(s, 1)) THEN trim(s, {spaces}) ELSE s END, '')")
    last = _last_filled_row(source)
    report.rows_read = (last - source.header_row) if last is not None else 0
    suspects: set[str] = set()
    mapped = _mappings(source, known_places, suspects)
    con.execute(_conv_sql(source, mapped, suspects))
    python_lines = _flagged_lines(source, table, known_places, report, last or 0)
    source.drop_raw()
    if not report.ok:
        return None
    con.register("python_lines", lines_table(python_lines))
    names = ", ".join(LINE_COLUMNS)
    con.execute(f"CREATE VIEW lines AS SELECT {names} FROM conv WHERE NOT bad "
                f"UNION ALL SELECT {names} FROM python_lines")
    count, total = con.execute("SELECT count(*), coalesce(sum(counted_amount), 0) FROM lines").fetchone()
    return ColumnarLines(source, count, Decimal(total))


def _last_filled_row(source: RawSource) -> int | None:
    """The number of the last row with a non-blank cell. Rows are numbered 2.. without gaps, so the answer is
    in the last TAIL_ROWS rows unless they are all blank (then the whole file is searched): a file rarely
    ends in more than a few blank rows, and testing every row meant joining and matching every cell."""
    filled = f"regexp_matches(concat_ws('', {', '.join(source.cells)}), '{NOT_SPACE}')"
    con = source.con
    tail = con.execute(f"SELECT max(n) FROM ({source.last_rows(TAIL_ROWS)}) WHERE {filled}").fetchone()[0]
    return tail if tail is not None else con.execute(f"SELECT max(n) FROM raw WHERE {filled}").fetchone()[0]


def _mappings(source: RawSource, known_places: set[str], suspects: set[str]) -> dict[str, Mapping]:
    """One table per checked column: each distinct cell, whether it reads, and its normalised value. The checked
    columns with a cell that could make a totals row or be an Excel error are added to `suspects`."""
    def place(cell: Any) -> tuple[bool, Any]:
        ok, text = cell_value("place", cell)
        if text and not (v.GSS_PATTERN.match(text.upper()) or v.normalise_id(text) in known_places):
            ok = False
        return ok, v.normalise_place(text or "")

    def period(cell: Any) -> tuple[bool, Any]:
        ok, text = cell_value("period", cell, as_period)
        return ok and not (text and not v.is_valid_period(text)), text

    def amount(cell: Any) -> tuple[bool, Any]:
        ok, value = cell_value("amount", cell, as_amount)
        ok = ok and value is not None and value >= 0
        return ok, value if ok else None

    def share(cell: Any) -> tuple[bool, Any]:
        ok, value = cell_value("place_share", cell, as_share, ONE)
        return ok, value if ok else None

    def body(name: str) -> Callable[[Any], tuple[bool, Any]]:
        def read(cell: Any) -> tuple[bool, Any]:
            ok, text = cell_value(name, cell)
            return ok, v.normalise_id(text) if text else None
        return read

    def choice(name: str) -> Callable[[Any], tuple[bool, Any]]:
        return lambda cell: cell_value(name, cell)

    def cofog(cell: Any) -> tuple[bool, Any]:
        ok, text = cell_value("cofog", cell)
        if not text:
            return ok, None  # blank: the service code decides
        code = cls.normalise_cofog(text)
        return ok and code is not None, code

    mapped = {"period": _map(source, "period", period, pa.string(), suspects),
              "place": _map(source, "place", place, pa.string(), suspects)}
    for name in IDS:
        mapped[name] = _map(source, name, body(name), pa.string(), suspects)
    for name in CHOICES:
        mapped[name] = _map(source, name, choice(name), pa.string(), suspects)
    mapped["cofog"] = _map(source, "cofog", cofog, pa.string(), suspects)
    # The plain amounts and shares left out of their tables are digits and a point: never suspect.
    mapped["amount"] = _map(source, "amount", amount, MONEY, suspects,
                            where=f"NOT regexp_full_match({source.cell('amount')}, '{FAST_AMOUNT}')")
    mapped["place_share"] = _map(source, "place_share", share, SHARE, suspects,
                                 where=f"NOT regexp_full_match({source.cell('place_share')}, '{FAST_SHARE}')")
    mapped["crosswalk"] = _map_crosswalk(source, mapped["cofog"])
    return mapped


def _map(source: RawSource, name: str, read: Callable[[Any], tuple[bool, Any]], kind: pa.DataType,
         suspects: set[str], where: str = "") -> Mapping:
    """The column's mapping table, registered unless the join is not needed: a join per checked column was
    most of the conversion's time, and in a clean return most columns hold only values already in canonical
    form (each distinct cell readable and read as exactly itself). The column joins `suspects` if one of
    its distinct cells matches SUSPICIOUS (the same test as the conversion's, on each distinct cell once)."""
    cell = source.cell(name)
    condition = f"WHERE {where} OR {cell} IS NULL" if where else ""
    rows = source.con.execute(f"SELECT c, coalesce(regexp_matches(c, '{SUSPICIOUS}'), false) "
                              f"FROM (SELECT DISTINCT {cell} AS c FROM raw r {condition})").fetchall()
    distinct = [row[0] for row in rows]
    if any(row[1] for row in rows):
        suspects.add(name)
    read_cells = [read(cell) for cell in distinct]
    table = pa.table({"raw": pa.array(distinct, pa.string()), "ok": pa.array([ok for ok, _ in read_cells], pa.bool_()),
                      "v": pa.array([value for _, value in read_cells], kind)})
    if not distinct:
        return "empty"
    if all(ok and value == cell for cell, (ok, value) in zip(distinct, read_cells, strict=True)):
        return "identity"
    source.con.register(f"m_{name}", table)
    return "table"


def _map_crosswalk(source: RawSource, cofog: Mapping) -> Mapping:
    """(service_scheme, service_code) pairs of lines without a COFOG code -> the COFOG code they map to."""
    scheme, code = source.cell("service_scheme"), source.cell("service_code")
    if cofog == "table":
        rows = f"raw r JOIN m_cofog mc ON mc.raw IS NOT DISTINCT FROM {source.cell('cofog')} WHERE mc.v IS NULL"
    else:  # every cell is its own code (blank is NULL), or there are no rows
        rows = f"raw r WHERE {source.cell('cofog')} IS NULL"
    pairs = source.con.execute(f"SELECT DISTINCT {scheme}, {code} FROM {rows}").fetchall()
    mapped: list[str | None] = []
    for scheme_cell, code_cell in pairs:
        _, scheme_text = cell_value("service_scheme", scheme_cell)
        _, code_text = cell_value("service_code", code_cell)
        mapped.append(cls.map_service_code(scheme_text, code_text) if scheme_text and code_text else None)
    if not pairs:
        return "empty"
    source.con.register("m_crosswalk", pa.table({
        "scheme": pa.array([p[0] for p in pairs], pa.string()), "code": pa.array([p[1] for p in pairs], pa.string()),
        "v": pa.array(mapped, pa.string())}))
    return "table"


def _conv_sql(source: RawSource, mapped: dict[str, Mapping], suspects: set[str]) -> str:
    """Every row converted to the flows layout, with `bad` set on rows the row reader must look at.

    A row is suspect (could be a totals row or hold an Excel error) if one of its cells matches SUSPICIOUS.
    The checked columns' distinct cells were tested already (`_map`): only the other columns, and checked
    ones with a suspect cell, are tested row by row (testing every cell of every row was most of the
    conversion's time)."""
    cell = source.cell
    m = {name: f"m_{name}.v" if kind == "table" else cell(name) if kind == "identity" else "NULL"
         for name, kind in mapped.items()}  # each checked column's value
    ok = {name: f"m_{name}.ok" if kind == "table" else "true" if kind == "identity" else "NULL"
          for name, kind in mapped.items()}
    joins = [f"LEFT JOIN m_{name} AS m_{name} ON m_{name}.raw IS NOT DISTINCT FROM {cell(name)}"
             for name in ("period", "place", *IDS, *CHOICES, "cofog", "amount", "place_share")
             if mapped[name] == "table"]
    if mapped["crosswalk"] == "table":
        joins.append(f"LEFT JOIN m_crosswalk AS m_crosswalk ON m_crosswalk.scheme IS NOT DISTINCT FROM "
                     f"{cell('service_scheme')} AND m_crosswalk.code IS NOT DISTINCT FROM {cell('service_code')}")
    line_id = cell("line_id")
    if line_id != "NULL::VARCHAR":
        joins.append(f"LEFT JOIN (SELECT ps({line_id}) AS k FROM raw r GROUP BY 1 HAVING count(*) > 1) AS dup "
                     f"ON dup.k = ps({line_id})")
    amount_fast = f"regexp_full_match({cell('amount')}, '{FAST_AMOUNT}')"
    share_fast = f"regexp_full_match({cell('place_share')}, '{FAST_SHARE}')"
    amount = f"coalesce(r.amount_value, {m['amount']})"
    # counted_amount: the amount itself where the share is 1 (most lines), which is what the product rounds to;
    # the 38-digit product and its rounding were most of the conversion's time.
    share = f"coalesce(r.share_value, {m['place_share']})"
    checked = {cell(name).removeprefix("r.") for name in mapped if name != "crosswalk" and name not in suspects}
    tested = [f"r.{c}" for c in source.cells if c not in checked]
    suspicious = (f"coalesce(regexp_matches(concat_ws(chr(1), {', '.join(tested)}), '{SUSPICIOUS}'), false)"
                  if tested else "false")
    first = f"""
        SELECT *, {amount_fast} AS amount_fast, {share_fast} AS share_fast,
               CASE WHEN amount_fast THEN TRY_CAST({cell('amount')} AS DECIMAL(18, 2)) END AS amount_value,
               CASE WHEN share_fast THEN TRY_CAST({cell('place_share')} AS DECIMAL(9, 8)) END AS share_value,
               {suspicious} AS suspicious
        FROM raw r"""
    readable = " AND ".join(ok[name] for name in ("period", "place", *IDS, *CHOICES, "cofog"))
    extras = [(name, i) for i, name in enumerate(source.header) if name.startswith(cols.EXTRA_PREFIX)
              and source.header.index(name) == i]
    extras.sort(key=lambda item: -item[1])  # a row's own columns in the order the row reader lists them
    odd_extra = " OR ".join(f"coalesce(regexp_matches(ps(r.c{i}), '{JSON_PLAIN}'), false)" for _, i in extras)
    good = f"""
        {readable} AND (r.amount_fast OR coalesce({ok['amount']}, false))
        AND (r.share_fast OR coalesce({ok['place_share']}, false))
        AND ({m['cofog']} IS NOT NULL OR {m['crosswalk']} IS NOT NULL)
        AND ({m['flow']} = 'spend' OR ({m['recipient']} IS NOT NULL AND {m['recipient_type']} IS NOT NULL
                                    AND {m['recipient']} <> {m['spender']}))
        AND NOT r.suspicious {'AND dup.k IS NULL' if line_id != 'NULL::VARCHAR' else ''}
        {f'AND NOT ({odd_extra})' if extras else ''}"""
    extra = "NULL::VARCHAR"
    if extras:
        parts = ", ".join(f"CASE WHEN ps(r.c{i}) IS NOT NULL THEN {_sql_text(json.dumps(name) + ': ')} || '\"' || "
                          f"ps(r.c{i}) || '\"' END" for name, i in extras)
        extra = f"nullif('{{' || concat_ws(', ', {parts}) || '}}', '{{}}')"
    cofog = f"coalesce({m['cofog']}, {m['crosswalk']})"
    proxy = ", ".join(f"'{a}'" for a in sorted(v.PROXY_APPORTIONMENTS))
    estimate = ", ".join(f"'{a}'" for a in sorted(v.ESTIMATE_APPORTIONMENTS))
    apportionment = f"coalesce({m['apportionment']}, 'actual')"
    basis = f"coalesce({m['basis']}, 'outturn')"
    flags = {name: f"CASE {m[name]} WHEN 'yes' THEN true WHEN 'no' THEN false END"
             for name in ("ring_fenced", "statutory")}
    texts = {name: f"ps({cell(name)})" for name in TEXTS}
    return f"""
        CREATE TABLE conv AS
        SELECT NOT coalesce({good}, false) AS bad, {_sql_text(source.sheet)}::VARCHAR AS source_sheet,
               r.n AS source_row, {m['period']} AS period, {m['place']} AS place, {m['spender']} AS spender,
               {m['spender_type']} AS spender_type, {m['flow']} AS flow, {amount} AS amount, {share} AS place_share,
               CASE WHEN {share} = 1 THEN {amount}
                    ELSE round(CAST({amount} AS DECIMAL(28, 2)) * CAST({share} AS DECIMAL(10, 8)), 2)::DECIMAL(18, 2)
               END AS counted_amount,
               {cofog} AS cofog, left({cofog}, 2) AS cofog_division,
               CASE WHEN {m['cofog']} IS NOT NULL THEN 'reported' ELSE 'crosswalk' END AS cofog_source,
               {m['recipient']} AS recipient, {m['recipient_type']} AS recipient_type, {m['funder']} AS funder,
               {m['funder_type']} AS funder_type, {texts['spender_name']} AS spender_name,
               {texts['recipient_name']} AS recipient_name, {texts['funder_name']} AS funder_name,
               {texts['service_scheme']} AS service_scheme, {texts['service_code']} AS service_code,
               coalesce({m['capital_revenue']}, 'revenue') AS capital_revenue, {basis} AS basis,
               coalesce({m['recurrence']}, 'recurring') AS recurrence, {apportionment} AS apportionment,
               CASE WHEN {apportionment} IN ({proxy}) THEN '{v.METHOD_PROXIED}'
                    WHEN {apportionment} IN ({estimate}) OR {basis} = 'estimate' THEN '{v.METHOD_ESTIMATED}'
                    ELSE '{v.METHOD_REPORTED}' END AS method,
               {flags['ring_fenced']} AS ring_fenced, {flags['statutory']} AS statutory,
               {texts['funding_stream']} AS funding_stream, {texts['theme']} AS theme, {texts['line_id']} AS line_id,
               {texts['notes']} AS notes, {extra} AS extra
        FROM ({first}) r {' '.join(joins)}
    """


def _flagged_lines(source: RawSource, table: tabular.RawTable, known_places: set[str], report: Report,
                   last: int) -> list[FlowLine]:
    """The flagged rows through the row reader, in file order: their errors, and the lines of valid ones."""
    reader = LineReader(table, known_places, report)
    lines = []
    for number, cells in _rows(source, f"SELECT r.* FROM raw r SEMI JOIN (SELECT source_row FROM conv WHERE bad) b "
                                       f"ON b.source_row = r.n WHERE r.n <= {int(last)} ORDER BY r.n"):
        line = reader.read(number, cells)
        if line is not None:
            lines.append(line)
    return lines


def _rows(source: RawSource, sql: str) -> Iterator[tuple[int, list[Any]]]:
    cursor = source.con.execute(sql)
    while batch := cursor.fetchmany(FETCH):
        for number, *cells in batch:
            yield number, cells


def _sql_text(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def exported(lines: list[list[FlowLine] | ColumnarLines | ColumnarPart]) -> list[list[FlowLine] | ColumnarExport
                                                                                  | ExportedPart]:
    """Each validated columnar return made ready for the workspace to load (once for all the parts of a file of
    several bodies' returns, sorted by spender). Its validation database stays open until the caller closes
    it, after the load. Row-path lines pass through."""
    exports: dict[int, ColumnarExport] = {}
    out: list[list[FlowLine] | ColumnarExport | ExportedPart] = []
    for item in lines:
        if isinstance(item, ColumnarPart):
            if id(item.lines) not in exports:
                exports[id(item.lines)] = item.lines.export(by_spender=True)
            out.append(ExportedPart(exports[id(item.lines)], item.spender))
        elif isinstance(item, ColumnarLines):
            out.append(item.export())
        else:
            out.append(item)
    return out


def is_columnar(path: Path) -> bool:
    return path.suffix.lower() in COLUMNAR_SUFFIXES
