"""Fuzz the readers of partners' returns and open data (CSV, XLSX, JSON) for a fixed time: any input must give
a report of problems, never an exception (DESIGN.md §2: data problems are values, not crashes).

One command, a fixed budget, loopback nothing, writes only under --out:

    .venv/bin/python benchmarks/fuzz_readers.py --seconds 600 --out build/fuzz

Coverage-guided by atheris (libFuzzer for Python; a dev dependency). The first byte of each input picks a reader,
the rest is the file. Seeds are valid files of each kind (the template, the demo's returns, a 360Giving JSON,
a GeoJSON layer, canonical reference CSVs, an assets register), so mutations start from real structure; one
target rewrites only the Spend sheet's XML inside a real template, since byte flips of a zip mostly meet its
checksums. A reader that raises keeps the input as build/fuzz/findings/<reader>-<hash>, with the traceback
beside it, and the run goes on; the exit code is the number of distinct failures (reader, exception, place).
A hang or a crash of the interpreter ends the child process, which the parent restarts for the time left.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

SHEET_XML = "xl/worksheets/sheet2.xml"  # the template's Spend sheet (checked when the seeds are made)


def _targets(folder: Path) -> dict[str, Callable[[bytes], object]]:
    """Each reader as a function of a file's bytes, writing them to one reused file of the right name."""
    import atheris

    with atheris.instrument_imports(include=["placespend", "openpyxl", "json", "csv"]):
        from placespend.domain.problems import PlacespendError, Report
        from placespend.ingest.assets.register import read_asset_register
        from placespend.ingest.flows.columnar import read_columnar_return
        from placespend.ingest.flows.rows import read_return
        from placespend.ingest.insight.area_values import read_area_values
        from placespend.ingest.insight.boundaries import read_boundaries
        from placespend.ingest.registry import read_reference

    template = _template_bytes(folder)

    def as_file(name: str, data: bytes) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    def columnar(data: bytes) -> object:
        found = read_columnar_return(as_file("return.csv", data), set())
        if found is not None and found.lines is not None:
            found.lines.close()
        return found

    def spend_sheet(data: bytes) -> object:
        return read_return(as_file("sheet.xlsx", _with_sheet(template, data)), set())

    targets: dict[str, Callable[[bytes], object]] = {
        "flows-csv": lambda data: read_return(as_file("return.csv", data), set()),
        "flows-csv-columnar": columnar,
        "flows-xlsx": lambda data: read_return(as_file("return.xlsx", data), set()),
        "template-spend-sheet": spend_sheet,
        "reference-csv": lambda data: read_reference(as_file("reference.csv", data)),
        "reference-json": lambda data: read_reference(as_file("grants.json", data)),
        "reference-geojson": lambda data: read_reference(as_file("areas.geojson", data)),
        "reference-xlsx": lambda data: read_reference(as_file("reference.xlsx", data)),
        "assets-csv": lambda data: read_asset_register(as_file("assets.csv", data), Report("assets.csv"), "lbl"),
        "insight-boundaries": lambda data: read_boundaries(as_file("areas.geojson", data), Report("areas.geojson")),
        "insight-values-csv": lambda data: read_area_values(as_file("values.csv", data), Report("values.csv")),
    }
    # Misuse, said in a sentence (the CLI prints it, no traceback), is an answer too; anything else is a bug.
    targets["_allowed"] = (PlacespendError,)  # type: ignore[assignment]
    return targets


def _template_bytes(folder: Path) -> bytes:
    from placespend.report.template import write_template

    path = folder / "template.xlsx"
    write_template(path)
    with zipfile.ZipFile(path) as archive:
        assert b"<sheetData" in archive.read(SHEET_XML), "the Spend sheet is not where the fuzzer looks"
    return path.read_bytes()


