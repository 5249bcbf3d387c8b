"""Which criteria set a user asks for: a shipped one by name, or their own CSV file, read by ingest."""

from __future__ import annotations

from pathlib import Path

from placespend.domain.criteria import CriteriaSet
from placespend.domain.problems import PlacespendError
from placespend.estimate.criteria import SHIPPED, shipped_criteria
from placespend.ingest.criteria_file import read_criteria_file

__all__ = ["SHIPPED", "criteria_named", "shipped_criteria"]


def criteria_named(name_or_path: str) -> CriteriaSet:
    """A shipped set by name, or a user's CSV file; an invalid file raises with its first problem."""
    if name_or_path in SHIPPED:
        return shipped_criteria(name_or_path)
    report, criteria = read_criteria_file(Path(name_or_path))
    if criteria is None:
        problem = report.errors[0]
        raise PlacespendError(f"{problem.where()}: {problem.message}")
    return criteria
