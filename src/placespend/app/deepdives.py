"""Deep dives as use cases: the figures the CLI prints and the pages show, from files or from the workspace.

`build` and `figures` are the one way a deep dive is computed (the CLI calls them on the files it is given; the
web on the inputs kept in the workspace, written back to files under their own names), so the page, the JSON
API and `placespend deepdive ... --format json` give the same numbers for the same input. Inputs are kept in
the workspace with every version (who, when, what changed); a version is stored only when the whole file reads
and computes without an error, so nothing half-valid is ever kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from placespend.app import deepdive, place_view
from placespend.app import deepdive_edits as edits
from placespend.app import deepdive_kinds as kinds
from placespend.app.accounts import User
from placespend.app.selection import check_in
from placespend.app.workflow import Forbidden, NotFound
from placespend.deepdive import dossier as dd
from placespend.deepdive import inputs
from placespend.deepdive.examples import example_path
from placespend.domain.problems import PlacespendError, Report
from placespend.engine import deepdive_inputs_store as store
from placespend.engine.workspace import Workspace
from placespend.report import deepdive_charts
from placespend.report.deepdive_report import for_output

EDITORS = ("admin", "analyst", "partner")
STAFF = ("admin", "analyst")
MAX_BYTES = 5 * 1024 * 1024
# How `deepdive.dossier` labels each kind's file among the inputs it read.
FINGERPRINTS = {"savings": "savings register", "cba": "CBA cash flows", "journeys": "journeys", "segments": "segments",
                "unit_costs": "unit costs"}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass
class Built:
    dossier: dd.Dossier
    notes: tuple[str, ...] = ()


def build(spec: dd.DossierSpec, ws: Workspace | None = None) -> Built:
    """Read the spec's files and compute every part it names; a place (themes) is checked against the workspace
    first. Problems stay in the dossier's reports; only misuse (an unknown place) raises."""
    if spec.place is None or ws is None:
        return Built(deepdive.build(spec))
    notes: list[str] = []
    dossier = deepdive.build_in(ws, spec, notes.extend)
    return Built(dossier, tuple(notes))


def figures(dossier: dd.Dossier, part: str) -> Any:
    """What `placespend deepdive ... --format json` prints for one part: money to pennies, ratios to 6 places."""
    data = dossier.to_dict()
    return for_output({"journeys": data["journeys"]} if part == "journeys" else data[part])


@dataclass
class Outcome:
    """One input's figures, or the problems that stopped them, with what the page draws and cites."""

    kind: str
    figures: Any = None
    reports: list[Report] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    draws: Any = None  # Monte Carlo draws of the total (savings) or of the NPV (CBA)
    command: list[str] | None = None
    notes: tuple[str, ...] = ()
    rows: int = 0  # rows read from the input itself (not from the inputs it references)
    chart_json: str | None = None  # the view's charts, drawn once per cached outcome (`charts`)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def problems(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.reports if r.problems]


def _safe_name(name: str) -> str:
    cleaned = SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip(" .") or "input.csv"
    return cleaned if "." in cleaned else cleaned + ".csv"


@contextmanager
def _folder():
    with tempfile.TemporaryDirectory(prefix="placespend-deepdive-") as folder:
        yield Path(folder)


def _write(folder: Path, role: str, file_name: str, content: bytes) -> Path:
    """A stored input as a file under its own name (reports and fingerprints name it as the CLI would)."""
    path = folder / role / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def compute(ws: Workspace, kind: str, file_name: str, content: bytes, params: dict[str, Any]) -> Outcome:
    """The figures of one input (file and parameters), referenced inputs at their latest versions.

    The same files and options always give the same figures (the Monte Carlo is seeded), so an outcome is kept
    under their hashes and recomputed only when one of them changes."""
    references = {}
    for name in kinds.REFERENCES:
        if params.get(name):
            references[name] = store.version(ws, params[name])
            if references[name] is None:
                raise NotFound(f"No stored input {params[name]} ({name.replace('_', ' ')}).")
    key = ("deepdive", kind, file_name, hashlib.sha256(content).hexdigest(), json.dumps(params, sort_keys=True),
           tuple((name, r["file_name"], r["content_hash"]) for name, r in references.items()))
    return place_view.cached(ws, key, lambda: _compute(kind, file_name, content, params, references),
                             stamp="content-addressed")


