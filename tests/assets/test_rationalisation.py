"""Under-used sites, leases ending, and running cost per m2 benchmarked across partners, from registers typed into
the template's Assets sheet; every figure recomputed here from the rows given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from conftest import write_assets_template

# (owner, code, floor m2, running cost GBP, utilisation, lease end, services)
SITES = [
    ("council", "C1", 1000, 95_000, "0.35", dt.date(2026, 3, 31), "library; adult social care"),
    ("council", "C2", 2500, 200_000, "80%", None, "offices"),
    ("council", "C3", 400, 180_000, "0.9", dt.date(2031, 6, 30), "leisure"),
    ("council", "C4", 800, 70_000, "", None, "library"),
    ("pct", "P1", 1200, 130_000, "45", dt.date(2027, 1, 15), "clinic; library"),
    ("pct", "P2", 600, 52_000, "0.2", None, "clinic"),
    ("pct", "P3", 900, 81_000, "1", dt.date(2028, 2, 29), "offices"),
    ("police", "F1", 1500, 120_000, "0.55", None, "police station"),
    ("police", "F2", 300, "", "0.1", dt.date(2024, 9, 30), "police office"),
]
ON = "2026-01-01"


@pytest.fixture
def partners(cli, tmp_path):
    for owner in ("council", "pct", "police"):
        rows = [{"asset_code": code, "property_name": f"{owner} {code}", "crs": "WGS84", "geo_x": -2.3 - i / 100,
                 "geo_y": 53.4, "building_size": size, "running_cost": cost, "utilisation": use, "lease_end": end,
                 "services": services, "tenure_type": "Leasehold" if end else "Freehold"}
                for i, (o, code, size, cost, use, end, services) in enumerate(SITES) if o == owner]
        cli("assets", "import", write_assets_template(tmp_path / f"{owner}.xlsx", rows), "--owner", owner)
    return cli


def _share(text: str) -> Decimal | None:
    if not text:
        return None
    value = Decimal(text.rstrip("%"))
    return value / 100 if text.endswith("%") or value > 1 else value


def test_under_used_below_half(partners):
    out = partners.json("assets", "underused", "--below", "50%")
    expected = sorted((_share(u), code) for _, code, _, _, u, _, _ in SITES if u and _share(u) < Decimal("0.5"))
    assert [(Decimal(str(s["utilisation"])), s["asset"]) for s in out["sites"]] == expected
    assert [s["asset"] for s in out["sites"]] == ["F2", "P2", "C1", "P1"]
    assert out["without_utilisation"] == 1 and out["examined"] == len(SITES)


def test_leases_ending_within_two_years_include_the_ended(partners):
    out = partners.json("assets", "leases", "--years", "2", "--on", ON)
    horizon = dt.date(2028, 1, 1)
    expected = sorted((end, code) for _, code, _, _, _, end, _ in SITES if end and end <= horizon)
    assert [(s["lease_end"], s["asset"]) for s in out["sites"]] == [(d.isoformat(), c) for d, c in expected]
    assert [s["ended"] for s in out["sites"]] == [end < dt.date(2026, 1, 1) for end, _ in expected]
    assert out["until"] == "2028-01-01" and out["without_lease_end"] == 4
    # 29 February 2028 falls inside a horizon of 2 years and 2 months, not of 2 years
    assert "P3" not in [s["asset"] for s in out["sites"]]


def test_a_horizon_beyond_the_calendar_is_its_last_day(partners):
    """Found by fuzzing the API: 8,000 years from 2026 was a server error (year 10026 is past Python's calendar)."""
    out = partners.json("assets", "leases", "--years", "8000", "--on", ON)
    assert out["until"] == "9999-12-31"
    assert sorted(s["asset"] for s in out["sites"]) == sorted(code for _, code, _, _, _, end, _ in SITES if end)


def test_cost_per_m2_quartiles_fences_and_outliers(partners):
    out = partners.json("assets", "benchmark")
    priced = [(o, code, Decimal(cost) / Decimal(size)) for o, code, size, cost, _, _, _ in SITES if cost != ""]
    values = np.array([float(v) for _, _, v in priced])
    q1, q2, q3 = np.percentile(values, [25, 50, 75])  # numpy's default: linear interpolation
    assert [float(q) for q in out["quartiles"]] == pytest.approx([q1, q2, q3], abs=1e-9)
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    assert [float(f) for f in out["fences"]] == pytest.approx([low, high], abs=1e-9)
    outliers = {code for _, code, v in priced if float(v) > high or float(v) < low}
    assert {a["asset"] for a in out["assets"] if a["outlier"]} == outliers == {"C3"}  # GBP 450 per m2
    council = next(o for o in out["owners"] if o["owner"] == "council")
    assert Decimal(str(council["cost_per_m2"])) == (Decimal(95_000 + 200_000 + 180_000 + 70_000) / 4700).quantize(
        Decimal("0.01"))
    assert out["assets_without_cost_or_area"] == 1  # F2 reports no running cost
    per_owner = {o["owner"]: o["outliers"] for o in out["owners"]}
    assert per_owner == {"council": 1, "pct": 0, "police": 0}
