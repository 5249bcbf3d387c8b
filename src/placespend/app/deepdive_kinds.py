"""The kinds of deep-dive input the workspace keeps, and the options each takes beside its file.

An input is one of the files `placespend deepdive ...` reads; its *parameters* are that command's options
(a savings register's horizon and Monte Carlo draws, a CBA case's discount rate, a journey's unit cost library).
They are kept with each version of the input, checked with the CLI's own parsers, and turned into both a
`DossierSpec` (what the figures are computed from) and the equivalent command line, which the page prints so
that anyone can reproduce its figures with the CLI.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from placespend.deepdive import inputs
from placespend.deepdive.cba import GREEN_BOOK_RATE, Appraisal
from placespend.deepdive.dossier import DossierSpec
from placespend.deepdive.layout import Layout
from placespend.deepdive.savings import DEFAULT_HORIZON
from placespend.deepdive.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, Distribution, Simulation
from placespend.deepdive.unit_costs import price_year

MIN_DRAWS, MAX_DRAWS = 100, 200_000  # the CLI's --draws minimum; the ceiling keeps one page view under a second


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    layout: Layout
    part: str | None  # the key of `Dossier.to_dict()` the CLI prints for it (None: no command of its own)
    command: tuple[str, ...]  # the CLI command that reads it
    place_specific: bool
    params: tuple[str, ...]


SIMULATION = ("draws", "seed", "distribution")
KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("savings", "Savings register", inputs.SAVINGS, "savings", ("deepdive", "savings"), True,
         ("horizon", *SIMULATION)),
    Kind("cba", "Cost-benefit case", inputs.CBA, "cba", ("cba",), True,
         ("discount_rate", "optimism_bias", "deadweight", *SIMULATION)),
    Kind("journeys", "Customer journeys", inputs.JOURNEYS, "journeys", ("deepdive", "journey"), True,
         ("unit_costs", "deflators", "price_year")),
    Kind("segments", "Cohorts (segments)", inputs.SEGMENTS, "cohorts", ("deepdive", "cohorts"), True,
         ("unit_costs", "moves")),
    Kind("unit_costs", "Unit cost library", inputs.UNIT_COSTS, "unit_costs", ("deepdive", "unit-costs"), False,
         ("deflators", "price_year")),
    Kind("deflators", "Deflator series", inputs.DEFLATORS, None, (), False, ()),
    Kind("rules", "Theme rules", inputs.RULES, "theme", ("deepdive", "themes"), True, ()),
)}
# Parameters naming another stored input, and the kind it must be.
REFERENCES = {"unit_costs": "unit_costs", "deflators": "deflators"}
DEFAULTS: dict[str, Any] = {"horizon": DEFAULT_HORIZON, "draws": DEFAULT_DRAWS, "seed": DEFAULT_SEED,
                            "distribution": Distribution.pert.value, "discount_rate": str(GREEN_BOOK_RATE),
                            "optimism_bias": "0", "deadweight": "0", "unit_costs": None, "deflators": None,
                            "price_year": None, "moves": []}
LABELS = {"horizon": "Years totalled (horizon)", "draws": "Monte Carlo draws", "seed": "Monte Carlo seed",
          "distribution": "Distribution drawn from low, central and high", "discount_rate": "Discount rate",
          "optimism_bias": "Optimism bias (uplift to investment)", "deadweight": "Deadweight (share of benefits)",
          "unit_costs": "Unit cost library", "deflators": "Deflator series",
          "price_year": "Price year (blank: as given)", "moves": "What-if moves, one a line: FROM>TO:NUMBER"}


def kind(key: str) -> Kind:
    found = KINDS.get(key)
    if found is None:
        raise ValueError(f"'{key}' is not a kind of deep-dive input (one of {', '.join(KINDS)}).")
    return found


def defaults(key: str) -> dict[str, Any]:
    return {name: DEFAULTS[name] for name in kind(key).params}


def parse_params(key: str, form: dict[str, Any], known: dict[int, str],
                 base: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The parameters given in `form` over `base` (else the CLI's defaults), and an error message per field.

    `known` maps stored input ids to their kind, so a reference names an input of the right kind."""
    params, errors = {**defaults(key), **(base or {})}, {}
    for name in kind(key).params:
        raw = form.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip() and name not in REFERENCES):
            continue
        try:
            params[name] = _parse(name, raw, known)
        except ValueError as exc:
            errors[name] = str(exc)
    return params, errors


