"""`placespend insight` commands for areas (DESIGN.md §7): segments, area profiles, maps, classifications."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import plotly.io as pio
import typer
from rich.table import Table

from placespend.app import area_insight
from placespend.cli.context import Format, console, fail, guard, workspace
from placespend.domain.vocabulary import normalise_place
from placespend.report.exports import rows_csv, rows_xlsx
from placespend.report.money import pounds, to_json

PlaceOption = Annotated[str, typer.Option("--place", "-p", help="A place (GSS code) with LSOA lookups imported.")]
YearOption = Annotated[str | None, typer.Option("--year", "-y", help="Financial year whose counted spend is mapped "
                                                "to areas (the ward mapping), e.g. 2019-20.")]
DriversOption = Annotated[str, typer.Option(help="Drivers that share spend to LSOAs: population, or a criteria "
                                                 "CSV (cofog,indicator,weight,explanation).")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table or json")]


def _place(place: str | None) -> str | None:
    return None if place is None or place.lower() == area_insight.WHOLE_COUNTRY else normalise_place(place)


@guard
def segments(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option("--place", "-p", help="A place (GSS code); omit (or 'england') for "
                                              "all English LSOAs.")] = None,
    k: Annotated[int, typer.Option("--k", help="Number of segments.")] = area_insight.DEFAULT_K,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same segments.")] = 0,
    indicators: Annotated[str | None, typer.Option(help="Comma-separated features: income, employment, education, "
                                                   "health, crime, barriers, living_environment, children, "
                                                   "older_people, or any imported indicator. Default: all nine.")]
    = None,
    method: Annotated[str, typer.Option(help="kmeans or ward.")] = "kmeans",
    runs: Annotated[int, typer.Option(help="Other seeds to test stability against (adjusted Rand index).")] = 5,
    classification: Annotated[str | None, typer.Option(help="Use an imported classification (e.g. "
                                                       "oac2011_supergroup) instead of clustering.")] = None,
    year: YearOption = None,
    drivers: DriversOption = "population",
    chart: Annotated[Path | None, typer.Option(help="Write the profile chart as HTML.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Segment a place's LSOAs on standardised indicators, profile each segment, and keep the run."""
    if method not in ("kmeans", "ward"):
        raise fail(f"--method must be kmeans or ward, not '{method}'.")
    ws = workspace(ctx)
    chosen = [name.strip() for name in indicators.split(",") if name.strip()] if indicators else None
    result = area_insight.segment_place(ws, _place(place), k, seed, chosen, method, runs,  # type: ignore[arg-type]
                                        classification, year, drivers)
    result["run_id"] = area_insight.save_segments(ws, result)
    if chart:
        chart.write_text(_html(result["figure"]), encoding="utf-8")
    if fmt == Format.json:
        typer.echo(to_json(result))
        return
    _print_segments(result)


def _html(figure: dict[str, Any]) -> str:
    return pio.to_html(figure, include_plotlyjs=True, full_html=True)


def _print_segments(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['place']}: {result['k']} segments of {result['areas']} LSOAs ({result['method']})")
    for column in ("Segment", "Name", "LSOAs", "People", "Per head"):
        table.add_column(column, justify="right" if column in {"LSOAs", "People", "Per head"} else "left")
    for p in result["segments"]:
        table.add_row(p["segment"], p["name"], str(p["areas"]), f"{p['population']:,.0f}",
                      pounds(p["per_head"]) if p.get("per_head") is not None else "")
    console.print(table)
    for p in result["segments"]:
        console.print(f"[bold]{p['segment']}. {p['name']}[/]: " + "; ".join(p["words"]), highlight=False)
    if result["stability"]:
        s = result["stability"]
        console.print(f"Stability across seeds {s['seeds']}: adjusted Rand mean {s['mean']:.3f}, min {s['min']:.3f}.")
    for note in result["notes"]:
        console.print(f"note: {note}")
    console.print(f"Saved as run {result['run_id']}.")


