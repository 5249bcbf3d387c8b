"""Co-location timings: `python benchmarks/assets_nearby.py [--assets 2000 20000] [--within 400]`.

A county's public estate, synthetic: N assets of 12 owners spread over 100 x 60 km (about Kent's size, which
mapped its whole public estate, seed 001 §5.22), half of them clustered in 20 town centres as real estates are.
Times `assets.nearby.pairs_within` (ball-tree prefilter + WGS84 geodesics), and, up to 5,000 assets, the
brute force it replaces (every pair measured with pyproj.Geod), checking both find the same pairs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from pyproj import Geod

from placespend.assets.nearby import pairs_within
from placespend.domain.assets import Asset

BRUTE_FORCE_LIMIT = 5_000


def estate(count: int, seed: int = 1) -> list[Asset]:
    rng = np.random.default_rng(seed)
    towns = np.column_stack([rng.uniform(0.3, 1.7, 20), rng.uniform(51.0, 51.55, 20)])
    spread = count // 2
    lon = np.concatenate([rng.uniform(0.3, 1.7, spread), towns[rng.integers(0, 20, count - spread), 0]
                          + rng.normal(0, 0.01, count - spread)])
    lat = np.concatenate([rng.uniform(51.0, 51.55, spread), towns[rng.integers(0, 20, count - spread), 1]
                          + rng.normal(0, 0.006, count - spread)])
    owners = rng.integers(0, 12, count)
    return [Asset(f"body{o}", f"A{i:06d}", i, lon=float(x), lat=float(y))
            for i, (o, x, y) in enumerate(zip(owners, lon, lat, strict=True))]


def brute_force(assets: list[Asset], within: float) -> set[tuple[str, str]]:
    geod = Geod(ellps="WGS84")
    lon = np.array([a.lon for a in assets])
    lat = np.array([a.lat for a in assets])
    found = set()
    for i in range(len(assets) - 1):
        metres = np.asarray(geod.inv(np.full(len(assets) - i - 1, lon[i]), np.full(len(assets) - i - 1, lat[i]),
                                     lon[i + 1:], lat[i + 1:])[2])
        for j in np.nonzero(metres <= within)[0] + i + 1:
            if assets[i].owner != assets[j].owner:
                found.add(tuple(sorted((assets[i].key, assets[j].key))))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--within", type=float, default=400.0)
    args = parser.parse_args()
    for count in args.assets:
        assets = estate(count)
        start = time.perf_counter()
        pairs = pairs_within(assets, args.within)
        seconds = time.perf_counter() - start
        line = f"{count:>7,} assets, within {args.within:g} m: {len(pairs):,} pairs in {seconds:.2f} s"
        if count <= BRUTE_FORCE_LIMIT:
            start = time.perf_counter()
            oracle = brute_force(assets, args.within)
            line += f"; brute force {time.perf_counter() - start:.2f} s, same pairs: " \
                    f"{oracle == {tuple(sorted((p.a.key, p.b.key))) for p in pairs}}"
        print(line)


if __name__ == "__main__":
    main()
