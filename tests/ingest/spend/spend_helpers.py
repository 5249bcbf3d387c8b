"""Helpers for the spend-file tests: the real files in ../shared/data and exact counts through the CLI.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SHARED

DATA = SHARED / "data"


def data_dir() -> Path:
    """../shared/data, or a clean skip where it is absent (e.g. on a user's machine)."""
    if not DATA.is_dir():
        pytest.skip(f"../shared/data is absent ({DATA}); these tests read the real public spend files")
    return DATA


def count_total(cli, place: str, year: str) -> tuple[Decimal, dict]:
    """`placespend count` as JSON with exact pence (the CLI prints pounds as JSON numbers)."""
    out = cli("count", "--place", place, "--year", year, "--format", "json").stdout
    payload = json.loads(out, parse_float=Decimal)
    return Decimal(str(payload["total"])), payload


def import_json(cli, *files: Path, expect: int = 0) -> list[dict]:
    return json.loads(cli("import", *files, "--format", "json", expect=expect).stdout)
