"""Monte Carlo over a CBA's uncertain cash flows: P10/P50/P90 of NPV, BCR and the payback year.

Each flow with a low and high is drawn from its range (see `uncertainty`). Flows in one stream move together
(by default one agency's benefits, or one agency's investment, across all years: if a programme under-delivers,
it does so every year), different streams independently. Optimism bias, deadweight and discounting apply to
every draw as to the central case.

'All at worst' is every benefit at its low and every investment at its high at once; 'all at best' the reverse.
They bound what is possible, not what is likely: the P10-P90 band is the margin for error to report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from placespend.deepdive.cba import INVESTMENT, CashFlow, CbaResult
from placespend.deepdive.uncertainty import Simulation, draw, spread, to_decimal, uniforms


def simulate(result: CbaResult, simulation: Simulation | None = None) -> tuple[dict[str, Any] | None, Any]:
    """Percentiles of the appraisal's results over draws of every uncertain flow, and the NPV of every draw they
    were read from (kept to chart their distribution); (None, None) if nothing is uncertain."""
    simulation = simulation or Simulation()
    flows = result.flows
    if not any(not flow.amount.certain for flow in flows):
        return None, None
    years = sorted(result.years)
    index = {year: position for position, year in enumerate(years)}
    u = uniforms((f.stream_key for f in flows if not f.amount.certain), simulation.draws, simulation.seed)
    investment = np.zeros((len(years), simulation.draws))
    benefit = np.zeros((len(years), simulation.draws))
    worst = best = 0.0
    for flow in flows:
        weight = float(result.appraisal.adjustment(flow.kind) * result.appraisal.factor(flow.year))
        values = _values(flow, u, simulation)
        target = investment if flow.kind == INVESTMENT else benefit
        target[index[flow.year]] += values * weight
        low, high = float(flow.amount.low) * weight, float(flow.amount.high) * weight
        worst += -high if flow.kind == INVESTMENT else low
        best += -low if flow.kind == INVESTMENT else high
    pv_investment, pv_benefit = investment.sum(axis=0), benefit.sum(axis=0)
    npv = pv_benefit - pv_investment
    with np.errstate(divide="ignore", invalid="ignore"):
        bcr = np.where(pv_investment > 0, pv_benefit / pv_investment, np.inf)
    return {
        **simulation.to_dict(),
        "uncertain_rows": sum(1 for flow in flows if not flow.amount.certain),
        "npv": spread(npv, result.total.npv, to_decimal(worst), to_decimal(best)).to_dict(),
        "bcr": _percentiles(bcr),
        "payback_year": _percentiles(_payback(investment, benefit, years)),
        "probability_npv_positive": to_decimal(float((npv > 0).mean())),
    }, npv


def _values(flow: CashFlow, u: dict[str, np.ndarray], simulation: Simulation) -> np.ndarray:
    if flow.amount.certain:
        return np.full(simulation.draws, float(flow.amount.central))
    return draw(flow.amount, u[flow.stream_key], simulation.distribution)


def _payback(investment: np.ndarray, benefit: np.ndarray, years: list[int]) -> np.ndarray:
    """Payback year of each draw (inf where the benefits never catch up within the flows' years)."""
    paid = np.cumsum(benefit, axis=0) >= np.cumsum(investment, axis=0)
    first = np.argmax(paid, axis=0)
    year_of = np.asarray(years, dtype=float)[first]
    return np.where(paid.any(axis=0), year_of, np.inf)


def _percentiles(samples: np.ndarray) -> dict[str, Any]:
    """P10/P50/P90 read from the draws themselves (no interpolation), so 'never' (inf) stays 'never'."""
    values = np.percentile(samples, (10, 50, 90), method="inverted_cdf")
    return {name: (None if not np.isfinite(v) else to_decimal(v))
            for name, v in zip(("p10", "p50", "p90"), values, strict=True)}
