"""Benchmark: segments for all 32,844 English LSOAs (IoD 2019 File 2 + ONS mid-2019 population by age).

Imports the two files into a fresh workspace, then segments the whole country with k-means (the nine default
features), timing each step: import, the statistics read, clustering, stability runs, and the whole command.
Run: .venv/bin/python benchmarks/insight_segments.py [--k 7] [--runs 3] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from placespend.app import area_insight, ingest_files
from placespend.app.workspace import open_workspace
from placespend.engine import area_insight_store
from placespend.insight import area_features, segments

FILES = ("imd2019-lsoa/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
         "population-demographr/population19_lsoa11.csv.gz")


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    print(f"{label:<42} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(Path(folder) / "bench.duckdb")
        for name in FILES:
            outcome = timed(f"import {name.split('/')[-1]}",
                            lambda n=name: ingest_files.import_reference(ws, args.data / n))
            assert outcome.outcome == "loaded", outcome.report.to_dict()
        chosen = area_features.features(None)
        stats = timed("read 9 features' statistics (all LSOAs)", lambda: area_insight_store.area_statistics(
            ws, area_features.source_indicators(chosen), None))
        areas = sorted(a for a in stats.values if a.startswith("E01"))
        kept, rows, _ = area_features.feature_table(chosen, stats.values, areas)
        z = segments.standardise(rows).z
        labels = timed(f"k-means k={args.k}, 10 starts ({len(kept):,} LSOAs)", lambda: segments.cluster(z, args.k, 0))
        steady = timed(f"stability: {args.runs} more seeds", lambda: segments.stability(z, args.k, 0, labels,
                                                                                       args.runs))
        result = timed("whole command (segment_place, england)", lambda: area_insight.segment_place(
            ws, None, args.k, 0, None, "kmeans", args.runs))
        timed("save the run", lambda: area_insight.save_segments(ws, result))
        print(f"LSOAs segmented: {result['areas']:,}; left out: {result['left_out']}; adjusted Rand mean "
              f"{steady.mean:.3f}, min {steady.min:.3f}")
        for profile in result["segments"]:
            print(f"  {profile['segment']}. {profile['name']} ({profile['areas']:,} LSOAs)")


if __name__ == "__main__":
    main()
