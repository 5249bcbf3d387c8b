"""Hotspot timings: `python benchmarks/insight_hotspots.py [--areas 32844]`.

Real: Hackney and Lewisham LSOAs (313, the ../shared/data boundary files; no national LSOA file is there)
with IoD 2019 IMD ranks, through the CLI's use case. Scale: a synthetic grid of as many square "LSOAs" as
England has (32,844), timing the contiguity build (libpysal, 1e-6 degree tolerance) and Gi* (esda) apart.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from shapely.geometry import box

from placespend.app import spatial_insight
from placespend.insight import hotspots

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def real_boroughs() -> float:
    ranks = {}
    with gzip.open(DATA / "imd2019-lsoa" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz", "rt",
                   encoding="utf-8-sig") as handle:
        for row in list(csv.reader(handle))[1:]:
            if row[2] in {"E09000012", "E09000023"}:
                ranks[row[0]] = row[4].replace(",", "")
    features = []
    for borough in ("E09000012", "E09000023"):
        features += json.loads((DATA / "lookups-drkane" / f"boundaries_lsoa11_{borough}.geojson").read_text())[
            "features"]
    with tempfile.TemporaryDirectory() as folder:
        boundaries, values = Path(folder) / "b.geojson", Path(folder) / "v.csv"
        boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        values.write_text("area,value\n" + "".join(f"{a},{v}\n" for a, v in ranks.items()))
        start = time.perf_counter()
        outcome = spatial_insight.hotspot_map(values, boundaries)
        seconds = time.perf_counter() - start
    print(f"Hackney+Lewisham: {len(ranks)} LSOAs, {outcome.result['summary']}, {seconds:.2f} s end to end")
    return seconds


def synthetic_grid(areas: int) -> None:
    side = int(np.ceil(np.sqrt(areas)))
    step = 0.01
    codes = [f"G{i:06d}" for i in range(areas)]
    cells = [box((i % side) * step, (i // side) * step, (i % side + 1) * step, (i // side + 1) * step)
             for i in range(areas)]
    rng = np.random.default_rng(1)
    values = {code: Decimal(int(v)) for code, v in zip(codes, rng.integers(1, 32845, areas), strict=True)}
    start = time.perf_counter()
    graph = hotspots.neighbours(codes, cells)
    built = time.perf_counter()
    spots = hotspots.gi_star(graph, values)
    done = time.perf_counter()
    print(f"Synthetic grid: {areas} areas, mean {graph.weights.mean_neighbors:.2f} neighbours; contiguity "
          f"{built - start:.1f} s, Gi* + FDR {done - built:.1f} s, total {done - start:.1f} s; "
          f"{hotspots.summary(spots)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--areas", type=int, default=32844)
    arguments = parser.parse_args()
    real_boroughs()
    synthetic_grid(arguments.areas)
