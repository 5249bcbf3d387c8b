"""Exports of counts of people carry only what disclosure control published, totals row included."""

from __future__ import annotations

from placespend.insight.disclosure import protect
from placespend.insight.people_overlap import _published
from placespend.report.exports import rows_csv
from placespend.report.people_counts import export_rows


def test_the_totals_row_is_the_protected_column_totals_not_a_sum_of_rows():
    rows = [{"group": "w1", "a": 3, "b": 40, "total": 43}, {"group": "w2", "a": 2, "b": 30, "total": 32},
            {"group": "w3", "a": 25, "b": 4, "total": 29}]
    out = export_rows(protect(rows, ["a", "b"], "total").as_dict())
    assert out[-1] == {"group": "All", "a": 30, "b": 74, "total": 104}  # 3+2+25, 40+30+4, both >= 10
    assert [row["a"] for row in out[:2]] == [None, None]  # 3 and 2 withheld
    text = rows_csv(out)
    assert ",3," not in text and ",2," not in text and ",4," not in text


def test_a_stored_overlap_runs_export_has_its_totals_row_too():
    """An overlap run stores its protected totals as `totals` and `total` (people_overlap._published)."""
    rows = [{"group": "w1", "a": 3, "b": 40, "total": 43}, {"group": "w2", "a": 25, "b": 30, "total": 55}]
    out = export_rows(_published(rows, ["a", "b"], 10, None))
    assert out[-1] == {"group": "All", "a": 28, "b": 70, "total": 98}
    assert [row["a"] for row in out[:2]] == [None, None]  # 3 withheld, and 25 with it (28 - 25 would tell)
