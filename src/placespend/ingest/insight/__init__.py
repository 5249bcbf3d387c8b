"""Readers for customer insight's open area files (DESIGN.md §7): tidy statistics and area classifications."""

from placespend.ingest.insight import area_files  # noqa: F401  (registers its readers)
