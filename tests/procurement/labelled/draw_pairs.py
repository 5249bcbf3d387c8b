"""Draws the hand-labelled sample of supplier name pairs (see README.md here). Run once; its output was then
labelled by hand. Kept so the draw can be repeated and checked:

    PYTHONPATH=src python tests/procurement/labelled/draw_pairs.py ../shared/data SEED [EXCLUDE.csv] > unlabelled.csv

(development_pairs.csv: seed 2010; test_pairs.csv: seed 2026, excluding the development pairs.)

The draw uses only the published names and a plain string similarity (difflib), never placespend's own
resolution, so the sample does not favour what the resolver finds.
"""

from __future__ import annotations

import csv
import difflib
import random
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from placespend.ingest.suppliers.names import supplier_name
from placespend.ingest.suppliers.payments import read_supplier_file

PER_STRATUM = 50
# (lower bound, upper bound) of difflib's ratio between the two folded names; "same key" is its own stratum.
BINS = ((0.9, 1.01), (0.8, 0.9), (0.7, 0.8), (0.55, 0.7), (0.0, 0.55))
COMMON_WORDS = 150  # words this frequent among all names are not distinctive enough to pair names on


def files(data: Path) -> dict[str, list[Path]]:
    odi = data / "spend-odileeds"
    return {
        "Trafford": [data / "trafford-360giving-and-spend" / "trafford-supplier-spend-2024-25.zip"],
        "Manchester": sorted((odi / "manchester_clean").glob("*.csv.gz")),
        "Newcastle": sorted((odi / "newcastle_clean").glob("*.csv.gz")),
        "Gateshead": sorted((odi / "gateshead_clean").glob("*.csv.gz")),
        "Cabinet Office": sorted((odi / "cabinetoffice_clean").glob("*.csv"))
        + sorted((odi / "cabinetoffice_processed").glob("*.csv")),
    }


def spellings(data: Path) -> dict[str, set[str]]:
    """Published supplier names (not redacted) of each publisher."""
    found: dict[str, set[str]] = defaultdict(set)
    for publisher, paths in files(data).items():
        for path in paths:
            read, _ = read_supplier_file(path)
            for payment in read.payments if read else []:
                if payment.payee_key:
                    found[publisher].add(payment.payee)
    return found


def draw(data: Path, seed: int, exclude: set[tuple[str, str]]) -> list[dict[str, object]]:
    names = spellings(data)
    key = {name: supplier_name(name).key for spelled in names.values() for name in spelled}
    words = Counter(word for k in set(key.values()) for word in set(k.split()))
    common = {word for word, _ in words.most_common(COMMON_WORDS)}
    by_word: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for publisher, spelled in names.items():
        for name in spelled:
            for word in set(key[name].split()) - common:
                if len(word) >= 3:
                    by_word[word].append((publisher, name))
    pairs: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for members in by_word.values():
        if len(members) > 60:   # still too common to pair everything with everything
            continue
        for a, b in combinations(sorted(members), 2):
            if a[0] != b[0] and (a[1], b[1]) not in exclude:
                pairs.add((a, b))
    strata: dict[str, list] = defaultdict(list)
    for a, b in sorted(pairs):
        ka, kb = key[a[1]], key[b[1]]
        if ka == kb:
            strata["same key"].append((a, b, 1.0))
            continue
        ratio = difflib.SequenceMatcher(None, ka, kb).ratio()
        low, high = next(bounds for bounds in BINS if bounds[0] <= ratio < bounds[1])
        strata[f"ratio {low:.2f}-{min(high, 1):.2f}"].append((a, b, ratio))
    rng = random.Random(seed)
    rows = []
    for stratum in sorted(strata):
        chosen = rng.sample(strata[stratum], min(PER_STRATUM, len(strata[stratum])))
        for a, b, ratio in sorted(chosen):
            rows.append({"stratum": stratum, "stratum_size": len(strata[stratum]), "left_publisher": a[0],
                         "left_name": a[1], "right_publisher": b[0], "right_name": b[1],
                         "similarity": f"{ratio:.3f}", "same": "", "note": ""})
    return rows


if __name__ == "__main__":
    out = csv.DictWriter(sys.stdout, fieldnames=["pair", "stratum", "stratum_size", "left_publisher", "left_name",
                                                 "right_publisher", "right_name", "similarity", "same", "note"])
    out.writeheader()
    excluded: set[tuple[str, str]] = set()
    if len(sys.argv) > 3:
        with open(sys.argv[3], newline="", encoding="utf-8") as handle:
            excluded = {(row["left_name"], row["right_name"]) for row in csv.DictReader(handle)}
    for number, row in enumerate(draw(Path(sys.argv[1]), int(sys.argv[2]), excluded), 1):
        out.writerow({"pair": number, **row})
