"""The real spend files of five publishers, and their payments re-read here with the csv module alone.

`raw_payments` is the tests' own reading, independent of placespend's readers: per publisher, the column of
the payee and of the amount, the publisher's own name (payments to itself are not third-party spend) and,
for Gateshead, the income lines and the two defective rows the spend tests pin down (a text in the amount
column; a row holding only an amount).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SHARED, Cli

DATA = SHARED / "data"
COUNCILS = {"Trafford": "trafford-council", "Manchester": "manchester-city-council",
            "Newcastle": "newcastle-city-council", "Gateshead": "gateshead-council"}


def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"../shared/data is absent ({DATA}); these tests read the real public spend files")
    return DATA


def files_of(publisher: str) -> list[Path]:
    odi = data_dir() / "spend-odileeds"
    return {
        "Trafford": [data_dir() / "trafford-360giving-and-spend" / "trafford-supplier-spend-2024-25.zip"],
        "Manchester": sorted((odi / "manchester_clean").glob("*.csv.gz")),
        "Newcastle": sorted((odi / "newcastle_clean").glob("*.csv.gz")),
        "Gateshead": sorted((odi / "gateshead_clean").glob("*.csv.gz")),
        "Cabinet Office": sorted((odi / "cabinetoffice_clean").glob("*.csv"))
        + sorted((odi / "cabinetoffice_processed").glob("*.csv")),
    }[publisher]


PUBLISHERS = ("Trafford", "Manchester", "Newcastle", "Gateshead", "Cabinet Office")


def all_files() -> list[Path]:
    return [path for publisher in PUBLISHERS for path in files_of(publisher)]


@dataclass(frozen=True)
class RawPayment:
    payee: str          # spaces collapsed, as placespend keeps a published name
    amount: Decimal
    revenue: bool


# publisher -> (payee column, amount column, its own name)
COLUMNS = {"Trafford": ("BeneficiaryName", "Amount", "trafford council"),
           "Manchester": ("Supplier Name", "Net Amount", "manchester city council"),
           "Newcastle": ("Supplier Name", "Total (excludes VAT)", "newcastle city council"),
           "Gateshead": ("Supplier ID(T)", "Amount", "gateshead council"),
           "Cabinet Office": ("Supplier", "Amount", "cabinet office")}


def _text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = archive.read(archive.namelist()[0])
    elif raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def raw_payments(publisher: str) -> Iterator[RawPayment]:
    payee_column, amount_column, own = COLUMNS[publisher]
    for path in files_of(publisher):
        table = list(csv.reader(io.StringIO(_text(path), newline="")))
        head = [cell.strip() for cell in table[0]]
        payee_at = head.index(payee_column) if payee_column in head else head.index("Beneficiary Name")
        amount_at = head.index(amount_column)
        for cells in table[1:]:
            if publisher == "Gateshead":
                if not any(c.strip() for i, c in enumerate(cells) if i != amount_at):   # a subtotal row
                    continue
                if cells[1].startswith("Income"):
                    continue
            if not re.fullmatch(r"-?\d+(\.\d+)?", cells[amount_at].strip()):   # Gateshead 2019-04 row 5422
                continue
            payee = " ".join(cells[payee_at].split())
            if payee.casefold() == own:
                continue
            revenue = publisher != "Newcastle" or cells[head.index("Cap/Rev")].strip().lower() != "capital"
            yield RawPayment(payee, Decimal(cells[amount_at].strip()), revenue)


def copy_workspace(source: Path, target_dir: Path) -> Path:
    """A copy of a built workspace for a test that changes it (links, splits)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    shutil.copy(source, target)
    return target


def real_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace with every real file read and resolved through the CLI, built once per test session (the
    test modules share it; those that change it work on a copy)."""
    folder = tmp_path_factory.getbasetemp() / "suppliers-real"
    db = folder / "real.duckdb"
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        result = Cli(db)("suppliers", "resolve", *all_files(), "--format", "json")
        (folder / "resolve.json").write_text(result.stdout, encoding="utf-8")
        (folder / "done").touch()
    return db
