"""The programme board's deep-dive report: HTML and PDF from the same figures, PDF pages rendered to PNG
(pdftoppm) and checked to be non-blank, every section citing its inputs."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from deepdive_support import DeepdiveCli, example

from conftest import inked_pages, line

PLACE, YEAR = "E09000023", "2008-09"


@pytest.fixture
def dd(db):
    return DeepdiveCli(db)


@pytest.fixture
def report_files(dd, make_csv, tmp_path) -> tuple[Path, Path]:
    dd("ingest", make_csv("council.csv", [
        line(spender="council", spender_type="local_authority", amount="250000", cofog="10.5",
             funding_stream="Working Neighbourhoods Fund"),
        line(spender="council", spender_type="local_authority", amount="750000", cofog="07.4", notes="alcohol"),
    ]))
    html, pdf = tmp_path / "out" / "deepdive.html", tmp_path / "out" / "deepdive.pdf"
    dd("deepdive", "report", "--html", html, "--pdf", pdf, "--title", "Prevention deep dive",
       "--place", PLACE, "--year", YEAR, "--theme", "worklessness", "--rules", example("theme_rules_example.csv"),
       "--unit-costs", example("unit_costs_example.csv"), "--journeys", example("bresha_journey.csv"),
       "--segments", example("peterborough_segments.csv"), "--move", "chaotic>barely coping:30",
       "--savings", example("savings_example.csv"), "--cba", example("leicester_alcohol_cba.csv"),
       "--draws", "2000")
    return html, pdf


def test_html_report_holds_every_part_with_its_sources(report_files):
    text = report_files[0].read_text(encoding="utf-8")
    # Theme: 250,000 of the 1,000,000 counted; Bresha GBP 56,890; the 30 moved chaotic -> barely coping save
    # 30 x (49,425 - 6,527) = 1,286,940; Leicester NPV 4,224,083.80 and A - (B + C) = Y.
    for figure in ("£250,000.00", "£1,000,000.00", "£56,890.00", "£1,286,940.00", "£4,224,083.80",
                   "A - (B + C) = Y", "P10", "P90"):
        assert figure in text, figure
    assert "<svg" in text and "Journey timeline" in text
    # Traceability: step 14 of the journey is row 15 of its file (after the header), costed from SS-CIN; the
    # appendix gives the SHA-256 of every input file.
    assert "row 15; unit cost SS-CIN (2009-10)" in text
    for name in ("bresha_journey.csv", "leicester_alcohol_cba.csv", "savings_example.csv"):
        assert hashlib.sha256(example(name).read_bytes()).hexdigest() in text


def test_pdf_report_renders_to_non_blank_pages(report_files, tmp_path):
    pdf = report_files[1]
    assert pdf.read_bytes().startswith(b"%PDF")
    inked = inked_pages(pdf, tmp_path)
    assert len(inked) >= 3 and min(inked) > 0.003, inked
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for figure in ("£56,890.00", "£4,224,083.80", "£1,286,940.00", "worklessness"):
        assert figure in text, figure


def test_report_needs_an_output_and_refuses_bad_inputs(dd, make_csv, tmp_path):
    assert "--html" in dd("deepdive", "report", expect=2).stderr
    bad = make_csv("cba.csv", [{"year": "x", "agency": "a", "kind": "benefit", "amount": "1"}])
    result = dd("deepdive", "report", "--html", tmp_path / "r.html", "--cba", bad, expect=1)
    assert "row 2, column year" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_examples_are_written(dd, tmp_path):
    dd("deepdive", "examples", tmp_path / "ex")
    names = {p.name for p in (tmp_path / "ex").iterdir()}
    assert {"bresha_journey.csv", "brighter_futures_cba.csv", "README.md"} <= names
