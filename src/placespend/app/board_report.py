"""The board report of a place and year: the one document a programme board or scrutiny committee reads.

Built once, here, as plain JSON-ready data, from the very functions the CLI prints (`placespend count`,
`estimate`, `compare`, `analyse ...`, `deepdive savings`, `cba`, `assets capital`), called with the CLI's
defaults: each part equals that command's `--format json` for the same workspace, and `commands` names it, so a
reader can reproduce any figure. The report layer only renders this data (HTML, PDF, XLSX); it computes nothing.

The deep-dive results are those of the files the CLI is given, else of the latest savings register, CBA case,
customer journeys and cohorts kept for the place on the Deep dives page (computed by `app.deepdives`, as that
page and its command show them).
What a workspace may not hold (deep-dive inputs, segments, linkage runs, assets) is left out, never invented;
a place without returns shows its centre-out estimate and the figures published about it (seed 000 Table 1).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ibis.backends.duckdb import Backend

from placespend.analysis.compare import compare_places
from placespend.analysis.composition import composition
from placespend.analysis.concentration import DEFAULT_THRESHOLDS, concentration
from placespend.analysis.funding_routes import DEFAULT_LOSS_RATE, DEFAULT_MAX_HOPS, funding_routes
from placespend.analysis.local_control import local_control
from placespend.analysis.per_head import DEFAULT_NEED, POPULATION, per_head
from placespend.app import assets, deepdives, place_view, sharing
from placespend.app.criteria import criteria_named
from placespend.app.deepdive_kinds import KINDS, shell
from placespend.app.figures import count_checked
from placespend.app.selection import check
from placespend.deepdive import dossier as dd
from placespend.deepdive.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, Simulation
from placespend.domain.problems import PlacespendError
from placespend.engine import area_insight_store, places_store, report_sources_store
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace
from placespend.estimate.centre_out import estimate_place
from placespend.report import board_report_pdf, board_report_xlsx
from placespend.report.board_report import render_body
from placespend.report.count_output import count_dict
from placespend.report.deepdive_report import for_output
from placespend.report.estimate_output import comparison_dict, estimate_dict
from placespend.report.licences import SEED_000, credit, credit_rows

CRITERIA = ("population", "needs")   # `placespend compare`'s default: A by population, its range over both
PER_HEAD_REFERENCE = "england"       # need relative to England: against one place alone every index is 1
STAFF = frozenset({"admin", "analyst"})
# The deep-dive results a board reads (seed 000 §5): the savings register, the CBA, customer journeys and cohorts.
DEEPDIVE_KINDS = ("savings", "cba", "journeys", "segments")


@dataclass
class BoardReport:
    place: str
    name: str
    period: str
    periods: list[str]                       # the years with counted lines in the place's scope
    generated_at: str
    count: dict[str, Any]
    estimate: dict[str, Any]                 # or {"problem": why there is none}
    compare: dict[str, Any]
    analyses: dict[str, dict[str, Any]]      # empty when nothing is counted
    published: list[dict[str, Any]]
    sources: dict[str, Any]
    commands: dict[str, str]
    deepdive: dict[str, Any] | None = None
    insight: dict[str, Any] | None = None
    assets: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deepdive_files(savings: Path | None = None, cba: Path | None = None, draws: int = DEFAULT_DRAWS,
                   seed: int = DEFAULT_SEED) -> dd.DossierSpec | None:
    """The deep-dive inputs a report includes: a savings register and CBA cash flows, as the CLI's `deepdive
    savings` and `cba` read them (their other options at those commands' defaults)."""
    if savings is None and cba is None:
        return None
    return dd.DossierSpec(savings=savings, cba=cba, simulation=Simulation(draws, seed))


def build(ws: Workspace, place: str, year: str | None = None, deepdive: dd.DossierSpec | None = None) -> BoardReport:
    """The report of `place` for `year` (default: its latest year with lines, else the latest year of regional
    spending). Unknown codes are refused (`UnknownCode`) before anything is computed; a deep-dive input with an
    error is refused with its file, row and column. Without deep-dive files, the inputs kept for the place."""
    with ws.read() as con:
        place, period, periods, notes = _chosen(con, place, year)
        figures = _figures(con, place, period, notes)
        returns = report_sources_store.returns_counted(con, place, period)
        imports = report_sources_store.reference_imports(con)
        published = places_store.published_for(con, place)
    if deepdive is not None:
        deep, deep_commands = _deepdive(deepdive)
    else:
        deep, deep_commands = _stored_deepdive(ws, stored_inputs(ws, place))
    found = BoardReport(
        place=place, name=figures["compare"]["places"][0]["name"], period=period, periods=periods,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), published=published,
        commands={**_commands(place, period), **deep_commands}, notes=notes, deepdive=deep,
        insight=_insight(ws, place, {row["submitter"] for row in returns}), assets=_assets(ws, place, period),
        sources={}, **figures)
    found.sources = _sources(found, returns, imports)
    shown = {"count", "estimate", "compare", "savings", "cba", "journeys", "cohorts", *found.analyses,
             *(["assets"] if found.assets else [])}
    found.commands = {part: command for part, command in found.commands.items() if part in shown}
    return found


def _chosen(con: Backend, place: str, year: str | None) -> tuple[str, str, list[str], list[str]]:
    """The checked place, the year reported (the one asked, or the place's latest with lines, or the latest of
    regional spending), the place's years with lines, and the notes to show beside the figures."""
    asked = check(con, place=place, year=year)
    periods = places_store.periods_with_lines(con, asked.place)
    period = asked.period or (periods[-1] if periods else places_store.latest_regional_period(con))
    if period is None:
        raise PlacespendError(f"{asked.place} has no lines and the workspace no regional spending: name a year.")
    notes = asked.notes if asked.period else check(con, place=asked.place, year=period).notes
    return asked.place, period, periods, list(notes)


def cached(ws: Workspace, place: str, year: str | None = None) -> dict[str, Any]:
    """The report's data for the web app (no deep-dive files), built once per version of the workspace: a board
    pack is read many times between two returns, and its preview, PDF and XLSX share one build."""
    def chosen() -> tuple[str, str]:
        with ws.read() as con:
            return _chosen(con, place, year)[:2]

    place, period = place_view.cached(ws, ("board-report-year", place, year), chosen)  # unknown codes refused here
    # Deep-dive inputs are bookkeeping to the ledger (their saves leave its version alone): their versions join the key.
    kept = _versions(stored_inputs(ws, place))
    return place_view.cached(ws, ("board-report", place, period, kept), lambda: build(ws, place, period).to_dict())


def rendered(ws: Workspace, place: str, year: str | None, role: str, organisation: str | None,
             form: str) -> tuple[dict[str, Any], Any]:
    """The report as this caller may read it (`for_reader`), and its rendering as `form`: "html" (the <article> a
    page embeds), "pdf" or "xlsx" (bytes), each made once per version of the workspace and kind of reader."""
    data = for_reader(cached(ws, place, year), role, organisation)
    reader = "staff" if role in STAFF else f"partner:{organisation}" if role == "partner" else "reader"
    render = {"html": lambda: render_body(data, top=2), "pdf": lambda: board_report_pdf.pdf_bytes(data),
              "xlsx": lambda: board_report_xlsx.xlsx_bytes(data)}[form]
    key = ("board-report-out", data["place"], data["period"], _versions(stored_inputs(ws, data["place"])), form, reader)
    return data, place_view.cached(ws, key, render)


def choices(ws: Workspace) -> dict[str, Any]:
    """What the report chooser offers: every place with its name, and the years with lines or regional spending."""
    def compute() -> dict[str, Any]:
        listed = place_view.places(ws)
        with ws.read() as con:
            regional = report_sources_store.regional_periods(con)
        years = sorted({*regional, *(year for row in listed for year in row["periods"])}, reverse=True)
        return {"places": [{"place": row["place"], "name": row["name"], "periods": row["periods"]} for row in listed],
                "years": years}

    return place_view.cached(ws, ("board-report-choices",), compute)


def _figures(con: Backend, place: str, period: str, notes: list[str]) -> dict[str, Any]:
    """count, estimate, compare and the analyses, each as its CLI command builds it."""
    ledger = ledger_of(con)
    counted, rec = count_checked(ledger, place, period)
    estimate = _or_problem(lambda: estimate_dict(estimate_place(ledger, place, period, criteria_named("population"))))
    rows, aggregate = compare_places(ledger, [place], period, [criteria_named(name) for name in CRITERIA])
    analyses: dict[str, dict[str, Any]] = {}
    if counted.lines:
        analyses = {name: _or_problem(lambda run=run: run().to_dict()) for name, run in {
            "composition": lambda: composition(ledger, [place], period),
            "concentration": lambda: concentration(ledger, [place], period, DEFAULT_THRESHOLDS),
            "local_control": lambda: local_control(ledger, [place], period, DEFAULT_MAX_HOPS),
            "per_head": lambda: per_head(ledger, [place], period, None, DEFAULT_NEED, PER_HEAD_REFERENCE, POPULATION),
            "routes": lambda: funding_routes(ledger, [place], period, DEFAULT_LOSS_RATE, DEFAULT_MAX_HOPS),
        }.items()}
    return {"count": {**count_dict(counted, rec), "notes": notes}, "estimate": estimate,
            "compare": comparison_dict(rows, aggregate), "analyses": analyses}


def _or_problem(compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A figure, or why there is none (what the CLI would print as its error: no population statistics, say)."""
    try:
        return compute()
    except PlacespendError as exc:
        return {"problem": str(exc)}


def _commands(place: str, period: str) -> dict[str, str]:
    """The command whose `--format json` each part of the report equals."""
    at = f"--place {place} --year {period} --format json"
    found = {"count": f"placespend count {at}", "estimate": f"placespend estimate {at}",
             "compare": f"placespend compare {at}", "assets": f"placespend assets capital {at}"}
    for part, command in (("composition", "composition"), ("concentration", "concentration"),
                          ("local_control", "local-control"), ("routes", "routes")):
        found[part] = f"placespend analyse {command} {at}"
    found["per_head"] = f"placespend analyse per-head {at} --need-reference {PER_HEAD_REFERENCE}"
    return found


def _file_commands(spec: dd.DossierSpec) -> dict[str, str]:
    """`placespend deepdive savings` and `placespend cba` on the files given, with the report's options."""
    run, found = spec.simulation, {}
    mc = f"--draws {run.draws} --seed {run.seed} --distribution {run.distribution.value}"
    if spec.savings is not None:
        found["savings"] = f"placespend deepdive savings {spec.savings.name} --horizon {spec.horizon} {mc} -f json"
    if spec.cba is not None:
        a = spec.appraisal
        found["cba"] = (f"placespend cba {spec.cba.name} --discount-rate {a.discount_rate} --optimism-bias "
                        f"{a.optimism_bias} --deadweight {a.deadweight} {mc} --format json")
    return found


def _deepdive(spec: dd.DossierSpec) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The savings register with its ranges and the CBA, as `placespend deepdive savings` and `placespend cba`
    print them, and those commands; None when no deep-dive file is given."""
    if spec.savings is None and spec.cba is None:
        return None, {}
    built = deepdives.build(spec).dossier
    if not built.ok:
        errors = [f"{p.where()}: {p.message}" for report in built.reports for p in report.errors]
        raise PlacespendError("The deep-dive inputs have errors: " + "; ".join(errors[:5]))
    data = for_output(built.to_dict())
    return {"savings": data["savings"], "cba": data["cba"], "journeys": [], "cohorts": None, "inputs": data["inputs"],
            "stored": [], "warnings": _warnings(data["problems"])}, _file_commands(spec)


def _warnings(problems: list[dict[str, Any]]) -> list[str]:
    return [f"{w['file']} row {w['row']}: {w['message']}" for p in problems for w in p["warnings"]]


def stored_inputs(ws: Workspace, place: str) -> list[dict[str, Any]]:
    """The deep-dive inputs a board report of `place` shows: of each kind in DEEPDIVE_KINDS, the one kept for the
    place that changed last (with its latest version)."""
    listed = deepdives.listing(ws)
    found = []
    for kind in DEEPDIVE_KINDS:
        mine = [row for row in listed.get(kind, []) if row["place"] == place]
        if mine:
            found.append(max(mine, key=lambda row: (row["made_at"], row["input_id"])))
    return found


def _versions(rows: list[dict[str, Any]]) -> tuple[tuple[int, int], ...]:
    return tuple((row["input_id"], row["version"]) for row in rows)


def _stored_deepdive(ws: Workspace, rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The figures of the place's kept inputs, as the Deep dives page and the command it prints give them."""
    if not rows:
        return None, {}
    found: dict[str, Any] = {"savings": None, "cba": None, "journeys": [], "cohorts": None, "inputs": [],
                             "stored": [], "warnings": []}
    commands = {}
    for row in rows:
        file_name, content = deepdives.stored_file(ws, row["input_id"], row["version"])
        outcome = deepdives.compute(ws, row["kind"], file_name, content, row["params"])
        part = KINDS[row["kind"]].part  # what the kind's command prints: "journeys" for journeys, "cohorts" ...
        if outcome.figures is not None:
            found[part] = outcome.figures["journeys"] if part == "journeys" else outcome.figures
        found["inputs"] += outcome.files
        found["warnings"] += _warnings(outcome.problems)
        found["stored"].append({"kind": row["kind"], "name": row["name"], "input_id": row["input_id"],
                                "version": row["version"], "made_at": str(row["made_at"])})
        commands[part] = shell(outcome.command)  # type: ignore[index]
    return found, commands


def _insight(ws: Workspace, place: str, partners: set[str]) -> dict[str, Any] | None:
    """Highlights the workspace holds: the latest segmentation of the place's LSOAs (counts of areas) and the
    linkage runs between its partners, as published through disclosure control (never a raw count of people)."""
    run = area_insight_store.latest_segments(ws, place)
    segments = None
    if run is not None:
        sizes = Counter(run.segments.values())
        segments = {"method": run.method, "k": run.k, "seed": run.seed, "level": run.level,
                    "indicators": run.indicators, "areas": len(run.segments),
                    "segments": [{"segment": segment, "name": name, "areas": n}
                                 for (segment, name), n in sorted(sizes.items(), key=lambda kv: kv[0][0])]}
    runs = [{k: r[k] for k in ("run_id", "agreement_id", "kind", "run_at", "left_owner", "right_owner", "published")}
            for r in sharing.runs(ws)
            if r["published"] and r["left_owner"] in partners and r["right_owner"] in partners]
    return {"segments": segments, "linkage": runs} if segments or runs else None


def _assets(ws: Workspace, place: str, period: str) -> dict[str, Any] | None:
    """`placespend assets capital`: the count's capital by partner beside each partner's estate, when either is
    there."""
    found = assets.capital(ws, place, period)
    if not found["total"] and not any(p["estate"] for p in found["partners"]):
        return None
    return found


def _sources(report: BoardReport, returns: list[dict[str, Any]], imports: list[dict[str, Any]]) -> dict[str, Any]:
    """The returns counted (by submission, with content hash) and the reference data the figures used, each with
    its vintage and its licence's credit line; seed 000 when its printed figures are shown."""
    used = _used(report)
    for row in imports:
        row["used"] = [pair for kind, pairs in row["covers"].items() for pair in pairs if _is_used(used, kind, pair)]
    seed = credit(SEED_000)
    return {"returns": returns, "reference": credit_rows([row for row in imports if row["used"]]),
            "published": seed.to_dict() if report.published and seed else None,
            "deepdive_inputs": (report.deepdive or {}).get("inputs", [])}


def _used(report: BoardReport) -> dict[str, set[tuple[str, str]]]:
    """(name, vintage) pairs of the reference data the figures were computed from; '*' stands for any vintage."""
    used: dict[str, set[tuple[str, str]]] = {"regional_spend": set(), "place_statistics": set(), "area_lookups": set()}
    estimate = report.estimate
    if "problem" not in estimate:
        used["regional_spend"].add((estimate["vintage"], report.period))
        used["area_lookups"].add(("lad_region", "*"))
        for name, info in estimate["indicators"].items():
            used["place_statistics"] |= {(part, str(info["vintage"])) for part in name.split("*")}
    if (per_head := report.analyses.get("per_head")) and "problem" not in per_head:
        used["place_statistics"].add((per_head["population_indicator"], str(per_head["population_vintage"])))
        need = per_head["need_index"]
        if need["indicator"] and need["vintage"]:
            used["place_statistics"] |= {(part, str(need["vintage"])) for part in need["indicator"].split("*")}
    return used


def _is_used(used: dict[str, set[tuple[str, str]]], kind: str, pair: tuple[str, str]) -> bool:
    return pair in used.get(kind, set()) or (pair[0], "*") in used.get(kind, set())


def for_reader(report: dict[str, Any], role: str, organisation: str | None) -> dict[str, Any]:
    """The report as a caller may read it: every figure, but a return's file name and submission id only for the
    count team and the partner that sent it (partners never learn of each other's submissions; the content hash
    and the body stay, so anyone can tell which file a figure came from)."""
    def visible(row: dict[str, Any]) -> dict[str, Any]:
        mine = role in STAFF or (role == "partner" and row["submitter"] == organisation)
        return row if mine else {**row, "submission_id": None, "file_name": None}

    sources = report["sources"]
    return {**report, "sources": {**sources, "returns": [visible(row) for row in sources["returns"]]}}
