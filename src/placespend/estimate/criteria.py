"""The shipped criteria sets (population share, needs-based); users may pass their own CSV instead (read by the
app: `app.criteria.criteria_named`)."""

from __future__ import annotations

from importlib import resources

from placespend.domain.criteria import CriteriaSet, parse_criteria
from placespend.domain.problems import PlacespendError

SHIPPED = {"population": "criteria_population.csv", "needs": "criteria_needs.csv"}


def shipped_criteria(name: str) -> CriteriaSet:
    text = resources.files("placespend.estimate.data").joinpath(SHIPPED[name]).read_text("utf-8")
    report, criteria = parse_criteria(text, name)
    if criteria is None:
        raise PlacespendError(f"shipped criteria {name} are invalid: {report.errors[0].message}")
    return criteria
