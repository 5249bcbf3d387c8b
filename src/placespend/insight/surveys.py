"""Weighted survey estimates with design-based 95% confidence intervals, by segment, area and journey stage,
and the key drivers of overall satisfaction (seed 000 §5.3: Croydon identified drivers of satisfaction;
seed 002 §8: Derbyshire measured satisfaction at each stage of a journey).

The design is a single-stage sample with replacement and unequal weights: the weighted mean is a ratio
estimator and its linearised (Taylor) variance is n/(n-1) * sum w_i^2 (y_i - mean)^2 / (sum w_i)^2. That is
exactly statsmodels' weighted least squares on a constant with HC1 standard errors, so the same estimator
gives the means and the drivers' regression; intervals use Student's t with n-1 (n-k) degrees of freedom.
A cell with fewer respondents than the disclosure threshold is published as suppressed, not estimated. The
threshold can be raised by the caller but never lowered below the default (`disclosure.published_threshold`):
a count of 1 or 2 respondents identifies people whoever uploads the file.
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm

from placespend.insight.disclosure import protect

CONFIDENCE = 0.95


def estimate(y: np.ndarray, w: np.ndarray, threshold: int) -> dict[str, object]:
    """Weighted mean of the answered scores with its linearised SE and 95% CI, or a suppression note."""
    answered = ~np.isnan(y)
    n = int(answered.sum())
    if n < max(threshold, 2):
        return {"n": None, "suppressed": f"fewer than {max(threshold, 2)} respondents"}
    fit = sm.WLS(y[answered], np.ones((n, 1)), weights=w[answered]).fit(cov_type="HC1", use_t=True)
    low, high = fit.conf_int(alpha=1 - CONFIDENCE)[0]
    return {"n": n, "weighted_n": float(w[answered].sum()), "mean": float(fit.params[0]),
            "se": float(fit.bse[0]), "ci_low": float(low), "ci_high": float(high)}


def satisfied_share(y: np.ndarray, w: np.ndarray, satisfied_from: float, threshold: int) -> dict[str, object]:
    """The weighted share scoring at least `satisfied_from` (a 'top box' figure), by the same estimator."""
    flags = np.where(np.isnan(y), np.nan, (y >= satisfied_from).astype(float))
    return estimate(flags, w, threshold)


def by_group(labels: list[str], y: np.ndarray, w: np.ndarray, threshold: int,
             satisfied_from: float) -> list[dict[str, object]]:
    """All respondents first, then each group in order of first appearance.

    Respondents are people: the number answering in each group passes disclosure control (`protect`) with
    the number answering in all, so a small group is not worked out as the total less the groups shown; a
    group withheld for that (secondary suppression) is withheld whole, its estimates with its count.
    """
    values = np.array(labels)
    groups = list(dict.fromkeys(labels))
    answered = [int((~np.isnan(y[values == label])).sum()) for label in groups]
    counts = protect([{"group": g, "n": n} for g, n in zip(groups, answered, strict=True)], ["n"], None,
                     max(threshold, 2)) if groups else None
    shown = {row["group"] for row in counts.rows if row["n"] is not None} if counts else set()
    everyone = counts is None or counts.column_totals["n"] is not None
    rows = [{"group": "(all)", **_cell(y, w, threshold, satisfied_from, everyone)}]
    for label, n in zip(groups, answered, strict=True):
        mask = values == label
        rows.append({"group": label, **_cell(y[mask], w[mask], threshold, satisfied_from, label in shown,
                                             small=0 < n < max(threshold, 2))})
    return rows


def _cell(y: np.ndarray, w: np.ndarray, threshold: int, satisfied_from: float, published: bool,
          small: bool = False) -> dict[str, object]:
    if not published and not small:
        note = {"n": None, "suppressed": "withheld so that a small group cannot be worked out from the others"}
        return {**note, "satisfied": dict(note)}
    return {**estimate(y, w, threshold), "satisfied": satisfied_share(y, w, satisfied_from, threshold)}


def key_drivers(overall: np.ndarray, drivers: dict[str, np.ndarray], w: np.ndarray,
                threshold: int) -> dict[str, object]:
    """Weighted regression of overall satisfaction on the other scores (complete answers only), HC1 errors."""
    names = list(drivers)
    x = np.column_stack([drivers[name] for name in names]) if names else np.empty((len(overall), 0))
    complete = ~np.isnan(overall) & ~np.isnan(x).any(axis=1)
    n = int(complete.sum())
    if not names or n < max(threshold, len(names) + 2):
        return {"n": n if n >= threshold else None,
                "suppressed": f"needs at least {max(threshold, len(names) + 2)} complete responses"}
    fit = sm.WLS(overall[complete], sm.add_constant(x[complete], has_constant="add"), weights=w[complete]).fit(
        cov_type="HC1", use_t=True)
    bounds = fit.conf_int(alpha=1 - CONFIDENCE)
    rows = [{"question": name, "coefficient": float(fit.params[i + 1]), "se": float(fit.bse[i + 1]),
             "ci_low": float(bounds[i + 1][0]), "ci_high": float(bounds[i + 1][1]),
             "p": float(fit.pvalues[i + 1])} for i, name in enumerate(names)]
    rows.sort(key=lambda r: -abs(r["coefficient"]))
    return {"n": n, "r_squared": float(fit.rsquared), "intercept": float(fit.params[0]), "drivers": rows}
