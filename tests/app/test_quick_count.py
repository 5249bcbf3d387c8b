"""The CLI's quick count (app.quick_count: the count's questions compiled to SQL ahead of time, run with DuckDB
alone) gives exactly what the count through Ibis gives (app.figures.count), in every output format, and stands
aside where it cannot: a place or year the check refuses or notes, merged bodies, and a `place_lines` that a
change left stale. How long either takes is measured in benchmarks/startup.py, not here."""

from __future__ import annotations

import io
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from placespend.app import figures
from placespend.app.count_compiler import compile_count
from placespend.app.ingest_files import ingest_returns
from placespend.app.quick_count import quick_count
from placespend.app.workspace import open_workspace
from placespend.cli import count_show
from placespend.count import compiled_count
from placespend.engine.workspace import Workspace
from placespend.report.count_output import count_csv, count_dict, count_tables
from placespend.report.money import to_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "count"))
from chain_ledger import AREAS, CHAIN, COUNCIL, SHORT, SILENT, WHOLE, build_chain_ledger

from conftest import Cli, line, write_csv

YEARS = ("2008-09", "2009-10")
# Composite places, their member areas as places of their own, and codes as a user may type them.
ASKED = (WHOLE, SHORT, SILENT, CHAIN, AREAS[WHOLE], AREAS[SILENT], " tp-chain ", "e07000102")


def _ledger(cli: Cli, folder: Path) -> None:
    """The department -> agency -> council chains (tests/count/chain_ledger.py) in 2008-09, and the council's
    2009-10 spend in two of its areas, one line of it from a grant (funder) of the agency."""
    build_chain_ledger(cli, folder)
    later = [line(period="2009-10", place=AREAS[WHOLE], **COUNCIL, amount="1111.11", cofog="09.1"),
             line(period="2009-10", place=AREAS[SHORT], **{**COUNCIL, "funder": None, "funder_type": None},
                  amount="2222.22", cofog="10.2")]
    cli("ingest", write_csv(folder / "later" / "council-2009.csv", later))


def _full(db: Path, place: str, year: str) -> tuple[str, str, str, tuple[str, ...]]:
    """JSON, CSV and table of the count through Ibis, as the CLI prints them, and its notes."""
    counted = figures.count(open_workspace(db), place, year)
    return _shown(counted.result, counted.reconciliation, counted.asked.notes)


def _shown(result, rec, notes=()) -> tuple[str, str, str, tuple[str, ...]]:
    table = Console(file=io.StringIO(), width=120, color_system=None)
    table.print(count_tables(result, rec))
    return (to_json({**count_dict(result, rec), "notes": list(notes)}), count_csv(result),
            table.file.getvalue(), tuple(notes))


def _quick(db: Path, place: str, year: str):
    got = quick_count(db, place, year)
    return None if got is None else _shown(*got)


def _all_counted_alike(db: Path) -> dict[tuple[str, str], str]:
    """Every place asked, every year: the quick count equals the count through Ibis; their JSON by (place, year)."""
    shown = {}
    for place in ASKED:
        for year in YEARS:
            quick, full = _quick(db, place, year), _full(db, place, year)
            if full[3]:   # a note ("no lines that year"): only the full path gives it
                assert quick is None, (place, year)
                continue
            assert quick == full, (place, year)
            shown[place, year] = quick[0]
    return shown


def test_the_stored_sql_is_what_the_count_compiles_to_today(tmp_path):
    """Fails when the count's questions or the workspace schema change until `make count-sql` is run."""
    assert compile_count(tmp_path).as_json() == compiled_count.load().as_json()


def test_the_quick_count_equals_the_count_through_ibis_and_follows_every_change(cli, db, tmp_path):
    _ledger(cli, tmp_path)
    before = _all_counted_alike(db)
    assert len(before) >= 10   # the places and years above that have lines were all counted quickly
    assert Decimal(before[SHORT, "2008-09"].split('"total": ')[1].split(",")[0]) == Decimal("420000.00")

    # An accepted return supersedes the council's: the derived tables follow, and so does the quick count.
    cheaper = [line(place=AREAS[WHOLE], **COUNCIL, amount="1234567.89", cofog="09.1"),
               line(place=AREAS[SHORT], **COUNCIL, amount="400000.00", cofog="09.1")]
    cli("ingest", write_csv(tmp_path / "again" / "council.csv", cheaper), "--replace")
    after = _all_counted_alike(db)
    assert after[SHORT, "2008-09"] != before[SHORT, "2008-09"]
    assert after[CHAIN, "2008-09"] != before[CHAIN, "2008-09"]

    # A merge: the trust the agency funds in tp-silent is the agency itself, so that transfer is eliminated.
    cli("bodies", "merge", "trust", "agency", "--reason", "the same body")
    merged = _all_counted_alike(db)
    assert merged[SILENT, "2008-09"] != after[SILENT, "2008-09"]


def test_a_stale_place_lines_is_never_read(cli, db, tmp_path):
    """A return accepted through a workspace opened without its derived tables leaves `place_lines` as it was:
    the quick count must stand aside, and the CLI then prints the count from `flows`, with the new return."""
    _ledger(cli, tmp_path)
    old = _full(db, SHORT, "2008-09")
    assert _quick(db, SHORT, "2008-09") == old
    cheaper = [line(place=AREAS[SHORT], **COUNCIL, amount="400000.00", cofog="09.1")]
    done = ingest_returns(Workspace(db), [write_csv(tmp_path / "stale" / "council.csv", cheaper)], replace=True)
    assert [r.outcome for r in done] == ["loaded"]
    new = _full(db, SHORT, "2008-09")
    assert new != old
    assert quick_count(db, SHORT, "2008-09") is None
    assert cli("count", "--place", SHORT, "--year", "2008-09", "--format", "json").stdout == new[0] + "\n"


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_the_command_prints_what_the_count_through_ibis_prints(cli, db, tmp_path, monkeypatch, fmt):
    _ledger(cli, tmp_path)
    monkeypatch.setattr(count_show, "console", Console(width=120, color_system=None))
    printed = cli("count", "--place", CHAIN, "--year", "2008-09", "--format", fmt).stdout
    assert quick_count(db, CHAIN, "2008-09") is not None   # the command took the quick path
    json_text, csv_text, table_text, _ = _full(db, CHAIN, "2008-09")
    assert printed == {"json": json_text + "\n", "csv": csv_text, "table": table_text}[fmt]


def test_unknown_places_and_years_without_lines_go_to_the_check(cli, db, tmp_path):
    _ledger(cli, tmp_path)
    for place, year in (("tp-nowhere", "2008-09"), (SILENT, "2009-10"), (CHAIN, "2008-9"), (CHAIN, "2010-11")):
        assert quick_count(db, place, year) is None
    refused = cli("count", "--place", "tp-nowhere", "--year", "2008-09", expect=2)
    assert "tp-nowhere" in refused.output
    noted = cli("count", "--place", SILENT, "--year", "2009-10", "--format", "json")
    assert "No lines for tp-silent in 2009-10" in noted.output
