"""Loading a flows CSV or Parquet file into DuckDB as text columns, keeping the row numbers users see.

The columnar path must read a CSV exactly as `tabular` (Python's csv module) does, or its messages would
point at other rows. DuckDB's reader differs on a few rare layouts (it skips empty lines, strips spaces before
an opening quote, cannot number rows across a preamble); `open_source` recognises them cheaply and returns
None, and the caller then uses the row path, which is exact by definition. Files that DuckDB cannot parse at
all (bad UTF-8, ragged rows) take the same way, so their report is the row path's report.
"""

from __future__ import annotations

import csv
import itertools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from placespend.domain import flow_columns as cols
from placespend.domain.problems import Report
from placespend.ingest import tabular

CHUNK = 16 << 20
CSV_FIELD_LIMIT = csv.field_size_limit()  # Python's csv refuses longer fields: such files take the row path
# Empty lines (DuckDB skips them, Python's csv yields a blank row) in any line-ending convention.
EMPTY_LINES = (b"\n\n", b"\r\r", b"\n\r\n")
MEMORY_LIMIT = os.environ.get("PLACESPEND_INGEST_MEMORY", "1GB")
DATABASE = "return.duckdb"
# Up to this many lines the return is validated in an in-memory DuckDB (spilling to the temporary folder past
# MEMORY_LIMIT): writing a compressed database file cost as much as parsing the file, once per table. Larger
# returns use a database file, whose compression keeps 100M lines within a few GB of temporary disk.
IN_MEMORY_LINES = int(os.environ.get("PLACESPEND_INGEST_IN_MEMORY_LINES", "20000000"))
CSV_LINE_BYTES = 100  # a flows CSV line is ~130 bytes: lines are estimated from the file's size on the safe side


@dataclass
class RawSource:
    """A file's data rows in DuckDB view `raw` (n = row number as users see it, c0..ck = cells as text), over
    table `raw_cells` (`drop_raw` drops both)."""

    con: duckdb.DuckDBPyConnection
    header: list[str]
    header_row: int
    sheet: str | None
    folder: tempfile.TemporaryDirectory[str]
    in_memory: bool = False

    def cell(self, name: str) -> str:
        """SQL for a column's cells (the first column of that name), NULL everywhere if the file lacks it."""
        index = {h: i for i, h in reversed(list(enumerate(self.header))) if h}
        return f"r.c{index[name]}" if name in index else "NULL::VARCHAR"

    @property
    def cells(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.header))]

    def last_rows(self, count: int) -> str:
        """SQL for the last `count` rows of `raw` (n and the cells). `raw_cells` keeps the file's order, so they
        are its last rows by position: selected by rowid, which DuckDB skips to, where a filter on n (computed
        from rowid for a CSV) read every row."""
        n = "" if "n" in self._columns() else "(rowid + 2)::INTEGER AS n, "
        return (f"SELECT {n}* FROM raw_cells WHERE rowid >= (SELECT count(*) FROM raw_cells) - {int(count)}")

    def _columns(self) -> set[str]:
        return {row[0] for row in self.con.execute("DESCRIBE raw_cells").fetchall()}

    def drop_raw(self) -> None:
        self.con.execute("DROP VIEW raw")
        self.con.execute("DROP TABLE raw_cells")

    def close(self) -> None:
        self.con.close()
        self.folder.cleanup()


def connect(lines: int) -> tuple[duckdb.DuckDBPyConnection, tempfile.TemporaryDirectory[str], bool]:
    """A private DuckDB in a temporary folder, in bounded memory; whether it is in memory.

    In memory up to IN_MEMORY_LINES lines (the fast way). Beyond, a database file: an in-memory database
    spills uncompressed blocks, so 100M lines of text needed over 40 GB of temporary disk; stored tables are
    compressed (dictionary, FSST) to a few."""
    folder = tempfile.TemporaryDirectory(prefix="placespend-ingest-")
    in_memory = lines <= IN_MEMORY_LINES
    con = duckdb.connect(":memory:" if in_memory else str(Path(folder.name) / DATABASE),
                         config={"memory_limit": MEMORY_LIMIT, "temp_directory": folder.name,
                                 "preserve_insertion_order": True})
    return con, folder, in_memory


