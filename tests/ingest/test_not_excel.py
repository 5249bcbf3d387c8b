"""A file named .xlsx that is not a workbook says so, with its name, in `ingest`, `import` and the places import;
nothing is loaded. Before, random bytes were "not a spreadsheet or CSV", a cut-short zip "cannot be opened",
a CSV renamed .xlsx was loaded as a CSV by `ingest` and "not recognised" by `import`."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from openpyxl import Workbook

from conftest import snapshot

CSV_TEXT = ("period,place,spender,spender_type,flow,amount,cofog\n"
            "2008-09,E09000023,lbl,local_authority,spend,10.00,10.2\n")


def _workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


BAD = {
    "random.xlsx": (random.Random(7).randbytes(3000), "other binary data"),
    "cut-short.xlsx": (_workbook_bytes()[:1500], "cut short or damaged"),
    "renamed.xlsx": (CSV_TEXT.encode(), "plain text, e.g. a CSV"),
    "other-zip.xlsx": (_zip_of("notes.txt", "hello"), "not of a workbook"),
    "damaged.xlsx": (_zip_of("[Content_Types].xml", "<not xml"), "parts in it cannot be read"),
}


@pytest.mark.parametrize("command", ["ingest", "import"])
@pytest.mark.parametrize("name", list(BAD))
def test_a_file_named_xlsx_that_is_not_a_workbook_says_so(cli, tmp_path, command, name):
    data, reason = BAD[name]
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(data)
    before = snapshot(cli.db.parent)
    result = cli(command, path, expect=1)
    flat = " ".join(result.output.split())
    assert f"error not-excel file: {name} is not a valid Excel file: " in flat, flat
    assert reason in flat
    assert "column names" not in flat and "not recognised" not in flat
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a report, not a traceback
    assert snapshot(cli.db.parent) == before  # nothing half-loaded


def test_a_real_workbook_still_reads(cli, tmp_path):
    """The check does not stand in a workbook's way: the template's own example loads."""
    from placespend.report.template import write_template

    template = write_template(tmp_path / "return.xlsx")
    result = cli("ingest", template, expect=None)
    assert "not a valid Excel file" not in result.output
