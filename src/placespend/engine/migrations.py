"""Schema versions: numbered SQL files applied once each, in order, inside one transaction."""

from __future__ import annotations

from importlib import resources

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


def migrate(con: Backend) -> int:
    """Bring the schema to the latest version; returns the version now in force."""
    raw = con.con
    raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, script VARCHAR, "
                "applied_at TIMESTAMP DEFAULT current_timestamp)")
    current = raw.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    for version, name, sql in _scripts():
        if version <= current:
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