def _parse(name: str, raw: Any, known: dict[int, str]) -> Any:
    text = raw.strip() if isinstance(raw, str) else raw
    if name in ("horizon", "draws", "seed"):
        return _whole(name, text)
    if name == "distribution":
        if str(text) not in {d.value for d in Distribution}:
            raise ValueError(f"Choose one of: {', '.join(d.value for d in Distribution)}.")
        return str(text)
    if name in ("discount_rate", "optimism_bias", "deadweight"):
        inputs.parse_fraction(str(text), LABELS[name], Decimal(10) if name == "optimism_bias" else Decimal(1))
        return str(text)
    if name in REFERENCES:
        if text in (None, ""):
            return None
        number = int(text) if str(text).isdigit() else None
        if number is None or known.get(number) != REFERENCES[name]:
            raise ValueError(f"Choose a stored {KINDS[REFERENCES[name]].label.lower()}.")
        return number
    if name == "price_year":
        return price_year(str(text)) if text else None
    if name == "moves":
        lines = text if isinstance(text, list) else [m for m in str(text).splitlines() if m.strip()]
        return [_move(m) for m in lines]
    raise ValueError(f"Unknown parameter {name}.")


def _whole(name: str, text: Any) -> int:
    try:
        value = int(str(text))
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number.") from None
    low, high = {"horizon": (1, 100), "draws": (MIN_DRAWS, MAX_DRAWS), "seed": (0, 2**32 - 1)}[name]
    if not low <= value <= high:
        raise ValueError(f"Give a whole number from {low:,} to {high:,}.")
    return value


def _move(text: str) -> str:
    inputs.parse_move(text)
    return text.strip()


def spec(key: str, params: dict[str, Any], file: Path, references: dict[str, Path]) -> DossierSpec:
    """The `DossierSpec` the CLI builds from the same file and options (`references`: the referenced inputs'
    files by parameter name)."""
    p = {**defaults(key), **params}
    simulation = Simulation(p["draws"], p["seed"], Distribution(p["distribution"])) if "draws" in p else Simulation()
    common = {"unit_costs": references.get("unit_costs"), "deflators": references.get("deflators"),
              "price_year": p.get("price_year")}
    if key == "savings":
        return DossierSpec(savings=file, horizon=p["horizon"], simulation=simulation)
    if key == "cba":
        appraisal = Appraisal(inputs.parse_fraction(p["discount_rate"], "discount rate"),
                              inputs.parse_fraction(p["optimism_bias"], "optimism bias", Decimal(10)),
                              inputs.parse_fraction(p["deadweight"], "deadweight"))
        return DossierSpec(cba=file, appraisal=appraisal, simulation=simulation)
    if key == "journeys":
        return DossierSpec(journeys=file, **common)
    if key == "segments":
        return DossierSpec(segments=file, unit_costs=common["unit_costs"],
                           moves=[inputs.parse_move(m) for m in p["moves"]])
    if key == "unit_costs":
        return DossierSpec(unit_costs=file, deflators=common["deflators"], price_year=p.get("price_year"))
    raise ValueError(f"{key} inputs have no figures of their own.")


def command(key: str, params: dict[str, Any], file_name: str, references: dict[str, str]) -> list[str] | None:
    """The command line that prints the same JSON as the page shows (file names as stored)."""
    found = kind(key)
    if not found.command or key == "rules":
        return None
    p = {**defaults(key), **params}
    args = ["placespend", *found.command, file_name]
    for name in found.params:
        value = p.get(name)
        if name in REFERENCES:
            if references.get(name):
                args += [f"--{name.replace('_', '-')}", references[name]]
        elif name == "moves":
            for move in value:
                args += ["--move", move]
        elif value is not None:
            args += [f"--{name.replace('_', '-')}", str(value)]
    return [*args, "--format", "json"]


def shell(args: list[str] | None) -> str:
    return shlex.join(args) if args else ""
