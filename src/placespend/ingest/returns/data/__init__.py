"""Packaged reference data of the returns readers (see README.md)."""
