"""`placespend assets ...`: Total Capital and Assets (DESIGN.md §7, Assets; seed 001 §5.19-5.25).

Thin: each command hands its options to a use case in `placespend.app` and prints what comes back. A register
with errors prints every problem (file, row, column) and exits 1, and nothing of it is loaded.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from placespend.app import assets as use
from placespend.app import assets_scenario
from placespend.cli.context import console, guard, print_problems, print_report, workspace
from placespend.domain.problems import PlacespendError
from placespend.report.money import pounds, to_json

app = typer.Typer(help="Total Capital and Assets: partners' land and buildings, co-location, rationalisation, "
                  "capital.", no_args_is_help=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
PlaceOption = Annotated[str | None, typer.Option("--place", "-p", help="Only this place's estate (GSS code or "
                                                 "place id); default every current register.")]


def _emit(payload: Any, fmt: OutputFormat) -> bool:
    if fmt == OutputFormat.json:
        typer.echo(to_json(payload))
        return True
    return False


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right" if column in MONEY | NUMBERS else "left")
    for row in rows:
        table.add_row(*(_cell(column, row.get(column)) for column in columns))
    return table


MONEY = {"running_cost", "low", "central", "high", "capital", "amount", "cost_per_m2"}
NUMBERS = {"metres", "building_size", "utilisation", "assets", "located", "lines", "outside_place_m"}


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in MONEY:
        return pounds(value)
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


@app.command("import")
@guard
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="Transparency Code land and buildings CSV, or the template .xlsx.")],
    owner: Annotated[str, typer.Option("--owner", help="The body that holds the assets (its ledger id).")],
    place: PlaceOption = None,
    sheet: Annotated[str, typer.Option("--sheet", help="Sheet of an .xlsx register.")] = "Assets",
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Import an owner's register; it replaces the owner's previous one as a new version (history kept)."""
    result = use.import_register(workspace(ctx), file, owner, place, sheet)
    if not _emit(result.to_dict(), fmt):
        print_report(result.report, result.outcome)
        if result.outcome == "loaded":
            data = result.to_dict()
            console.print(f"  loaded {data['assets']:,} assets of {result.owner} ({data['located']:,} mapped, "
                          f"{len(data['without_coordinates']):,} without coordinates) as register "
                          f"{result.register_id}")
        elif result.outcome == "unchanged":
            console.print(f"  already the current register of {result.owner} ({result.register_id}); nothing changed")
    if result.outcome == "rejected":
        raise typer.Exit(1)


@app.command("list")
@guard
def list_(ctx: typer.Context, place: PlaceOption = None,
          owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's assets.")] = None,
          fmt: FormatOption = OutputFormat.table) -> None:
    """The current assets (of a place: its own registers and others' assets inside it), with totals by owner."""
    data = use.register_list(workspace(ctx), place, owner)
    if _emit(data, fmt):
        return
    console.print(f"Place extent: {data['extent']['method']} ({data['extent']['description']})")
    console.print(_table("Estate by owner", data["owners"], ["owner", "assets", "located", "building_size",
                                                              "running_cost"]))
    console.print(_table("Assets", data["assets"], ["owner", "asset", "name", "tenure_type", "holding_type",
                                                     "building_size", "running_cost", "outside_place_m"]))


@app.command()
@guard
def history(ctx: typer.Context, owner: Annotated[str | None, typer.Option("--owner")] = None,
            fmt: FormatOption = OutputFormat.table) -> None:
    """Every version of the registers: which is current and which newer version replaced each."""
    rows = use.history(workspace(ctx), owner)
    if not _emit(rows, fmt):
        console.print(_table("Asset registers", rows, ["register_id", "owner", "place", "file_name", "asset_count",
                                                       "loaded_at", "current", "superseded_by"]))


