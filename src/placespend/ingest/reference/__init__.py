"""Readers for reference and open data (DESIGN.md §6 canonical CSVs and the official layouts)."""

from placespend.ingest.reference.registry import detect, read_reference

__all__ = ["detect", "read_reference"]
