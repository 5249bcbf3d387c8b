"""Use case for survey insight: read a respondent-level survey and publish weighted satisfaction by segment,
area and journey stage, with the key drivers of overall satisfaction (see `insight.surveys` for the method)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from placespend.app.spatial_insight import Outcome, finite
from placespend.domain.problems import Report
from placespend.ingest.insight.survey import read_survey
from placespend.insight import surveys as sv
from placespend.insight.disclosure import DEFAULT_THRESHOLD, published_threshold


def survey_results(path: Path, overall: str = "overall", threshold: int = DEFAULT_THRESHOLD,
                   satisfied_from: float = 4) -> Outcome:
    threshold = published_threshold(threshold)
    report = Report(path.name)
    outcome = Outcome([report])
    survey = read_survey(path, report)
    if survey is None:
        return outcome
    if overall not in survey.questions:
        report.error("column-missing", f"There is no overall satisfaction column '{overall}' (name it with "
                     "--overall).", row=1, column=overall)
        return outcome
    w = np.array(survey.weights)
    scores = {q: np.array([np.nan if s is None else s for s in survey.scores[q]]) for q in survey.questions}
    questions = [{"question": q, "stage": i, "by": {g: sv.by_group(survey.labels[g], scores[q], w, threshold,
                                                                   satisfied_from) for g in survey.groups}}
                 for i, q in enumerate(survey.questions, start=1)]
    drivers = sv.key_drivers(scores[overall], {q: scores[q] for q in survey.questions if q != overall}, w,
                             threshold)
    outcome.result = finite({"respondents": len(w), "threshold": threshold, "satisfied_from": satisfied_from,
                              "confidence": sv.CONFIDENCE, "method": sv.__doc__.split("\n\n")[1].replace("\n", " "),
                              "questions": questions, "key_drivers": {"overall": overall, **drivers}})
    return outcome

