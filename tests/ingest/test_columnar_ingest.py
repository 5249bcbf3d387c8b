"""The columnar ingest (CSV and Parquet through DuckDB) gives what the row path gives: same report, same lines.

Every test runs both paths on the same real file: `columnar=False` forces the row path, the reference.
"""

from __future__ import annotations

import csv
import dataclasses
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_malformed_inputs import CASES

from placespend.app import ingest_files
from placespend.app.demo import partnership, published
from placespend.app.workspace import open_workspace
from placespend.domain.ledger_lines import lines_table
from placespend.engine.workspace import Workspace
from placespend.ingest.flows import checks, columnar_checks, columnar_source
from placespend.ingest.flows.columnar import TAIL_ROWS, read_columnar_return

from conftest import line, snapshot, write_csv

COLUMNS = ["period", "place", "spender", "spender_type", "flow", "amount", "cofog", "recipient", "recipient_type",
           "funder", "funder_type", "spender_name", "service_scheme", "service_code", "capital_revenue", "basis",
           "recurrence", "place_share", "apportionment", "ring_fenced", "line_id", "notes", "x_ref", "x_team"]


def problems(result: ingest_files.IngestResult) -> list[dict[str, Any]]:
    return [dataclasses.asdict(p) for p in result.report.problems]


def line_rows(result: ingest_files.IngestResult) -> list[dict[str, Any]]:
    """The validated lines in the flows layout, whichever path produced them."""
    if result.batch is not None:
        table = result.batch.source.con.execute("SELECT * FROM lines ORDER BY source_row").to_arrow_table()
    else:
        table = lines_table(result.lines)
    return table.to_pylist()


def validate_both(path: Path, ws: Workspace | None = None, **kwargs: Any
                  ) -> tuple[ingest_files.IngestResult, ingest_files.IngestResult]:
    ws = ws or open_workspace(path.parent / "absent.duckdb")
    row = ingest_files.validate_return(ws, path, columnar=False, **kwargs)
    col = ingest_files.validate_return(ws, path, **kwargs)
    return row, col


def assert_same(row: ingest_files.IngestResult, col: ingest_files.IngestResult) -> None:
    assert problems(col) == problems(row)
    assert (col.outcome, col.submitters, col.line_count, col.total, col.report.rows_read) == \
        (row.outcome, row.submitters, row.line_count, row.total, row.report.rows_read)
    assert [(p.submitter, p.slices) for p in col.parts] == [(p.submitter, p.slices) for p in row.parts]
    assert line_rows(col) == line_rows(row)


