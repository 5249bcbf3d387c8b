"""Customer insight (DESIGN.md §7): areas (open small-area statistics) and people (pseudonymised records).

A method layer beside `analysis` and `deepdive`: pure functions over tables handed to it; it never opens
the workspace, and every count of people it publishes goes through disclosure control.
"""
