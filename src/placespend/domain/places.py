"""A place: a named composite of ONS areas (DESIGN.md §4: a line is in a place's scope when its place is the place
itself or one of these areas), as the places reader gives it and the engine stores it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Place:
    place: str
    name: str
    region: str | None
    areas: list[str] = field(default_factory=list)
