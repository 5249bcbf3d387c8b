"""Readers for reference and open data (DESIGN.md §6 canonical CSVs and the official layouts); each module
lists its readers in `READERS`, and `placespend.ingest.registry` tries them all in one stated order."""
