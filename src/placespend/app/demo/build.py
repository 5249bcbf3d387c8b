"""Building the demo workspace from data the package ships: published pilot figures and a partnership.

It goes through the same use cases as a user's files (places import, validated ingest), so the demo also
shows the ledger working end to end. Re-running it changes nothing: the returns are identical files.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from placespend.app import accounts, ingest_files
from placespend.app.demo import partnership, published
from placespend.count.consolidate import count_place
from placespend.domain.problems import PlacespendError
from placespend.engine import accounts_store
from placespend.engine.ledger import ledger_of
from placespend.engine.places_store import save_published
from placespend.engine.workspace import Workspace

BILLION = Decimal(10) ** 9
DEMO_PASSWORD = "placespend-demo"
# PESA 2009 ch.9 2008-09 by region x COFOG, ONS mid-2019 populations of every English district with the regions'
# own rows, and the LAD -> region lookup (Open Government Licence v3.0; derived by
# scripts/derive_demo_reference.py, see data/README.md)
REFERENCE_FILES = ("place_statistics.csv", "regional_spend_pesa2009.csv", "lad_region_lookup.csv")
DEMO_USERS = (("admin", "admin", None), ("analyst", "analyst", None), ("lewisham-finance", "partner", "lbl"),
              ("pct-finance", "partner", "lewisham-pct"), ("councillor", "viewer", None))


@dataclass
class DemoSummary:
    place: str
    period: str
    submissions: int
    lines: int
    total: Decimal
    published_total: Decimal
    published: int
    table1: list[tuple[str, ...]] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    password: str = DEMO_PASSWORD
    discrepancies: list[published.Discrepancy] = field(default_factory=list)


def build_demo(ws: Workspace) -> DemoSummary:
    """The demo workspace built in `ws`. The file is held open between the build's reads (184 of them, each
    otherwise starting DuckDB afresh: a fifth of the build's time); only here, where the data is small, since a
    held file keeps its cached blocks in memory while other work runs (`Workspace.held`)."""
    with ws.held():
        return _build(ws)


def _build(ws: Workspace) -> DemoSummary:
    places_file = resources.files(published.DATA_PACKAGE).joinpath(published.PLACES_FILE)
    with resources.as_file(places_file) as path:
        report, _ = ingest_files.import_places(ws, path)
    if not report.ok:
        raise PlacespendError(f"the shipped pilot places do not load: {report.errors[0].message}")
    for name in REFERENCE_FILES:  # the centre-out estimate's inputs, as canonical CSVs (DESIGN.md §6)
        with resources.as_file(resources.files(published.DATA_PACKAGE).joinpath(name)) as path:
            imported = ingest_files.import_reference(ws, path)
        if imported.outcome == "rejected":
            raise PlacespendError(f"the shipped {name} does not load: {imported.report.errors[:1]}")
    figures = published.published_figures()
    save_published(ws, [(f.table, f.pilot, f.measure, f.value, f.unit, f.source) for f in figures])
    with tempfile.TemporaryDirectory() as folder:
        files = partnership.write_partnership_csvs(Path(folder))
        results = ingest_files.ingest_returns(ws, files)
    rejected = [r for r in results if r.outcome == "rejected"]
    if rejected:
        raise PlacespendError(f"demo return {rejected[0].path.name} was rejected: {rejected[0].report.errors[:1]}")
    with ws.read() as con:
        count = count_place(ledger_of(con), partnership.PLACE, partnership.PERIOD)
    users = _demo_users(ws)
    lewisham = next(row for row in published.published_table1() if row.pilot == partnership.PILOT)
    return DemoSummary(
        place=partnership.PLACE, period=partnership.PERIOD, submissions=len(results), lines=count.lines,
        total=count.total, published_total=lewisham.locally_led * BILLION, published=len(figures),
        table1=_table1_rows(), discrepancies=[*published.table1_discrepancies(), *published.table2_discrepancies(),
                                              *published.table3_discrepancies()],
        users=users,
    )


def _demo_users(ws: Workspace) -> list[str]:
    """One account per role, with a published password: for the demo workspace only."""
    made = []
    for username, role, organisation in DEMO_USERS:
        if accounts_store.user_by_name(ws, username) is None:
            accounts.add_user(ws, username, DEMO_PASSWORD, role, organisation, f"Demo {role}")
        made.append(f"{username} ({role}{', ' + organisation if organisation else ''})")
    return made


def _table1_rows() -> list[tuple[str, ...]]:
    """Table 1 with the difference computed from A and B beside the printed one."""
    flagged = {d.pilot for d in published.table1_discrepancies()}
    rows = []
    for row in [*published.published_table1(), published.published_table1_total()]:
        computed = row.difference if row.pilot != published.TOTAL_ROW else published.table1_aggregate_difference(
            published.published_table1())
        rows.append((row.pilot, f"£{row.centre_out}bn", f"£{row.locally_led}bn", f"{row.difference_printed}%",
                     f"{computed * 100:.2f}%", "DISAGREES" if row.pilot in flagged else "ok"))
    return rows
