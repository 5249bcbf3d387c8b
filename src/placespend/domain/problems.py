"""Data problems as values (DESIGN.md §2): typed, positioned, serialisable, never exceptions."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from placespend.domain.vocabulary import printable

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, said so that a finance officer can find and fix it."""

    severity: Severity
    slug: str
    message: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


@dataclass
class Report:
    """Everything validation found in one file; loading goes ahead only when it holds no error."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    def add(self, severity: Severity, slug: str, message: str, **where: object) -> None:
        self.problems.append(Problem(severity, slug, message, self.file, **where))  # type: ignore[arg-type]

    def error(self, slug: str, message: str, **where: object) -> None:
        self.add("error", slug, message, **where)

    def warn(self, slug: str, message: str, **where: object) -> None:
        self.add("warning", slug, message, **where)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "ok": self.ok,
            "rows_read": self.rows_read,
            "errors": [asdict(p) for p in self.errors],
            "warnings": [asdict(p) for p in self.warnings],
        }


class PlacespendError(Exception):
    """Misuse the caller must fix (unknown place, missing workspace); data problems never raise this."""


class WorkspaceClosed(PlacespendError):
    """A server's workspace was closed as the server stopped, and a thread still at work (pages being prepared
    in the background) asked for it: the thread stops instead of opening the file again, which, cut off as the
    process ends, would leave a write-ahead log behind."""


class WorkspaceBusy(PlacespendError):
    """Another process holds the workspace file (DuckDB allows one writing process per file, and a running
    `placespend serve` keeps it open), which users meet as soon as they run the CLI beside the web app.

    A value here rather than in the engine so that the CLI's entry point can catch it without importing the
    engine and its libraries, which every command, even `--help`, would then wait for."""

    def __init__(self, path: Path, detail: str) -> None:
        pid = re.search(r"PID (\d+)", detail)
        self.path, self.pid = path, int(pid.group(1)) if pid else None
        self.command_line: list[str] | None = None  # the CLI's command, when it may be run by the holder
        holder = f"another placespend process (PID {self.pid})" if self.pid else "another process"
        super().__init__(f"The workspace {path} is in use by {holder}, for example `placespend serve`: "
                         "use the web app or its API while it runs, or stop it and run this command again.")


class UnknownCode(PlacespendError):
    """A code the user gave (a place, COFOG code, year, body type, body) that names nothing the workspace knows.

    Answering it with an empty result would be a silent wrong answer (a place total of GBP 0, every line as
    the lines of COFOG '99'), so it is refused, naming the nearest known codes; the web answers 404."""

    def __init__(self, kind: str, given: str, nearest: list[str], hint: str = "") -> None:
        self.kind, self.given, self.nearest = kind, given, nearest
        message = f"Unknown {kind} '{printable(given)}'."
        if nearest:
            message += f" Nearest known: {', '.join(nearest)}."
        super().__init__(f"{message} {hint}".strip())