def _with_sheet(template: bytes, sheet_xml: bytes) -> bytes:
    """The template with its Spend sheet's XML replaced (a well-formed zip, whatever the XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as made:
        for item in source.infolist():
            made.writestr(item, sheet_xml if item.filename == SHEET_XML else source.read(item))
    return out.getvalue()


def _seeds(folder: Path, names: list[str]) -> dict[str, list[bytes]]:
    """Valid files of each kind, the starting points of mutation."""
    from placespend.app.demo import partnership

    returns = partnership.write_partnership_csvs(folder / "demo")
    flows = min(returns, key=lambda p: p.stat().st_size).read_bytes()
    template = _template_bytes(folder)
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        sheet = archive.read(SHEET_XML)
    grants = json.dumps({"grants": [{
        "id": "360G-x-1", "title": "Warm spaces", "currency": "GBP", "amountAwarded": 1250.5,
        "awardDate": "2021-06-01", "recipientOrganization": [{"id": "GB-CHC-1", "name": "Deptford Trust"}],
        "fundingOrganization": [{"id": "GB-GOR-PC390", "name": "A Funder"}],
        "beneficiaryLocation": [{"geoCode": "E09000023", "geoCodeType": "LAD", "name": "Lewisham"}]}]}).encode()
    areas = json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"LAD21CD": "E09000023", "LAD21NM": "Lewisham"},
        "geometry": {"type": "Polygon", "coordinates": [[[-0.05, 51.43], [-0.01, 51.43], [-0.01, 51.47],
                                                         [-0.05, 51.43]]]}}]}).encode()
    odd_json = [b'[{"type":"FeatureCollection"}]', b'{"type":"FeatureCollection","features":{"a":1}}',
                b'{"type":"Topology","objects":{"x":{"type":"GeometryCollection","geometries":[]}},"arcs":[]}']
    reference = [b"place,name,area\ntp-x,X,E09000023\ntp-x,X,E09000022\n",
                 b"area,period,indicator,value\nE09000023,2019,population,305842\n",
                 b"period,region,cofog,amount\n2008-09,London,10,1000000\n",
                 b"relation,child,parent\nlad_region,E09000023,E12000007\n"]
    assets = (b"OrganisationLabel,AssetCode,PropertyName,GeoX,GeoY,CoordinateReferenceSystem,TenureType,HoldingType\n"
              b"Lewisham,A1,Library,-0.02,51.45,WGS84,Freehold,Buildings\n")
    seeds = {"flows-csv": [flows], "flows-csv-columnar": [flows], "flows-xlsx": [template],
             "template-spend-sheet": [sheet], "reference-csv": [*reference, flows], "reference-json": [grants],
             "reference-geojson": [areas, *odd_json], "reference-xlsx": [template], "assets-csv": [assets],
             "insight-boundaries": [areas, *odd_json], "insight-values-csv": [b"area,value\nE09000023,1.5\n"]}
    return {name: seeds[name] for name in names}


def child(args: argparse.Namespace) -> None:
    """The fuzzing process (run by `main`): atheris takes over this process until the time is up."""
    import atheris

    work = Path(tempfile.mkdtemp(prefix="fuzz-readers-"))
    targets = _targets(work)
    allowed = targets.pop("_allowed")
    names = sorted(targets)
    findings = args.out / "findings"
    findings.mkdir(parents=True, exist_ok=True)
    seen = {p.name for p in findings.glob("*.txt")}

    def one_input(data: bytes) -> None:
        if not data:
            return
        name = names[data[0] % len(names)]
        try:
            targets[name](data[1:])
        except allowed:  # type: ignore[misc]
            pass
        except Exception as exc:  # a reader's bug: keep the input and the traceback, and go on
            frames = traceback.extract_tb(exc.__traceback__)
            place = next((f for f in reversed(frames) if "placespend" in f.filename), frames[-1])
            key = f"{name}-{type(exc).__name__}-{Path(place.filename).name}-{place.lineno}"
            if key + ".txt" not in seen:
                seen.add(key + ".txt")
                stem = findings / key
                stem.with_suffix(".input").write_bytes(data)
                stem.with_suffix(".txt").write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
                print(f"FOUND {key}", flush=True)

    corpus = args.out / "corpus"
    if not corpus.exists():
        corpus.mkdir(parents=True)
        for name, files in _seeds(work, names).items():
            for number, data in enumerate(files):
                (corpus / f"seed-{name}-{number}").write_bytes(bytes([names.index(name)]) + data)
    atheris.Setup([sys.argv[0], f"-max_total_time={args.seconds}", "-timeout=60", "-rss_limit_mb=4096",
                   f"-artifact_prefix={findings}/", "-print_final_stats=1", str(corpus)], one_input)
    atheris.Fuzz()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600, help="Time budget for the whole run.")
    parser.add_argument("--out", type=Path, default=Path("build/fuzz"), help="Corpus and findings go here.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    deadline = time.monotonic() + args.seconds
    runs = 0
    while (left := int(deadline - time.monotonic())) > 5:
        runs += 1
        subprocess.run([sys.executable, __file__, "--child", "--seconds", str(left), "--out", str(args.out)],
                       env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
    findings = sorted((args.out / "findings").glob("*.txt"))
    crashes = sorted(p for p in (args.out / "findings").glob("*") if p.name.startswith(("crash-", "timeout-", "oom-")))
    inputs = len(list((args.out / "corpus").iterdir()))
    print(f"\n{args.seconds} s in {runs} run(s); corpus of {inputs} inputs; {len(findings)} reader exceptions, "
          f"{len(crashes)} hangs or crashes (in {args.out / 'findings'}):")
    for path in findings:
        print(f"  {path.stem}: {path.read_text(encoding='utf-8').strip().splitlines()[-1]}")
    for path in crashes:
        print(f"  {path.name}")
    sys.exit(min(len(findings) + len(crashes), 100))


if __name__ == "__main__":
    main()