def charts(outcome: Outcome) -> str:
    """The outcome's charts as JSON for its page, drawn the first time they are asked for."""
    if outcome.chart_json is None:
        outcome.chart_json = deepdive_charts.page_json(outcome.kind, outcome.figures, outcome.draws)
    return outcome.chart_json


def _compute(kind: str, file_name: str, content: bytes, params: dict[str, Any],
             stored: dict[str, dict[str, Any]]) -> Outcome:
    with _folder() as folder:
        path = _write(folder, "input", file_name, content)
        if kind == "deflators":
            deflators, report = inputs.read_deflators(deepdive.user_table(path, inputs.DEFLATORS))
            return Outcome(kind, {"index": deflators.index}, [report],
                           [deepdive.fingerprint(path, kind, report.rows_read)],
                           rows=report.rows_read)
        if kind == "rules":
            rules, report = inputs.read_rules(deepdive.user_table(path, inputs.RULES))
            found = [{"theme": r.theme, "field": r.field, "pattern": r.pattern, "row": r.row} for r in rules]
            return Outcome(kind, {"rules": found}, [report], [deepdive.fingerprint(path, kind, report.rows_read)],
                           rows=report.rows_read)
        references = {name: _write(folder, name, r["file_name"], r["content"]) for name, r in stored.items()}
        names = {name: r["file_name"] for name, r in stored.items()}
        dossier = build(kinds.spec(kind, params, path, references)).dossier
        part = kinds.kind(kind).part
        result = Outcome(kind, None, dossier.reports, dossier.files,
                         command=kinds.command(kind, params, file_name, names),
                         rows=next((f["rows"] for f in dossier.files if f["kind"] == FINGERPRINTS[kind]), 0))
        if dossier.ok:
            result.figures = figures(dossier, part)  # type: ignore[arg-type]
            result.draws = (dossier.savings.draws if dossier.savings else
                            dossier.cba.npv_draws if dossier.cba else None)
        return result


# -- inputs kept in the workspace --------------------------------------------------------------------------

