"""Use cases: the only layer that opens the workspace (DESIGN.md §2)."""
