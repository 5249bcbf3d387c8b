"""Shared fixtures: a fresh workspace per test, the real CLI, and writers for returns."""

from __future__ import annotations

import atexit
import csv
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from placespend.app import ingest_files
from placespend.cli.main import app
from placespend.report.template import write_template

REPO = Path(__file__).resolve().parents[1]
# The real public data beside the checkout; PLACESPEND_SHARED names it when the tests run from a copy of the repo
# elsewhere (mutmut runs them from its `mutants/` folder, whose parent is the checkout, not the checkout's parent).
SHARED = Path(os.environ.get("PLACESPEND_SHARED") or REPO.parent / "shared")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"../shared/data is absent ({path}); these tests read the real public data")
    return path


SPARK_WARNINGS = (  # pyspark 4.0 and ibis 12 still use pandas options that pandas 3 deprecates; harmless here
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*(infer_string|copy keyword).*"))
ENGINES = ("duckdb", pytest.param("spark", marks=(pytest.mark.spark, *SPARK_WARNINGS)))


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a method-layer test runs on. The figures worked by hand are checked on DuckDB and on Spark
    (DESIGN.md §2: one set of queries, two engines); the Spark half is marked `spark` and needs the extra."""
    if request.param == "spark":
        pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]'")
        if shutil.which("java") is None:
            pytest.skip("no Java runtime on PATH: Spark needs Java 17 (apt-get install default-jre-headless)")
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return request.param


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ws" / "test.duckdb"


class Cli:
    """Runs `placespend --db DB ...` in process, through the real Typer app."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int | None = 0) -> Any:
        result = self.runner.invoke(app, ["--db", str(self.db), *map(str, args)])
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return result

    def json(self, *args: str, expect: int | None = 0) -> Any:
        return json.loads(self(*args, "--format", "json", expect=expect).stdout)


@pytest.fixture
def cli(db: Path) -> Cli:
    return Cli(db)


_built_demo: list[Path] = []


def demo_copy(db: Path) -> Cli:
    """The CLI on a copy, at `db`, of the demo workspace `placespend demo` builds: built once per test process
    and copied (the file and its stored submissions). Why: a dozen modules start from the demo, and each build
    is a quarter of a minute of the suite's time; a copy holds what another build would. tests/app/demo
    builds it itself, to test the building."""
    if not _built_demo:
        folder = Path(tempfile.mkdtemp(prefix="placespend-demo-"))
        atexit.register(shutil.rmtree, folder, True)
        Cli(folder / "demo.duckdb")("demo")
        _built_demo.append(folder / "demo.duckdb")
    built = _built_demo[0]
    db.parent.mkdir(parents=True, exist_ok=True)
    for source, target in ((built, db), (built.with_name(built.name + ".wal"), db.with_name(db.name + ".wal"))):
        if source.exists():
            shutil.copyfile(source, target)
    shutil.copytree(built.with_name(built.stem + ".submissions"), db.with_name(db.stem + ".submissions"))
    return Cli(db)


def write_csv(path: Path, rows: Iterable[dict[str, Any]], columns: list[str] | None = None) -> Path:
    rows = list(rows)
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, rows: Iterable[dict[str, Any]], columns: list[str] | None = None) -> Path:
        return write_csv(tmp_path / "in" / name, rows, columns)

    return make


def snapshot(folder: Path) -> dict[str, str]:
    """Hash of every file under the workspace folder: 'unchanged' means byte for byte."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def line(**overrides: Any) -> dict[str, Any]:
    """A valid spend line of a council in Lewisham, 2008-09, with any field overridden."""
    base = {"period": "2008-09", "place": "E09000023", "spender": "lbl", "spender_type": "local_authority",
            "flow": "spend", "amount": "1000.00", "cofog": "10.2"}
    base.update(overrides)
    return base


def charity_spelled_two_ways(workspace: Any, folder: Path) -> None:
    """Lewisham council spends 1,000 and grants 500 to a charity the grants file names '360g-x-cyril'; the charity
    reports its 500 under its company id; a second council id ('gb-lae-lew', which the org-id lookup places in
    Lewisham) passes it 10. The bodies register's rules find both pairs."""
    rows = [
        line(spender="e09000023", spender_name="Lewisham", amount="1000"),
        line(spender="e09000023", flow="transfer", amount="500", recipient="360g-x-cyril",
             recipient_name="Cyril Flint Befrienders Ltd", recipient_type="third_sector"),
        line(spender="gb-coh-07962245", spender_name="Cyril Flint Befrienders Limited", spender_type="third_sector",
             amount="500"),
        line(spender="gb-lae-lew", spender_name="London Borough of Lewisham", amount="10", flow="transfer",
             recipient="360g-x-cyril", recipient_type="third_sector"),
    ]
    [result] = ingest_files.ingest_returns(workspace, [write_csv(folder / "flows.csv", rows)], submitter="partnership")
    assert result.outcome == "loaded", result.report.errors
    lookup = folder / "la_orgid_to_gss.csv"
    with lookup.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["org_id", "name", "normalised_name", "gss_code", "area_name", "area_type", "active"])
        writer.writerow(["GB-LAE-LEW", "London Borough of Lewisham", "Lewisham", "E09000023", "Lewisham", "E09",
                         "TRUE"])
    assert ingest_files.import_reference(workspace, lookup).outcome == "loaded"


def register_row(code: str, lon: Any = "", lat: Any = "", crs: str = "WGS84", **more: Any) -> dict[str, Any]:
    """A row of a Transparency Code land and buildings register (WGS84 unless said), any column overridden."""
    row = {"OrganisationLabel": "Test body", "AssetCode": code, "PropertyName": f"Site {code}", "GeoX": lon,
           "GeoY": lat, "CoordinateReferenceSystem": crs if lon != "" else "", "TenureType": "Freehold",
           "TenureDetail": "Owner Occupied", "HoldingType": "Buildings", **more}
    return row


def write_assets_template(path: Path, rows: list[dict[str, Any]]) -> Path:
    """The partner template with `rows` typed into its Assets sheet, by the template's headings."""
    write_template(path)
    book = load_workbook(path)
    sheet = book["Assets"]
    at = {cell.value: cell.column for cell in sheet[1]}
    for number, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(number, at[name], value)
    book.save(path)
    return path


def inked_pages(pdf: Path, folder: Path, dpi: int = 40) -> list[float]:
    """Each page of a PDF rendered to PNG by poppler's pdftoppm, as the share of its pixels darker than light
    grey: a blank page scores 0."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")], check=True)
    shares = []
    for page in sorted(folder.glob("page*.png")):
        grey = Image.open(page).convert("L")
        shares.append(sum(grey.histogram()[:200]) / (grey.width * grey.height))
    return shares


def need_chromium() -> None:
    """Browser tests need Debian's chromium: skipped without it, except in CI, where it is installed."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port, in a thread; its workspace closed after."""
    import uvicorn

    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    # On a loaded machine start-up can take seconds: wait for it, up to a minute, rather than let the test's first
    # request find nothing listening.
    deadline = time.monotonic() + 60
    try:
        while not instance.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert instance.started, f"uvicorn did not start on port {port} (its thread is alive: {thread.is_alive()})"
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)
        app.state.workspace.close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright, with nothing that reaches outside the machine."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            yield browser
        finally:
            browser.close()
