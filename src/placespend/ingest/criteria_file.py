"""Reading a user's criteria set CSV (the parsing rules live with the criteria in domain)."""

from __future__ import annotations

from pathlib import Path

from placespend.domain.criteria import CriteriaSet, parse_criteria
from placespend.domain.problems import Report


def read_criteria_file(path: Path) -> tuple[Report, CriteriaSet | None]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        report = Report(path.name)
        report.error("file-unreadable", f"The criteria file cannot be read ({exc}).")
        return report, None
    return parse_criteria(text, path.name)
