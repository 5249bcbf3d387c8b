"""The example deep-dive inputs shipped with the package (see data/README.md: mostly illustrative figures)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DATA = "placespend.deepdive.data"


def example_names() -> list[str]:
    return sorted(p.name for p in resources.files(DATA).iterdir() if p.name.endswith((".csv", ".md")))


def example_path(name: str) -> Path:
    """Path of one shipped example (the package is installed as files, so this is a real path)."""
    return Path(str(resources.files(DATA).joinpath(name)))


def write_examples(folder: Path) -> list[Path]:
    """Copy every example into `folder`, so users start from files in the right layout."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in example_names():
        target = folder / name
        target.write_bytes(resources.files(DATA).joinpath(name).read_bytes())
        written.append(target)
    return written
