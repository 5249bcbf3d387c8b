"""The schema carries a version; a workspace made by an older placespend is brought forward when it is
opened, by any command, and one made by a newer placespend is refused in one sentence.

The older workspaces are built here from the package's own numbered SQL files, applying only the first ones,
so no binary fixture is kept and every earlier version is tried, not just the one before.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from workspace_support import workspace_at

from placespend.engine.migrations import latest_version

from conftest import Cli


def _schema(path: Path) -> set[tuple[str, str, str]]:
    raw = duckdb.connect(str(path), read_only=True)
    try:
        return {tuple(row) for row in raw.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main'").fetchall()}
    finally:
        raw.close()


def _version(path: Path) -> int:
    raw = duckdb.connect(str(path), read_only=True)
    try:
        return raw.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    finally:
        raw.close()


@pytest.fixture(scope="module")
def current_schema(tmp_path_factory) -> set[tuple[str, str, str]]:
    return _schema(workspace_at(tmp_path_factory.mktemp("now") / "now.duckdb", latest_version()))


@pytest.mark.parametrize("version", range(1, latest_version()))
def test_an_older_workspace_is_brought_forward_by_a_read(tmp_path, version, current_schema):
    db = workspace_at(tmp_path / "old.duckdb", version)
    assert _version(db) == version
    counted = Cli(db).json("count", "--place", "E09000023", "--year", "2008-09")  # a read-only command
    assert counted["total"] == 1000.50 + 234.00 and counted["lines"] == 2
    assert counted["by_cofog"] == {"10": 1000.5, "07": 234.0}
    assert _version(db) == latest_version()
    assert _schema(db) == current_schema


def test_the_previous_schema_takes_new_returns_after_migrating(tmp_path, make_csv):
    from conftest import line

    db = workspace_at(tmp_path / "old.duckdb", latest_version() - 1)
    cli = Cli(db)
    cli("ingest", make_csv("pct.csv", [line(spender="pct", spender_type="nhs", cofog="07", amount="66.00")]))
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 1000.50 + 234.00 + 66.00
    assert _version(db) == latest_version()


def test_a_workspace_of_a_newer_placespend_is_refused_in_one_sentence(tmp_path):
    db = workspace_at(tmp_path / "new.duckdb", latest_version())
    raw = duckdb.connect(str(db))
    raw.execute("INSERT INTO schema_version (version, script) VALUES (?, 'from the future')", [latest_version() + 1])
    raw.close()
    before = db.read_bytes()
    for command in (["count", "--place", "E09000023", "--year", "2008-09"], ["ingest", str(db)]):
        result = Cli(db)(*command, expect=2)
        said = " ".join(result.output.split())
        assert f"schema version {latest_version() + 1}" in said and "upgrade placespend" in said, said
        assert "Traceback" not in said
    assert db.read_bytes() == before


def test_api_tokens_of_the_previous_schema_get_an_expiry_that_does_not_cut_them_off_at_the_upgrade(tmp_path):
    """Schema 13 gives API tokens an expiry (OWASP ASVS 3.5): one issued before is kept 90 days from its
    creation, and at least 30 days from the upgrade, so a nightly script is not stopped by the upgrade."""
    import datetime as dt
    import hashlib

    from placespend.app import accounts
    from placespend.app.workspace import open_workspace

    db = workspace_at(tmp_path / "old.duckdb", 12)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    raw = duckdb.connect(str(db))
    raw.execute("INSERT INTO users VALUES (1, 'old', 'not a hash', 'viewer', NULL, NULL, ?)", [now])
    for token, age in (("ps_recent", 10), ("ps_ancient", 400)):
        raw.execute("INSERT INTO api_tokens VALUES (?, 1, ?, ?)",
                    [hashlib.sha256(token.encode()).hexdigest(), token, now - dt.timedelta(days=age)])
    raw.close()
    ws = open_workspace(db)
    try:
        expiry = {t["label"]: t["expires_at"] for t in accounts.tokens_of(ws, accounts.user_named(ws, "old"))}
        assert abs(expiry["ps_recent"] - (now + dt.timedelta(days=80))) < dt.timedelta(minutes=5)
        assert abs(expiry["ps_ancient"] - (now + dt.timedelta(days=30))) < dt.timedelta(minutes=5)
        assert accounts.token_user(ws, "ps_recent").username == "old"
        assert accounts.token_user(ws, "ps_ancient").username == "old"
    finally:
        ws.close()
    assert _version(db) == latest_version()
