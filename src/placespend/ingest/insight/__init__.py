"""Readers for customer insight's inputs (DESIGN.md §7): tidy area statistics and classifications, boundaries,
values by area, survey responses, sites, pseudonymised people files.

Each reader returns its data and a `Report`; an input with any error yields no data, so nothing is computed
from half a file.
"""