def ledger(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table ingest writes, ordered, without the load time."""
    if not db.exists():
        return {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "flows": con.execute("SELECT * FROM flows ORDER BY submission_id, source_row").fetchall(),
            "submissions": con.execute("SELECT * EXCLUDE (loaded_at) FROM submissions ORDER BY 1").fetchall(),
            "slices": con.execute("SELECT * FROM submission_slices ORDER BY ALL").fetchall(),
            "bodies": con.execute("SELECT * FROM bodies ORDER BY body").fetchall(),
        }
    finally:
        con.close()


def ingest_both(tmp_path: Path, batches: list[list[Path]], before: list[Path] = (), **kwargs: Any
                ) -> tuple[list[list[ingest_files.IngestResult]], list[list[ingest_files.IngestResult]]]:
    """The same sequence of ingests into two fresh workspaces, one per path; their ledgers must be equal."""
    outcomes = {}
    for columnar in (False, True):
        ws = open_workspace(tmp_path / f"columnar-{columnar}" / "ws.duckdb")
        ingest_files.import_places(ws, places_file(tmp_path))
        for path in before:
            ingest_files.ingest_returns(ws, [path], submitter="count-team", columnar=False)
        outcomes[columnar] = [ingest_files.ingest_returns(ws, paths, columnar=columnar, **kwargs) for paths in batches]
    assert ledger(tmp_path / "columnar-True" / "ws.duckdb") == ledger(tmp_path / "columnar-False" / "ws.duckdb")
    for rows, cols in zip(outcomes[False], outcomes[True], strict=True):
        for row, col in zip(rows, cols, strict=True):
            assert (problems(col), col.outcome, col.line_count, col.total, col.submission_id) == \
                (problems(row), row.outcome, row.line_count, row.total, row.submission_id)
    return outcomes[False], outcomes[True]


def goes_columnar(path: Path) -> bool:
    """Whether the columnar path reads this file itself (rather than leaving it to the row path)."""
    parsed = read_columnar_return(path, set())
    if parsed is not None and parsed.lines is not None:
        parsed.lines.close()
    return parsed is not None


def places_file(folder: Path) -> Path:
    path = folder / "places.csv"
    write_csv(path, [{"place": "lewisham-pilot", "name": "Lewisham pilot", "area": "E09000023"}])
    return path


def test_demo_returns_load_the_same_on_both_paths(tmp_path):
    files = partnership.write_partnership_csvs(tmp_path / "returns")
    assert files and all(goes_columnar(p) for p in files)
    _, cols = ingest_both(tmp_path, [files])
    assert all(r.outcome == "loaded" for r in cols[0])
    assert sum(r.line_count for r in cols[0]) > 50


def test_demo_returns_again_supersede_the_same_way(tmp_path):
    first = partnership.write_partnership_csvs(tmp_path / "a", seed=1)
    second = partnership.write_partnership_csvs(tmp_path / "b", seed=2)
    ingest_both(tmp_path, [first, second])


def test_pilot_places_file_is_read_by_both(tmp_path):
    """The demo's places file is a flows-unrelated CSV: both paths must reject it with the same report."""
    from importlib import resources

    source = resources.files(published.DATA_PACKAGE).joinpath(published.PLACES_FILE)
    path = tmp_path / "pilot_places.csv"
    path.write_bytes(source.read_bytes())
    assert_same(*validate_both(path))


@pytest.mark.parametrize("case", [name for name in CASES])
def test_malformed_inputs_report_the_same(case, tmp_path):
    make, *_ = CASES[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    path = make(folder)
    good = write_csv(tmp_path / "good.csv", [line(amount="99.00", spender="pct", spender_type="nhs", cofog="07",
                                                  capital_revenue="capital")])
    _, cols = ingest_both(tmp_path, [[path]], before=[good])
    assert cols[0][0].outcome == "rejected"


def test_malformed_csvs_go_columnar_where_duckdb_reads_them_as_python_does(tmp_path):
    """Value errors are found by the columnar path itself, not by falling back to the row path."""
    for case in ("amount not a number", "negative amount", "unknown COFOG", "totals row", "duplicated line id",
                 "blank row between lines", "transfer to itself", "unknown service code", "missing column"):
        folder = tmp_path / case.replace(" ", "-")
        folder.mkdir()
        assert goes_columnar(CASES[case][0](folder)), case


def test_a_rejected_columnar_file_changes_nothing(tmp_path):
    ws = open_workspace(tmp_path / "ws" / "ws.duckdb")
    ingest_files.ingest_returns(ws, [write_csv(tmp_path / "good.csv", [line(capital_revenue="capital")])])
    before = snapshot(tmp_path / "ws")
    bad = write_csv(tmp_path / "bad.csv", [line(), line(amount="1.234")])
    good = write_csv(tmp_path / "fine.csv", [line(amount="5.00", line_id="z")])
    results = ingest_files.ingest_returns(ws, [good, bad])
    assert [r.outcome for r in results] == ["rejected", "rejected"]
    assert snapshot(tmp_path / "ws") == before


def test_warnings_and_context_are_the_same(tmp_path):
    """Warnings that depend on the workspace (body types, peers) and on the whole return."""
    earlier = write_csv(tmp_path / "earlier.csv", [
        line(spender="vcs1", spender_type="third_sector", cofog="10.4", capital_revenue="capital"),
        line(spender="pct", spender_type="nhs", cofog="07", amount="5000.00")])
    rows = [
        line(period="2009-10", basis="budget", recurrence="one_off", amount="12.50"),
        line(apportionment="population_proxy", place_share="0.25"),
        line(apportionment="body_estimate", place_share="0.5", amount="3.33"),
        line(spender="pct", spender_type="police", cofog="10.2"),
        line(spender="big-lottery", spender_type="lottery", cofog="08"),
        line(flow="transfer", recipient="vcs1", recipient_type="nhs"),
        line(funder="dwp", funder_type="central_government"),
        line(), line(), line(line_id="own"),
        *[line(recurrence="one_off", amount=f"{n}.00") for n in range(1, 13)],
    ]
    path = write_csv(tmp_path / "r.csv", rows)
    results = ingest_both(tmp_path, [[path]], before=[earlier], submitter="lbl")
    slugs = {p["slug"] for p in problems(results[1][0][0])}
    assert {"mixed-periods", "budget-with-outturn", "one-off-lines", "place-share-estimated", "outside-pesa-scope",
            "body-type-inconsistent", "duplicate-line", "no-capital-lines", "cofog-far-from-peers"} <= slugs


def test_vectorised_facts_equal_the_row_facts(tmp_path):
    """checks.facts_of (FlowLines) and columnar_checks.facts_of (SQL) agree on a mixed return."""
    path = write_csv(tmp_path / "r.csv", [line(), line(amount="7.77", apportionment="indicator", place_share="0.1"),
                                          line(flow="transfer", recipient="x", recipient_type="nhs"),
                                          line(spender_type="parish", cofog="01"), line()])
    row, col = validate_both(path, submitter="lbl")
    assert columnar_checks.facts_of(col.batch) == checks.facts_of(row.lines)


def test_only_spender_works_on_the_columnar_path(tmp_path):
    path = write_csv(tmp_path / "r.csv", [line(), line(spender="PCT", spender_type="nhs", cofog="07"), line()])
    row, col = validate_both(path, submitter="lbl", only_spender="lbl")
    assert_same(row, col)
    assert [p["row"] for p in problems(col) if p["slug"] == "spender-not-yours"] == [3]
    assert col.outcome == "rejected"
    row, col = validate_both(path, submitter="pct", only_spender="pct")
    assert [p["row"] for p in problems(col) if p["slug"] == "spender-not-yours"] == [2, 4]


def test_odd_csv_layouts_fall_back_and_still_agree(tmp_path):
    """Layouts DuckDB reads differently from Python's csv take the row path, with the same result."""
    head = ",".join(["period", "place", "spender", "spender_type", "flow", "amount", "cofog", "notes"])
    good = "2008-09,E09000023,lbl,local_authority,spend,10.00,10.2"
    texts = {
        "empty line": f"{head}\n{good},a\n\n{good},b\n",
        "space before quote": f'{head}\n{good}, "quoted"\n',
        "quoted newline": f'{head}\n{good},"two\nlines"\n{good},x\n',
        "short row": f"{head}\n{good}\n2008-09,E09000023\n",
        "trailing empty lines": f"{head}\n{good},a\n\n\n",
        "crlf": f"{head}\r\n{good},a\r\n{good},b\r\n",
        "bom": f"\ufeff{head}\n{good},a\n",
        "blank header cell": f"{head},\n{good},a,\n",
        "trailing comma": f"{head}\n{good},a,\n",
        "whitespace rows at end": f"{head}\n{good},a\n  ,\n , \n",
        "unicode spaces": f"{head}\n2008-09,\u00a0E09000023\u2003,lbl\u00a0,local_authority,spend,10.00,10.2,\u3000\n",
    }
    for name, text in texts.items():
        path = tmp_path / f"{name.replace(' ', '-')}.csv"
        path.write_bytes(text.encode())
        assert_same(*validate_both(path, submitter="lbl"))


# ---- random returns: every kind of cell, good and bad, mixed in one file ----

GOOD_CELLS: dict[str, list[str]] = {
    "period": ["2008-09", "2009-10", " 2008-09 "],
    "place": ["E09000023", "e09000023", "lewisham-pilot", " Lewisham-Pilot "],
    "spender": ["lbl", "LBL ", "Lewisham  PCT", "stra\u00dfe"],
    "spender_type": ["local_authority", "Local Authority", "nhs", "lottery", "third-sector"],
    "flow": ["spend", "Spend"],
    "amount": ["1000.00", "12.5", "0", "\u00a31,234.56", "12.3400001", " 7 ", "1e3", "5.", "0.005000000",
               "123456789012.34"],
    "cofog": ["10.2", "7.3", "07", "7.0", "10.9", ""],
    "recipient": ["", "vcs1"],
    "recipient_type": ["", "third_sector"],
    "funder": ["", "dwp", "DWP "],
    "funder_type": ["", "central_government"],
    "spender_name": ["", "Lewisham", "caf\u00e9"],
    "service_scheme": ["RA", "ra"],
    "service_code": ["110", "110.0"],
    "capital_revenue": ["", "capital", "revenue", "Capital"],
    "basis": ["", "outturn", "budget", "estimate"],
    "recurrence": ["", "one_off", "one-off", "recurring"],
    "place_share": ["", "1", "0.5", "0.33333333", "50%", ".25", "0.123456789", "1.000000000"],
    "apportionment": ["", "actual", "population_proxy", "body_estimate"],
    "ring_fenced": ["", "yes", "no", "Yes"],
    "line_id": ["", "", "a", "b", "c", "a "],
    "notes": ["", "fine", "  spaced  ", "tab\there", "na\u00efve"],
    "x_ref": ["", "r1", 'say "hi"', "na\u00efve", "back\\slash"],
    "x_team": ["", "t1"],
}
BAD_CELLS: dict[str, list[str]] = {
    "period": ["2008/09", "2008-10", "", "#REF!", "Total"],
    "place": ["nowhere", ""],
    "spender": [""],
    "spender_type": ["council", ""],
    "flow": ["grant", "", "transfer"],
    "amount": ["(5.00)", "-5", "12.345", "ten", "", "99999999999999999", "999999999999999999", "500000000000.01",
               "1e30"],
    "cofog": ["11.1", "Total spend", "x"],
    "recipient": ["lbl"],
    "recipient_type": ["bogus"],
    "service_code": ["no-such-line"],
    "capital_revenue": ["both"],
    "place_share": ["1.5", "x", "-0.1"],
    "apportionment": ["guess"],
    "ring_fenced": ["maybe"],
    "notes": ["Total Fitness", "#N/A", "Sub-total"],
    "x_ref": ["#DIV/0!"],
}


@st.composite
def returns(draw: st.DrawFn) -> list[dict[str, str]]:
    rows = []
    for _ in range(draw(st.integers(1, 10))):
        row = {name: draw(st.sampled_from(values)) for name, values in GOOD_CELLS.items()}
        if draw(st.integers(0, 4)) == 0:
            name = draw(st.sampled_from(sorted(BAD_CELLS)))
            row[name] = draw(st.sampled_from(BAD_CELLS[name]))
        if draw(st.integers(0, 12)) == 0:
            row = {name: "" for name in row}
        rows.append(row)
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=returns(), submitter=st.sampled_from([None, "lbl"]))
def test_random_returns_give_the_same_report_and_lines(rows, submitter):
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(Path(folder) / "r.csv", rows, columns=COLUMNS)
        assert goes_columnar(path)
        ws = open_workspace(Path(folder) / "ws.duckdb")
        ingest_files.import_places(ws, places_file(Path(folder)))
        row, col = validate_both(path, ws, submitter=submitter)
        try:
            assert_same(row, col)
        finally:
            col.discard()


# ---- Where the return is validated ----

def test_a_return_beyond_the_in_memory_size_is_validated_on_disk_alike(tmp_path, monkeypatch):
    """Small returns are validated in memory, large ones in a database file: same report, lines and ledger, and
    errors still name the row and column."""
    good = write_csv(tmp_path / "good.csv", [line(), line(amount="12.5", flow="Spend", capital_revenue="capital"),
                                             line(flow="transfer", recipient="vcs1", recipient_type="third_sector")])
    bad_cases = ("amount not a number", "totals row", "duplicated line id", "transfer to itself")
    ledgers = {}
    for in_memory in (True, False):
        monkeypatch.setattr(columnar_source, "IN_MEMORY_LINES", 10**9 if in_memory else 0)
        row, col = validate_both(good)
        assert col.batch is not None and col.batch.source.in_memory is in_memory
        assert_same(row, col)
        col.discard()
        for case in bad_cases:
            folder = tmp_path / f"{in_memory}-{case.replace(' ', '-')}"
            folder.mkdir()
            row, col = validate_both(CASES[case][0](folder))
            assert col.outcome == "rejected" and problems(col) == problems(row), case
            assert all(p.row is not None for p in col.report.errors), case
        ws = open_workspace(tmp_path / f"ws-{in_memory}" / "ws.duckdb")
        [result] = ingest_files.ingest_returns(ws, [good])
        assert result.outcome == "loaded"
        ledgers[in_memory] = ledger(ws.path)
    assert ledgers[True] == ledgers[False] and len(ledgers[True]["flows"]) == 3


def test_rows_keep_their_numbers_across_duckdbs_parallel_reads(tmp_path):
    """A CSV large enough for DuckDB to read in parallel (several 8 MB ranges, several row groups) still names
    each bad cell's row as the file numbers it, and counts the rows up to the last filled one even behind
    more blank rows than the tail searched first."""
    last = 450_001
    bad = (2, 122_881, 245_763, 300_007, last)  # file rows; the header is row 1
    rows = (f"2008-09,E09000023,lbl,local_authority,spend,{'ten' if n in bad else f'{n}.00'},10.2"
            for n in range(2, last + 1))
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("period,place,spender,spender_type,flow,amount,cofog\n")
        handle.writelines(f"{row}\n" for row in rows)
        handle.write(",,,,,,\n" * (TAIL_ROWS + 5))
    assert path.stat().st_size > 3 * 8 << 20
    parsed = read_columnar_return(path, set())
    assert parsed is not None and parsed.lines is None
    assert [(p.row, p.column) for p in parsed.report.errors] == [(n, "amount (F)") for n in bad]  # the sixth column
    assert parsed.report.rows_read == last - 1


# ---- Parquet ----

def test_parquet_return_counts_as_the_same_csv(tmp_path):
    files = partnership.write_partnership_csvs(tmp_path / "returns")
    source = max(files, key=lambda p: p.stat().st_size)
    parquet = tmp_path / "same.parquet"
    con = duckdb.connect()
    types = {"amount": "DECIMAL(18, 2)", "place_share": "DOUBLE"}
    header = next(csv.reader(source.open()))
    casts = ", ".join(f"CAST({name} AS {types[name]}) AS {name}" if name in types else name for name in header)
    con.execute(f"COPY (SELECT {casts} FROM read_csv('{source}', all_varchar = true)) TO '{parquet}' (FORMAT PARQUET)")
    typed = con.execute(f"SELECT typeof(amount) FROM read_parquet('{parquet}') LIMIT 1").fetchone()[0]
    assert typed == "DECIMAL(18,2)"
    results = {}
    for path in (source, parquet):
        ws = open_workspace(tmp_path / path.suffix[1:] / "ws.duckdb")
        ingest_files.import_places(ws, places_file(tmp_path))
        [result] = ingest_files.ingest_returns(ws, [path])
        assert result.outcome == "loaded", result.report.errors[:3]
        results[path.suffix] = (result.line_count, result.total, ledger(ws.path)["flows"])
    csv_count, csv_total, csv_flows = results[".csv"]
    pq_count, pq_total, pq_flows = results[".parquet"]
    assert (pq_count, pq_total) == (csv_count, csv_total) and pq_total > Decimal(0)
    assert pq_flows == csv_flows


def test_parquet_errors_point_at_rows(tmp_path):
    parquet = tmp_path / "bad.parquet"
    duckdb.connect().execute(f"""COPY (SELECT * FROM (VALUES
        ('2008-09', 'E09000023', 'lbl', 'local_authority', 'spend', 10.5::DOUBLE, '10.2'),
        ('2008-09', 'E09000023', 'lbl', 'local_authority', 'spend', -3.0::DOUBLE, '10.2'),
        ('2008-09', 'E09000023', 'lbl', 'local_authority', 'spend', 1.005::DOUBLE, '10.2'))
        AS t(period, place, spender, spender_type, flow, amount, cofog)) TO '{parquet}' (FORMAT PARQUET)""")
    [result] = ingest_files.ingest_returns(open_workspace(tmp_path / "ws.duckdb"), [parquet])
    assert result.outcome == "rejected"
    assert [(p.slug, p.row) for p in result.report.errors] == [("amount-negative", 3), ("amount-too-precise", 4)]
    assert not (tmp_path / "ws.duckdb").exists()


def test_a_file_that_is_not_parquet_is_reported(tmp_path):
    path = tmp_path / "r.parquet"
    path.write_text("period,place\n")
    [result] = ingest_files.ingest_returns(open_workspace(tmp_path / "ws.duckdb"), [path])
    assert [p.slug for p in result.report.errors] == ["file-not-parquet"]


def test_cli_ingests_parquet(cli, tmp_path):
    parquet = tmp_path / "r.parquet"
    duckdb.connect().execute(f"""COPY (SELECT '2008-09' AS period, 'E09000023' AS place, 'lbl' AS spender,
        'local_authority' AS spender_type, 'spend' AS flow, 1250000.00::DECIMAL(18, 2) AS amount, 10.2 AS cofog,
        'capital' AS capital_revenue) TO '{parquet}' (FORMAT PARQUET)""")
    [result] = cli.json("ingest", parquet)
    assert (result["outcome"], result["lines"], result["total"]) == ("loaded", 1, 1250000.0)


def test_a_checked_column_that_reads_but_looks_like_a_total_is_looked_at_row_by_row(tmp_path):
    """The columnar path tests each checked column's distinct cells once for 'total' and '#', and only the other
    columns row by row. A cell that reads as a valid value there (a spender id 'total-care', a funder '#7') must
    still send its row to the row reader, whose verdict is the reference: a totals row where the naming cell says
    so, a good line where it is only a funder's odd id."""
    path = write_csv(tmp_path / "odd.csv", [
        line(amount="10.00"),
        line(spender="total-care", spender_type="third_sector", amount="20.00"),
        line(amount="30.00", funder="#7", funder_type="central_government", cofog="07"),
    ])
    row, col = validate_both(path)
    assert_same(row, col)
    assert [(p["slug"], p["row"]) for p in problems(row) if p["severity"] == "error"] == [("totals-row", 3)]
