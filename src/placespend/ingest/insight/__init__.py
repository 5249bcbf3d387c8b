"""Readers for customer-insight inputs (DESIGN.md §7): boundaries, values by area, survey responses, sites.

Each reader returns its data and a `Report`; an input with any error yields no data, so nothing is computed
from half a file.
"""
