"""The Table-1 pilots workspace: the demo plus PESA 2009 chapter 9, ONS population and the LAD -> region lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED, Cli, demo_copy

PESA = "pesa2009-wdmmg/pesa2009_chapter9_identifiable_by_region_function_flat.csv"
POPULATION = "population-demographr/population19_ltla19.csv"
LOOKUP = "lookups-ons-jtrim/016_lad18_to_region_England.csv.gz"


def build_pilots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, Path]:
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip("../shared/data is absent")
    cli = demo_copy(tmp_path_factory.mktemp("pilots") / "pilots.duckdb")
    cli("import", data / PESA, data / POPULATION, data / LOOKUP)
    return cli, data
