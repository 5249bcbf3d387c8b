"""Deep dives (issue 7): themes across COFOG, unit costs, customer journeys, cohorts, savings with ranges and
the cost-benefit of prevention.

Pure functions over the engine's tables (themes) or over small validated inputs (everything else); money is
Decimal throughout and is rounded to pennies only when it is shown. Monte Carlo figures are floats drawn with
a seeded numpy generator, so the same inputs and seed always give the same P10/P50/P90.
"""
