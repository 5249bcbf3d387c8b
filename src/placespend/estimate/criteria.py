"""The shipped criteria sets (population share, needs-based); users may pass their own CSV instead."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from placespend.domain.criteria import CriteriaSet, parse_criteria
from placespend.domain.problems import PlacespendError
from placespend.ingest.criteria_file import read_criteria_file

SHIPPED = {"population": "criteria_population.csv", "needs": "criteria_needs.csv"}


def shipped_criteria(name: str) -> CriteriaSet:
    text = resources.files("placespend.estimate.data").joinpath(SHIPPED[name]).read_text("utf-8")
    report, criteria = parse_criteria(text, name)
    if criteria is None:
        raise PlacespendError(f"shipped criteria {name} are invalid: {report.errors[0].message}")
    return criteria


def criteria_named(name_or_path: str) -> CriteriaSet:
    """A shipped set by name, or a user's CSV file; an invalid file raises with its first problem."""
    if name_or_path in SHIPPED:
        return shipped_criteria(name_or_path)
    report, criteria = read_criteria_file(Path(name_or_path))
    if criteria is None:
        problem = report.errors[0]
        raise PlacespendError(f"{problem.where()}: {problem.message}")
    return criteria