@app.command()
@guard
def nearby(ctx: typer.Context,
           within: Annotated[float, typer.Option("--within", help="Distance in metres, e.g. 400 (a 5-minute walk).")],
           place: PlaceOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Pairs of different owners' assets within the distance (geodesic on the WGS84 ellipsoid), nearest first."""
    data = use.nearby(workspace(ctx), within, place)
    if not _emit(data, fmt):
        console.print(_table(f"Assets of different owners within {within:g} m ({len(data['pairs'])} pairs)",
                             data["pairs"], ["a", "a_owner", "a_name", "b", "b_owner", "b_name", "metres"]))


@app.command()
@guard
def underused(ctx: typer.Context,
              below: Annotated[str, typer.Option("--below", help="Utilisation threshold, 0.5 or 50%.")] = "0.5",
              place: PlaceOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Sites whose reported utilisation is below the threshold, least used first."""
    data = use.under_used(workspace(ctx), assets_scenario.share(below), place)
    if not _emit(data, fmt):
        console.print(_table(f"Used less than {data['below']:.0%} ({data['without_utilisation']} sites report no "
                             "utilisation)", data["sites"], ["owner", "asset", "name", "utilisation", "running_cost"]))


@app.command()
@guard
def leases(ctx: typer.Context, years: Annotated[int, typer.Option("--years", help="Ending within N years.")] = 2,
           on: Annotated[str | None, typer.Option("--on", help="Count from this date (default today).")] = None,
           place: PlaceOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Leases ending within N years (and those already ended), soonest first."""
    data = use.leases(workspace(ctx), years, _date(on), place)
    if not _emit(data, fmt):
        console.print(_table(f"Leases ending by {data['until']}", data["sites"],
                             ["owner", "asset", "name", "lease_end", "ended", "running_cost"]))


@app.command()
@guard
def benchmark(ctx: typer.Context, place: PlaceOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Running cost per m2 by partner, and the assets outside Tukey's fences."""
    data = use.benchmark(workspace(ctx), place)
    if _emit(data, fmt):
        return
    console.print(f"[dim]{data['method']}[/]")
    console.print(_table("Cost per m2 by owner", data["owners"], ["owner", "assets", "running_cost", "building_size",
                                                                  "cost_per_m2", "outliers"]))
    console.print(_table("Assets", data["assets"], ["owner", "asset", "name", "cost_per_m2", "outlier"]))


@app.command()
@guard
def capital(ctx: typer.Context, place: Annotated[str, typer.Option("--place", "-p", help="Place code or id.")],
            year: Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2024-25.")],
            fmt: FormatOption = OutputFormat.table) -> None:
    """The count's capital lines by partner and COFOG function, beside each partner's estate in the place."""
    data = use.capital(workspace(ctx), place, year)
    if _emit(data, fmt):
        return
    rows = [{"partner": p["partner"], "capital": p["capital"], "assets": (p["estate"] or {}).get("assets"),
             "building_size": (p["estate"] or {}).get("building_size"),
             "running_cost": (p["estate"] or {}).get("running_cost")} for p in data["partners"]]
    console.print(_table(f"Capital {data['period']}, {pounds(data['total'])} in all, beside the estate", rows,
                         ["partner", "capital", "assets", "building_size", "running_cost"]))
    console.print(_table("Capital by partner and COFOG division", data["lines"],
                         ["partner", "body_type", "cofog", "amount", "lines"]))


@app.command()
@guard
def scenario(
    ctx: typer.Context,
    close: Annotated[list[str] | None, typer.Option("--close", help="A site to close: CODE or OWNER:CODE; "
                                                    "repeatable.")] = None,
    share: Annotated[list[str] | None, typer.Option("--share", help="A site to share; repeatable.")] = None,
    place: PlaceOption = None,
    start: Annotated[str | None, typer.Option("--start-year", help="First financial year, e.g. 2026-27 (default "
                                              "the next).")] = None,
    close_range: Annotated[str | None, typer.Option("--close-range", help="Share of running cost saved by "
                                                    "closing: LOW,CENTRAL,HIGH (default 0.5,0.75,0.9).")] = None,
    share_range: Annotated[str | None, typer.Option("--share-range", help="Share saved by sharing (default "
                                                    "0.1,0.2,0.3).")] = None,
    profile: Annotated[str, typer.Option("--profile", help="Ramp-up by year, e.g. '0.5;1'.")] = "0.5;1",
    indicator: Annotated[str, typer.Option("--indicator", help="Demand for the access analysis.")] = "population",
    demand: Annotated[Path | None, typer.Option("--demand", exists=True, dir_okay=False,
                                                help="Demand CSV (area, value) instead of the workspace's.")] = None,
    boundaries: Annotated[Path | None, typer.Option("--boundaries", exists=True, dir_okay=False,
                                                    help="GeoJSON/TopoJSON of the demand's areas.")] = None,
    savings: Annotated[Path | None, typer.Option("--savings", dir_okay=False, help="Add the entries to this "
                                                 "savings register CSV (created if absent).")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Close or share sites: a low/central/high saving per site for the savings register, and who would be
    further from each service the closed sites delivered."""
    shares = assets_scenario.ranges(close_range.split(",") if close_range else None,
                                    share_range.split(",") if share_range else None)
    ramp = assets_scenario.profile(profile)
    start_year = int(start[:4]) if start else assets_scenario.next_financial_year()
    outcome = assets_scenario.run(workspace(ctx), place, close or [], share or [], start_year, shares, ramp,
                                  indicator, demand, boundaries, savings)
    print_problems(outcome.reports)
    if not _emit(outcome.result, fmt):
        _print_scenario(outcome.result)
    if not outcome.ok:
        raise typer.Exit(1)


def _print_scenario(result: dict[str, Any]) -> None:
    console.print(_table("Savings a year by site", result["sites"], ["owner", "asset", "name", "action",
                                                                     "running_cost", "low", "central", "high"]))
    total = result["total"]
    console.print(f"Total a year: {pounds(total['low'])} / {pounds(total['central'])} / {pounds(total['high'])} "
                  "(low / central / high). " + result["context"])
    for action, rate in result["assumptions"].items():
        console.print(f"[dim]{action}: {rate['low']}/{rate['central']}/{rate['high']} - {rate['why']}[/]")
    if result["unpriced"]:
        console.print(f"[yellow]No running cost reported, not priced:[/] "
                      f"{', '.join(u['asset'] for u in result['unpriced'])}")
    for service in result.get("access", {}).get("services", []):
        console.print(f"{service['service']}: {service['sites_before']} -> {service['sites_after']} sites; "
                      f"mean distance {service.get('mean_km_before') or 0:.2f} -> "
                      f"{service.get('mean_km_after') or 0:.2f} km; {service.get('note', '')}")
    if "savings_register" in result:
        console.print(f"Added to {result['savings_register']['file']}: "
                      f"{', '.join(result['savings_register']['added'])}")


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlacespendError(f"'{text}' is not a date; write YYYY-MM-DD.") from None


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="assets")
