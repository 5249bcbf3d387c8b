"""What a record linkage runs on, as the linkage methods see it: something that opens a fresh Splink database API
for one run (its tables vanish with it).

Why a callable handed in: the methods (insight.linkage, procurement.name_model) must not choose or open a
database (DESIGN.md §2: that is the engine's work, chosen by the app layer), yet a linkage that samples its
training records opens one database to train and another to score.
"""

from __future__ import annotations

from typing import Any, Protocol


class LinkageDatabase(Protocol):
    def __call__(self) -> Any:
        """A fresh Splink database API (DuckDBAPI, SparkAPI) for one linkage run."""
        ...
