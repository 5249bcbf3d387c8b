"""Schema versions: numbered SQL files applied once each, in order, inside one transaction.

A workspace records the versions applied to it in `schema_version`, so a workspace made by an older placespend
is brought forward when it is opened, and one made by a newer placespend is refused rather than misread.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from placespend.domain.problems import PlacespendError

if TYPE_CHECKING:  # for the hints only: the CLI's quick count reads the version without importing Ibis (0.9 s)
    from ibis.backends.duckdb import Backend


def _scripts() -> list[tuple[int, str, str]]:
    folder = resources.files("placespend.engine") / "sql"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return max(version for version, _, _ in _scripts())


class SchemaTooNew(PlacespendError):
    """The workspace was written by a newer placespend, whose tables this one does not know."""


def schema_version_of(con: Backend) -> int:
    """The version a workspace is at (0 for a new, empty file); works on a read-only connection."""
    return schema_version_on(con.con)


def schema_version_on(raw) -> int:
    """`schema_version_of` on a plain DuckDB connection."""
    found = raw.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
                        "AND database_name = current_database() AND schema_name = 'main'").fetchone()[0]
    if not found:
        return 0
    return raw.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def check_not_newer(current: int) -> None:
    if current > latest_version():
        raise SchemaTooNew(f"This workspace has schema version {current}, written by a newer placespend than this "
                           f"one (which knows versions up to {latest_version()}): upgrade placespend to open it.")


def migrate(con: Backend, upto: int | None = None) -> int:
    """Bring the schema to the latest version (or to `upto`, to build an older workspace in a test); returns
    the version now in force."""
    raw = con.con
    raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, script VARCHAR, "
                "applied_at TIMESTAMP DEFAULT current_timestamp)")
    current = raw.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    check_not_newer(current)
    for version, name, sql in _scripts():
        if version <= current or (upto is not None and version > upto):
            continue
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute(sql)
            raw.execute("INSERT INTO schema_version (version, script) VALUES (?, ?)", [version, name])
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
        current = version
    return current
