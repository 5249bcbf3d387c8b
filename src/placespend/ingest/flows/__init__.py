"""Validating a partner's flows return (DESIGN.md §3) into ledger lines, by one of two paths that say the same.

- The row path (`rows`): every row through the cell readers, one by one. It reads every file placespend takes
  (the .xlsx template, any CSV) and is exact by definition: its messages are the reference.
- The columnar path (`columnar`, `columnar_source`, `columnar_checks`): a CSV or Parquet file loaded into
  DuckDB and validated column by column, with the row path's own cell reader applied once per distinct value
  and only flagged rows read one by one; the whole-return checks as SQL aggregates. It exists for speed at
  millions of lines, and falls back to the row path on the few layouts DuckDB reads differently.

`checks` writes the whole-return warnings once, from aggregates either path gathers, so the two cannot drift.
The app layer (`app/ingest_files.py`) chooses the path.
"""
