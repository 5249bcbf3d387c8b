"""Packaged reference data of the grants readers (see README.md)."""
