"""Analyses that point to where money can work harder (DESIGN.md §1, seed 000 §4).

Each module is one concern and a pure function of the engine's tables, written as Ibis expressions so it
runs on DuckDB and Spark alike; only the last arithmetic over a few aggregated rows happens in Python,
in Decimal so that the shares and pennies are the same on every engine:

- ``composition``: COFOG and body-type shares (seed 000 Tables 2 and 3);
- ``concentration``: spending bodies ranked, top-N shares, Herfindahl-Hirschman index, small bodies;
- ``local_control``: every counted flow on a spectrum from locally decided to centrally directed;
- ``per_head``: spend per head, need-adjusted, benchmarked across places (seed 000 footnote 14);
- ``funding_routes``: original source -> intermediaries -> final spender, hand-overs and their cost.
"""
