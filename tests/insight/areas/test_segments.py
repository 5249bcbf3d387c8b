"""Segments (seed 000 §5.3): standardisation checked by hand, reproducibility with a seed, stability across
seeds, profiles in words, and spend per segment against plain arithmetic. Small synthetic tables only."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from placespend.domain.problems import PlacespendError
from placespend.insight.area_features import feature, feature_value, features
from placespend.insight.segments import (
    classified_areas,
    cluster,
    segment_areas,
    spend_by_segment,
    standardise,
)

D = Decimal


def test_standardisation_by_hand():
    """Column 1 is 1, 2, 3: mean 2, population sd sqrt(2/3); column 2 is 10, 10, 40: mean 20, sd sqrt(200)."""
    z = standardise([[D(1), D(10)], [D(2), D(10)], [D(3), D(40)]]).z
    sd1, sd2 = (2 / 3) ** 0.5, 200 ** 0.5
    expected = [[-1 / sd1, -10 / sd2], [0, -10 / sd2], [1 / sd1, 20 / sd2]]
    assert np.allclose(z, expected)
    assert np.allclose(z.mean(axis=0), 0) and np.allclose(z.std(axis=0), 1)


def test_a_constant_indicator_is_refused():
    with pytest.raises(PlacespendError, match="same value in every area"):
        standardise([[D(1), D(5)], [D(2), D(5)], [D(3), D(5)]])


def test_features_from_statistics():
    """A domain is its rank reversed (32,845 - rank); age structure is a share of the population."""
    stats = {"imd_income_rank": D(1), "population_0_15": D(30), "population": D(120)}
    assert feature_value(feature("income"), stats) == D(32844)
    assert feature_value(feature("children"), stats) == D("0.25")
    assert feature_value(feature("older_people"), stats) is None  # population_65_plus missing
    assert [f.name for f in features(None)] == ["income", "employment", "education", "health", "crime", "barriers",
                                                "living_environment", "children", "older_people"]


def _blobs(seed: int = 7) -> tuple[list[str], list[list[Decimal]]]:
    """Three well separated groups of 10, 6 and 4 areas in two indicators."""
    rng = np.random.default_rng(seed)
    centres = [(0, 0)] * 10 + [(10, 0)] * 6 + [(0, 10)] * 4
    rows = [[D(str(round(cx + rng.normal(0, 0.3), 4))), D(str(round(cy + rng.normal(0, 0.3), 4)))]
            for cx, cy in centres]
    return [f"E01{i:06d}" for i in range(len(rows))], rows


def test_same_seed_same_labels_and_numbered_by_size():
    areas, rows = _blobs()
    chosen = [feature("x_one"), feature("x_two")]
    first = segment_areas(areas, rows, chosen, k=3, seed=11, runs=2)
    again = segment_areas(areas, rows, chosen, k=3, seed=11, runs=2)
    assert first.labels == again.labels
    # the groups are found exactly, numbered 1 = largest
    assert first.labels == ["1"] * 10 + ["2"] * 6 + ["3"] * 4
    assert [p.areas for p in first.profiles] == [10, 6, 4]


def test_stability_is_reported_across_seeds():
    areas, rows = _blobs()
    chosen = [feature("x_one"), feature("x_two")]
    clear = segment_areas(areas, rows, chosen, k=3, seed=0, runs=4)
    assert clear.stability.seeds == [1, 2, 3, 4]
    assert clear.stability.adjusted_rand == [1.0] * 4 and clear.stability.min == 1.0
    # structureless data: k = 5 on uniform noise is not stable across seeds
    rng = np.random.default_rng(3)
    noise = [[D(str(round(v, 5))) for v in rng.uniform(0, 1, 2)] for _ in range(200)]
    loose = segment_areas([f"E01{i:06d}" for i in range(200)], noise, chosen, k=5, seed=0, runs=4)
    assert len(loose.stability.adjusted_rand) == 4
    assert -1 <= loose.stability.min <= loose.stability.mean < 1


def test_ward_method_is_deterministic_and_has_no_seed():
    areas, rows = _blobs()
    chosen = [feature("x_one"), feature("x_two")]
    result = segment_areas(areas, rows, chosen, k=3, seed=5, method="ward")
    assert result.labels == ["1"] * 10 + ["2"] * 6 + ["3"] * 4
    assert result.seed is None and result.stability is None


def test_profiles_in_plain_words():
    """Segment 3 (centre 0, 10) sits high on the second indicator: its mean z is worked out by hand."""
    areas, rows = _blobs()
    chosen = [feature("x_one"), feature("x_two")]
    result = segment_areas(areas, rows, chosen, k=3, seed=0, runs=0)
    z = standardise(rows).z
    third = result.profiles[2]
    assert third.differences["x_two"] == pytest.approx(round(float(z[16:, 1].mean()), 2))
    assert third.words[0] == f"higher x_two than the place average: {z[16:, 1].mean():+.1f} sd"
    assert third.name.startswith("High x two")


def test_too_few_areas_or_bad_k():
    areas, rows = _blobs()
    with pytest.raises(PlacespendError, match="k must be between 2"):
        cluster(standardise(rows).z, 1, 0)
    with pytest.raises(PlacespendError, match="too few to segment"):
        segment_areas(areas[:2], rows[:2], [feature("a"), feature("b")], k=2, seed=0)


def test_a_classification_is_used_instead():
    areas, rows = _blobs()
    given = {a: ("A" if i < 15 else "B", "Alpha" if i < 15 else "Beta") for i, a in enumerate(areas[:18])}
    result = classified_areas(areas, rows, [feature("x_one"), feature("x_two")], given, "mine")
    assert result.method == "classification:mine" and result.k == 2
    assert [(p.segment, p.name, p.areas) for p in result.profiles] == [("A", "Alpha", 15), ("B", "Beta", 3)]
    assert result.notes == ["2 areas are not in classification 'mine' and are left out."]


def test_spend_per_segment_is_plain_arithmetic():
    segment_of = {"a": "1", "b": "1", "c": "2"}
    rows = spend_by_segment(segment_of, {"a": D("100.00"), "b": D("50.50"), "c": D("9.99")},
                            {"a": D(100), "b": D(50), "c": D(0)})
    assert rows == [{"segment": "1", "amount": D("150.50"), "population": D(150), "per_head": D("1.00")},
                    {"segment": "2", "amount": D("9.99"), "population": D(0), "per_head": None}]