def open_source(path: Path, report: Report) -> RawSource | None:
    """The file in DuckDB, or None when only the row path reads it exactly (errors then come from there)."""
    if path.suffix.lower() == ".parquet":
        return _open_parquet(path, report)
    header = _csv_header(path)
    if header is None or not _csv_is_plain(path):
        return None
    con, folder, in_memory = connect(path.stat().st_size // CSV_LINE_BYTES)
    source = RawSource(con, header, 1, None, folder, in_memory)
    for parallel in (True, False):
        try:
            _load_csv(con, path, len(header), parallel)
            break
        except duckdb.Error as exc:
            if parallel and "quoted new lines" in str(exc):
                continue  # DuckDB's parallel reader cannot pad short rows around quoted newlines
            source.close()
            return None
    if _longest_cell(con, source.cells) > CSV_FIELD_LIMIT:
        source.close()
        return None
    return source


def _longest_cell(con: duckdb.DuckDBPyConnection, cells: list[str]) -> int:
    """The longest cell in characters, as Python's csv counts them. Bytes first: DuckDB stores each string's
    size, so that scan is nearly free, while counting characters decodes every cell; a cell has at least as
    many bytes as characters, so only a file with a cell of more bytes than the limit is counted again."""
    longest = 0
    for size in ("strlen", "length"):
        longest = con.execute(f"SELECT max(greatest({', '.join(f'{size}({c})' for c in cells)})) "
                              "FROM raw").fetchone()[0] or 0
        if longest <= CSV_FIELD_LIMIT:
            break
    return longest


def _csv_header(path: Path) -> list[str] | None:
    """The column names if they are the file's first line, as `tabular.locate_header` would find them."""
    with path.open("rb") as handle:
        start = handle.read(4096)
    if not start.strip() or start[:2] == b"PK" or start[:8] == bytes.fromhex("d0cf11e0a1b11ae1") or b"\x00" in start:
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(enumerate(itertools.islice(csv.reader(handle), tabular.HEADER_SEARCH_ROWS), start=1))
    except (UnicodeDecodeError, csv.Error):
        return None
    probe = Report(path.name)
    table = tabular.locate_header(rows, set(cols.BY_NAME), probe, None)
    if table is None or not probe.ok or table.header_row != 1:
        return None
    if any(not name or "\n" in name or "\r" in name for name in table.header):
        return None  # unnamed columns and multi-line names: rare, and the row path reports them exactly
    return table.header


def _csv_is_plain(path: Path) -> bool:
    """No empty line before the end of the data and no quote after leading spaces in a field.

    DuckDB drops empty lines (so later row numbers would shift) and reads ` "x"` as `x` where Python's csv
    keeps the spaces and quotes. Both are rare; such files take the row path.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 4096))
        tail = handle.read()
        last_content = max(0, size - 4096) + len(tail.rstrip())
        handle.seek(0)
        offset, carry = 0, b""
        while chunk := handle.read(CHUNK):
            data = carry + chunk
            base = offset - len(carry)
            # Each search is a pass over the chunk; one for a single byte is much faster (memchr), so the
            # patterns with a carriage return or a quote are looked for only where there is one.
            returns = b"\r" in data
            for pattern in EMPTY_LINES:
                found = data.find(pattern) if returns or b"\r" not in pattern else -1
                if found != -1 and base + found + len(pattern) < last_content:
                    return False
            if b'"' in data and _quote_after_spaces(data, base == 0):
                return False
            offset += len(chunk)
            carry = data[-64:]
    return True


def _quote_after_spaces(data: bytes, at_start: bool) -> bool:
    found = data.find(b' "')
    while found != -1:
        before = found
        while before > 0 and data[before - 1] == 0x20:
            before -= 1
        if (before == 0 and at_start) or (before > 0 and data[before - 1] in b",\r\n"):
            return True
        found = data.find(b' "', found + 2)
    return False


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, width: int, parallel: bool) -> None:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    con.execute("DROP VIEW IF EXISTS raw")
    con.execute("DROP TABLE IF EXISTS raw_cells")
    con.execute(f"""
        CREATE TABLE raw_cells AS
        SELECT *
        FROM read_csv({_literal(path)}, columns = {columns}, header = false, skip = 1, delim = ',', quote = '"',
                      escape = '"', auto_detect = false, null_padding = true, strict_mode = true,
                      encoding = 'utf-8', parallel = {str(parallel).lower()})
    """)
    # The table keeps the file's order (preserve_insertion_order), so a row's position is its record number.
    # Numbering rows with row_number() OVER () instead made DuckDB read the whole file on one thread.
    con.execute("CREATE VIEW raw AS SELECT (rowid + 2)::INTEGER AS n, * FROM raw_cells")


def _open_parquet(path: Path, report: Report) -> RawSource | None:
    """A Parquet return: its schema is the header (row 1), typed columns are read as their text."""
    try:
        with duckdb.connect() as probe:
            schema = probe.execute(f"DESCRIBE SELECT * FROM read_parquet({_literal(path)})").fetchall()
            lines = probe.execute(f"SELECT count(*) FROM read_parquet({_literal(path)})").fetchone()[0]
    except duckdb.Error as exc:
        report.error("file-not-parquet", f"This file cannot be read as Parquet ({str(exc).splitlines()[0]}).")
        return None
    con, folder, in_memory = connect(lines)
    names = [row[0] for row in schema if row[0] != "file_row_number"]
    rows = [(1, names)]
    table = tabular.locate_header(rows, set(cols.BY_NAME), report, None)
    if table is None:
        con.close()
        folder.cleanup()
        return None
    texts = ", ".join(f"CAST({_ident(name)} AS VARCHAR) AS c{i}" for i, name in enumerate(names))
    con.execute(f"""
        CREATE TABLE raw_cells AS
        SELECT (file_row_number + 2)::INTEGER AS n, {texts}
        FROM read_parquet({_literal(path)}, file_row_number = true)
    """)
    con.execute("CREATE VIEW raw AS SELECT * FROM raw_cells")
    return RawSource(con, table.header, 1, None, folder, in_memory)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