@guard
def profile(
    ctx: typer.Context,
    place: PlaceOption,
    area: Annotated[str | None, typer.Option(help="One LSOA or ward of the place; omit for every area.")] = None,
    level: Annotated[str, typer.Option(help="oa, lsoa, msoa or ward (when no --area).")] = "lsoa",
    year: YearOption = None,
    drivers: DriversOption = "population",
    export: Annotated[Path | None, typer.Option(help="Write the profiles as .csv or .xlsx.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Profiles of small areas: people, age bands, deprivation, segment, spend per head, rank among peers."""
    ws = workspace(ctx)
    if area:
        result = area_insight.area_profile(ws, normalise_place(place), area.strip().upper(), year, drivers)
        rows = [result["profile"]]
    else:
        result = area_insight.profile_rows(ws, normalise_place(place), level, year, drivers)
        rows = result["rows"]
    if export:
        _export(rows, export)
    if fmt == Format.json:
        typer.echo(to_json(result))
        return
    if area:
        for key, value in result["profile"].items():
            rank = result["ranks"].get(key)
            console.print(f"{key}: {value}" + (f"  ({rank['rank']} of {rank['of']})" if rank else ""), highlight=False)
    else:
        table = Table(title=f"{result['place']} {level} profiles")
        for column in ("Area", "Name", "People", "IMD decile", "Segment", "Spend per head"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row["area"]), str(row.get("name") or ""), f"{row.get('population') or 0:,.0f}",
                          str(row.get("imd_decile") or row.get("imd_mean_decile") or ""), str(row.get("segment") or ""),
                          pounds(row["spend_per_head"]) if row.get("spend_per_head") is not None else "")
        console.print(table)
    for note in result["notes"]:
        console.print(f"note: {note}")


def _export(rows: list[dict[str, Any]], path: Path) -> None:
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(rows_xlsx(rows, "profiles"))
    elif path.suffix.lower() == ".csv":
        path.write_text(rows_csv(rows), encoding="utf-8")
    else:
        raise fail(f"--export must end in .csv or .xlsx, not '{path.name}'.")


@guard
def area_map(
    ctx: typer.Context,
    place: PlaceOption,
    column: Annotated[str, typer.Option(help="A profile column: segment, population, imd_income_decile, "
                                              "spend_per_head ...")] = "segment",
    level: Annotated[str, typer.Option(help="oa, lsoa, msoa or ward.")] = "lsoa",
    year: YearOption = None,
    drivers: DriversOption = "population",
    out: Annotated[Path | None, typer.Option(help="Write the map as .html or the figure as .json.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """A choropleth of a place's areas (boundaries from imported GeoJSON; no map tiles)."""
    result = area_insight.area_map(workspace(ctx), normalise_place(place), column, level, year, drivers)
    if out:
        text = _html(result["figure"]) if out.suffix.lower() == ".html" else json.dumps(result["figure"])
        out.write_text(text, encoding="utf-8")
    if fmt == Format.json:
        typer.echo(to_json(result))
        return
    console.print(f"{result['drawn']} of {result['areas']} {level}s drawn, coloured by {column}"
                  + (f"; written to {out}" if out else "") + ".")
    for note in result["notes"]:
        console.print(f"note: {note}")


@guard
def classifications(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Classifications of areas imported (ONS OAC or your own `area, segment` files)."""
    found = area_insight.classifications(workspace(ctx))
    if fmt == Format.json:
        typer.echo(to_json(found))
        return
    table = Table(title="Area classifications")
    for column in ("Classification", "Vintage", "Areas", "Segments"):
        table.add_column(column)
    for row in found:
        table.add_row(str(row["classification"]), str(row["vintage"] or ""), str(row["areas"]), str(row["segments"]))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `insight` group."""
    app.command()(segments)
    app.command()(profile)
    app.command("map")(area_map)
    app.command()(classifications)
