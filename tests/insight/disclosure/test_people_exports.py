"""Exports of counts of people carry only what disclosure control published, totals row included."""

from __future__ import annotations

from placespend.insight.disclosure import protect
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