def listing(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Stored inputs by kind (every kind listed, even with none yet)."""
    grouped: dict[str, list[dict[str, Any]]] = {key: [] for key in kinds.KINDS}
    for row in store.inputs(ws):
        grouped.setdefault(row["kind"], []).append(row)
    return grouped


def places(ws: Workspace) -> list[dict[str, Any]]:
    """The workspace's places with their counted years, for choosing where an input belongs."""
    return [{"place": p["place"], "name": p.get("name") or p["place"], "periods": p["periods"]}
            for p in place_view.places(ws)] if ws.exists or ws.is_shared else []


def known_kinds(ws: Workspace) -> dict[int, str]:
    return {row["input_id"]: row["kind"] for row in store.inputs(ws)}


def may_edit(user: User | None, row: dict[str, Any]) -> bool:
    """Staff edit every input; a partner edits the inputs its own organisation keeps; viewers read."""
    if user is None or user.role not in EDITORS:
        return False
    return user.role in STAFF or (user.organisation is not None and row.get("organisation") == user.organisation)


def get(ws: Workspace, input_id: int) -> dict[str, Any]:
    row = store.get(ws, input_id)
    if row is None:
        raise NotFound(f"No deep-dive input {input_id}.")
    return row


def versions(ws: Workspace, input_id: int) -> list[dict[str, Any]]:
    """The input's history, newest first (who, when, what changed; not the files themselves)."""
    get(ws, input_id)
    return store.versions(ws, input_id)


@dataclass
class Saved:
    """What an upload or an edit did: the version stored, or the problems that kept it out."""

    outcome: Outcome
    input_id: int | None = None
    version: int | None = None
    errors: dict[str, str] = field(default_factory=dict)  # parameter -> message

    @property
    def stored(self) -> bool:
        return self.version is not None


def upload(ws: Workspace, user: User, kind: str, name: str, place: str | None, file_name: str, content: bytes,
           form: dict[str, Any] | None = None) -> Saved:
    """Store an uploaded file as a new input, or as the next version of the input of that kind, name and place."""
    if user.role not in EDITORS:
        raise Forbidden("Only analysts, administrators and partners upload deep-dive inputs.")
    found = kinds.kind(kind)
    file_name = _safe_name(file_name)
    name = (name or "").strip() or Path(file_name).stem
    place = _place(ws, place) if found.place_specific else None
    existing = store.find(ws, kind, name, place)
    if existing is not None and not may_edit(user, existing):
        raise Forbidden(f"'{name}' is kept by {existing['organisation'] or 'the analysts'}; choose another name.")
    # A new version keeps the parameters of the one before, except those the upload form fills in.
    base = (store.version(ws, existing["input_id"]) or {}).get("params") if existing else None
    given = {k: v for k, v in (form or {}).items() if str(v).strip()}
    params, errors = kinds.parse_params(kind, given, known_kinds(ws), base)
    return _save(ws, user, kind, name, place, existing, file_name, content, params, errors, "upload", None)


def _place(ws: Workspace, place: str | None) -> str | None:
    if not place or not place.strip():
        return None
    return check_in(ws, place=place).place


def _save(ws: Workspace, user: User, kind: str, name: str, place: str | None, existing: dict[str, Any] | None,
          file_name: str, content: bytes, params: dict[str, Any], errors: dict[str, str], action: str,
          detail: str | None) -> Saved:
    if len(content) > MAX_BYTES:
        report = Report(file_name)
        report.error("file-too-large", f"The file is {len(content) / 2**20:.1f} MB; deep-dive inputs are small "
                     f"tables (at most {MAX_BYTES // 2**20} MB).")
        return Saved(Outcome(kind, reports=[report]))
    if errors:
        return Saved(Outcome(kind), errors=errors)
    if existing is not None:
        latest = store.version(ws, existing["input_id"])
        if latest and latest["content"] == content and latest["params"] == params:  # nothing to record
            return Saved(Outcome(kind), existing["input_id"], latest["version"])
    outcome = compute(ws, kind, file_name, content, params)
    if not outcome.ok:
        return Saved(outcome)
    keeper = existing["organisation"] if existing else _organisation(user)
    new = store.NewVersion(kind, name, place, keeper, file_name, content, hashlib.sha256(content).hexdigest(), params,
                           outcome.rows, action, detail, user.username)
    input_id, version = store.save(ws, new, existing["input_id"] if existing else None)
    return Saved(outcome, input_id, version)


def _organisation(user: User) -> str | None:
    return user.organisation if user.role == "partner" else None


@dataclass
class View:
    """One input as its page shows it: the version asked for, its figures, history, parameters and grid."""

    input: dict[str, Any]
    version: dict[str, Any]
    versions: list[dict[str, Any]]
    outcome: Outcome
    references: dict[str, dict[str, Any] | None]
    grid: edits.Grid | None

    @property
    def kind(self) -> kinds.Kind:
        return kinds.kind(self.input["kind"])


def view(ws: Workspace, input_id: int, version: int | None = None) -> View:
    row = get(ws, input_id)
    stored = store.version(ws, input_id, version)
    if stored is None:
        raise NotFound(f"Input {input_id} has no version {version}.")
    outcome = compute(ws, row["kind"], stored["file_name"], stored["content"], stored["params"])
    references = {name: store.get(ws, stored["params"][name]) if stored["params"].get(name) else None
                  for name in kinds.REFERENCES if name in kinds.kind(row["kind"]).params}
    found = edits.grid(stored["content"], kinds.kind(row["kind"]).layout)
    return View(row, stored, versions(ws, input_id), outcome, references, found)


def _editable(ws: Workspace, user: User, input_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    row = get(ws, input_id)
    if not may_edit(user, row):
        raise Forbidden("Only analysts, administrators and the partner that keeps this input change it.")
    return row, store.version(ws, input_id)  # type: ignore[return-value]


def editor(ws: Workspace, user: User, input_id: int) -> edits.Grid | None:
    """The latest version as a grid to edit (None for a workbook), for those who may change it."""
    row, latest = _editable(ws, user, input_id)
    return edits.grid(latest["content"], kinds.kind(row["kind"]).layout)


def save_rows(ws: Workspace, user: User, input_id: int, form: dict[str, str]) -> tuple[Saved, edits.Grid | None]:
    """Store the edited grid as a new version when it reads and computes cleanly; else the grid of the edited
    file with each problem at its row and column, and nothing stored."""
    row, latest = _editable(ws, user, input_id)
    layout = kinds.kind(row["kind"]).layout
    found = edits.grid(latest["content"], layout)
    if found is None:
        raise PlacespendError("This input is a workbook: download it, change it in Excel and upload it again.")
    content, detail = edits.edited(found, form)
    saved = _save(ws, user, row["kind"], row["name"], row["place"], row, latest["file_name"], content,
                  latest["params"], {}, "edit", detail)
    candidate = edits.grid(content, layout)
    return saved, edits.with_problems(candidate, saved.outcome.reports) if candidate else None


def save_params(ws: Workspace, user: User, input_id: int, form: dict[str, Any]) -> Saved:
    """A new version with the same file and the parameters of `form` (checked, then computed, before storing)."""
    row, latest = _editable(ws, user, input_id)
    params, errors = kinds.parse_params(row["kind"], form, known_kinds(ws))
    changed = [f"{k}: {latest['params'].get(k)} → {v}" for k, v in params.items() if latest["params"].get(k) != v]
    return _save(ws, user, row["kind"], row["name"], row["place"], row, latest["file_name"], latest["content"],
                 params, errors, "parameters", "; ".join(changed) or "no change")


def stored_file(ws: Workspace, input_id: int, version: int | None = None) -> tuple[str, bytes]:
    get(ws, input_id)
    stored = store.version(ws, input_id, version)
    if stored is None:
        raise NotFound(f"Input {input_id} has no version {version}.")
    return stored["file_name"], stored["content"]


def themes(ws: Workspace, place: str, year: str, rules_id: int | None = None, theme: str | None = None) -> Outcome:
    """Themes across COFOG and each theme's inventory in a place and year, from hand tags and stored rules:
    `placespend deepdive themes --place P --year Y [--rules FILE] [--theme T] --format json`. Kept until the
    ledger or the rules change."""
    stored = None
    if rules_id is not None:
        if get(ws, rules_id)["kind"] != "rules":
            raise PlacespendError(f"Input {rules_id} is not a theme rules file.")
        stored = store.version(ws, rules_id)
    key = ("deepdive-themes", place, year, stored["content_hash"] if stored else None, theme)
    return place_view.cached(ws, key, lambda: _themes(ws, place, year, stored, theme))


def _themes(ws: Workspace, place: str, year: str, stored: dict[str, Any] | None, theme: str | None) -> Outcome:
    with _folder() as folder:
        rules, args = None, ["placespend", "deepdive", "themes", "--place", place, "--year", year]
        if stored is not None:
            rules = _write(folder, "rules", stored["file_name"], stored["content"])
            args += ["--rules", stored["file_name"]]
        if theme:
            args += ["--theme", theme]
        built = build(dd.DossierSpec(place=place, period=year, rules=rules, theme=theme or ""), ws)
        dossier = built.dossier
        result = Outcome("themes", None, dossier.reports, dossier.files, command=[*args, "--format", "json"],
                         notes=built.notes)
        if dossier.ok:
            result.figures = figures(dossier, "theme")
        return result


def load_examples(ws: Workspace, user: User) -> list[Saved]:
    """The shipped example inputs, stored as a new user would upload them (unit costs before the journeys that
    cost their stops from them); an example stored unchanged gets no new version."""
    if user.role not in STAFF:
        raise Forbidden("Only analysts and administrators load the examples.")
    order = [("deflators", "deflators_example.csv", {}), ("unit_costs", "unit_costs_example.csv", {}),
             ("rules", "theme_rules_example.csv", {}), ("savings", "savings_example.csv", {}),
             ("cba", "leicester_alcohol_cba.csv", {}), ("cba", "brighter_futures_cba.csv", {}),
             ("segments", "peterborough_segments.csv", {"moves": "chaotic>barely coping:30"}),
             ("journeys", "bresha_journey.csv", {"unit_costs": "UC"}),
             ("journeys", "derbyshire_journey.csv", {"unit_costs": "UC"})]
    saved = []
    for kind, name, form in order:
        content = example_path(name).read_bytes()
        costs = store.find(ws, "unit_costs", "unit_costs_example", None)
        form = {k: (str(costs["input_id"]) if v == "UC" and costs else v) for k, v in form.items()}
        saved.append(upload(ws, user, kind, Path(name).stem, None, name, content, form))
    return saved
