"""Readers of the files customer insight takes (DESIGN.md §7)."""
