"""`placespend` as a program: a count of one place is answered before the command-line framework loads.

Why: a count of one place as a whole process is what a finance officer or a script runs most often, and
BENCHMARKS.md ("CLI start-up") measured it at 0.49-0.52 s on a quiet machine, of which Typer and Rich took
0.25 s (Typer 0.29 builds its parsers with pydantic) for a query the bare DuckDB process answers in 0.22 s.
So a command line of exactly the count's plain form, `[--db PATH] count --place P --year Y [--format F]
[--engine duckdb]`, is read here, by a parser that knows only that form, and answered by the quick count
(app.quick_count) when it can answer. Any other command line, or a count the quick count leaves to the full
path (a stale workspace, an unknown place, the server holding the file), goes to Typer (cli.main) unchanged,
which parses it again and gives every message, help and error as before.

tests/cli/test_program.py checks that both paths print the same bytes, and that this one loads no Typer.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

FORMATS = ("table", "json", "csv")
ROOT_OPTIONS = {"--db": "db"}
COUNT_OPTIONS = {"--place": "place", "-p": "place", "--year": "year", "-y": "year", "--format": "fmt",
                 "-f": "fmt", "--engine": "engine"}


@dataclass(frozen=True)
class CountAsked:
    """The count's options as the plain form gives them."""

    db: str | None
    place: str
    year: str
    fmt: str


def _options(words: list[str], names: dict[str, str]) -> dict[str, str] | None:
    """`words` read as `--name value` or `--name=value` pairs of the options in `names`, each at most once;
    None for anything else (a flag, a repeat, a missing value, `--help`), which only Typer should read."""
    found: dict[str, str] = {}
    at = 0
    while at < len(words):
        word = words[at]
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name not in names or names[name] in found:
            return None
        if not equals:
            at += 1
            if at == len(words):
                return None
            value = words[at]
        found[names[name]] = value
        at += 1
    return found


def count_asked(argv: list[str]) -> CountAsked | None:
    """The count of `argv` if it is the count's plain form with a place, a year and the DuckDB engine."""
    if "count" not in argv:
        return None
    at = argv.index("count")
    root, own = _options(argv[:at], ROOT_OPTIONS), _options(argv[at + 1:], COUNT_OPTIONS)
    if root is None or own is None or "place" not in own or "year" not in own:
        return None
    engine = own.get("engine", os.environ.get("PLACESPEND_ENGINE") or "duckdb")
    fmt = own.get("fmt", "table")
    if engine != "duckdb" or fmt not in FORMATS:
        return None
    return CountAsked(root.get("db"), own["place"], own["year"], fmt)


def answered_quickly(argv: list[str]) -> bool:
    """Whether the command line was a count the quick count answered (and printed)."""
    asked = count_asked(argv)
    if asked is None:
        return False
    # Imported only for a count (DuckDB, 0.1 s): `--help` and every other command go straight to Typer.
    from placespend.app.quick_count import quick_count
    from placespend.cli.count_show import show_count

    quick = quick_count(asked.db, asked.place, asked.year)
    if quick is None:
        return False
    result, reconciliation = quick
    show_count(result, reconciliation, asked.fmt)
    return True


def run() -> None:
    """The `placespend` program."""
    if answered_quickly(sys.argv[1:]):
        return
    from placespend.cli import main  # Typer and the command table: loaded only for what the quick count left

    main.run()


if __name__ == "__main__":
    run()
