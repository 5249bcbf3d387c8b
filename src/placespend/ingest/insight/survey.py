"""Respondent-level survey responses: `respondent_id`, `segment` and/or `area`, `weight`, then one column per
question holding a score (e.g. 1-5); a blank answer is missing, not zero.

Question columns keep the file's order, so a journey's stages read left to right (seed 002 §8, Derbyshire's
social services assessment: initial contact, assessment, service start, review, closure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.insight.area_values import parse_number
from placespend.ingest.insight.csv_table import read_csv_table

GROUPS = ("segment", "area")
FIXED = ("respondent_id", "weight", *GROUPS)


@dataclass
class Survey:
    """Columns of equal length: weights, group labels, and each question's scores (None = no answer)."""

    groups: list[str]
    questions: list[str]
    weights: list[float] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, list[float | None]] = field(default_factory=dict)


def read_survey(path: Path, report: Report) -> Survey | None:
    table = read_csv_table(path, report, ("respondent_id", "weight"), "survey")
    if table is None:
        return None
    groups = [g for g in GROUPS if g in table.columns]
    questions = [c for c in table.columns if c and c not in FIXED]
    if not groups:
        report.error("column-missing", "The survey needs a segment or an area column to group respondents by.",
                     row=1, column="segment")
    if not questions:
        report.error("column-missing", "The survey has no question columns.", row=1)
    if not report.ok:
        return None
    survey = Survey(groups, questions, labels={g: [] for g in groups}, scores={q: [] for q in questions})
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        respondent = cells["respondent_id"]
        if not respondent or respondent in seen:
            report.error("respondent-invalid", f"The respondent id is blank or repeats row {seen.get(respondent)}.",
                         row=number, column="respondent_id", value=respondent)
            continue
        seen[respondent] = number
        weight = parse_number(cells["weight"])
        if weight is None or weight <= 0:
            report.error("weight-invalid", f"'{cells['weight']}' is not a positive weight.", row=number,
                         column="weight", value=cells["weight"])
            continue
        answers = {}
        for question in questions:
            text = cells[question]
            score = parse_number(text) if text else None
            if text and score is None:
                report.error("score-not-number", f"'{text}' is not a score.", row=number, column=question,
                             value=text)
            answers[question] = float(score) if score is not None else None
        survey.weights.append(float(weight))
        for group in groups:
            survey.labels[group].append(cells[group] or "(blank)")
        for question, score in answers.items():
            survey.scores[question].append(score)
    return survey if report.ok else None
