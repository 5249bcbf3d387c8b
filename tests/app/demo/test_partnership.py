"""The synthetic Lewisham partnership: deterministic, well-formed, and its count is the published one.

The count here is a deliberately naive re-implementation of DESIGN §4, independent of the package, so
a calibration error cannot hide behind the same bug in the generator and the checker.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from placespend.app.demo.partnership import generate_partnership, write_partnership_csvs

DATA = Path(__file__).resolve().parents[3] / "src" / "placespend" / "app" / "demo" / "data"
PUBLISHED = DATA / "pilots_published.csv"
PLACE, PERIOD = "E09000023", "2008-09"
DESIGN_COLUMNS = {
    "period", "place", "spender", "spender_type", "flow", "amount", "cofog", "recipient", "recipient_type",
    "funder", "funder_type", "spender_name", "recipient_name", "funder_name", "service_scheme",
    "service_code",
    "capital_revenue", "basis", "recurrence", "place_share", "apportionment", "ring_fenced", "statutory",
    "funding_stream", "theme", "line_id", "notes",
}
BODY_TYPES = {"central_government", "executive_agency", "ndpb", "local_authority", "parish", "nhs", "police",
              "fire", "justice", "education", "housing", "eu", "lottery", "third_sector", "private", "other"}
# Table 3's columns in DESIGN §3 body types (the judgement documented in src/placespend/app/demo/data/README.md).
TABLE3 = {"local_authority": "local_authority", "parish": "local_authority", "nhs": "nhs",
          "central_government": "central_government", "executive_agency": "central_government",
          "ndpb": "central_government", "justice": "central_government"}
TOLERANCE = Decimal("0.5")


def _id(text: str) -> str:
    return text.strip().casefold()


def _counted(line: dict[str, str]) -> Decimal:
    share = Decimal(line.get("place_share") or "1")
    return (Decimal(line["amount"]) * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def simple_count(returns: dict[str, list[dict[str, str]]], place: str, period: str) -> dict:
    lines = [line for lines in returns.values() for line in lines
             if line["period"].strip() == period and line["place"].strip().upper() == place]
    reporters = {_id(line["spender"]) for line in lines}  # DESIGN.md §4: the spender of any line in scope
    result = {"total": Decimal(0), "unreported": [], "eliminated": [],
              "by_cofog": defaultdict(Decimal), "by_type": defaultdict(Decimal)}
    for line in lines:
        amount = _counted(line)
        if line["flow"] == "spend":
            kind = line["spender_type"]
        elif _id(line["recipient"]) in reporters:
            result["eliminated"].append(line)
            continue
        else:
            result["unreported"].append(line)
            kind = line["recipient_type"]
        result["total"] += amount
        result["by_cofog"][line["cofog"].split(".")[0].zfill(2)] += amount
        result["by_type"][kind] += amount
    return result


def _lewisham_published() -> dict[str, Decimal]:
    with PUBLISHED.open(encoding="utf-8") as handle:
        return {f"{r['table']}.{r['measure']}": Decimal(r["value"]) for r in csv.DictReader(handle)
                if r["pilot"] == "tp-lewisham" and r["value"]}


def _transfers(returns: dict[str, list[dict[str, str]]]) -> list[tuple[str, str]]:
    return [(_id(line["spender"]), _id(line["recipient"])) for lines in returns.values() for line in lines
            if line["flow"] == "transfer"]


def test_same_seed_same_returns_and_other_seeds_same_count() -> None:
    assert generate_partnership() == generate_partnership()
    assert generate_partnership(7) == generate_partnership(7)
    assert generate_partnership(7) != generate_partnership()
    assert simple_count(generate_partnership(7), PLACE, PERIOD)["total"] == Decimal("2290000000.00")


def test_thirty_to_sixty_partners_each_submitting_its_own_spending() -> None:
    returns = generate_partnership()
    assert 30 <= len(returns) <= 60
    for body, lines in returns.items():
        assert lines and {_id(line["spender"]) for line in lines} == {body}
        assert len({tuple(line) for line in lines}) == 1  # one header per return


def test_independent_count_gives_the_published_total_to_the_penny() -> None:
    published = _lewisham_published()
    counted = simple_count(generate_partnership(), PLACE, PERIOD)
    assert published["table1.locally_led"] == Decimal("2.29")
    assert counted["total"] == published["table1.locally_led"] * 1_000_000_000 == Decimal("2290000000.00")


def test_shares_match_tables_2_and_3() -> None:
    published = _lewisham_published()
    counted = simple_count(generate_partnership(), PLACE, PERIOD)
    total = counted["total"]
    for division in ("10", "07", "09"):
        share = counted["by_cofog"][division] / total * 100
        assert abs(share - published[f"table2.cofog_{division}"]) <= TOLERANCE, (division, share)
    groups: dict[str, Decimal] = defaultdict(Decimal)
    for kind, amount in counted["by_type"].items():
        groups[TABLE3.get(kind, "other")] += amount
    for group in ("local_authority", "nhs", "central_government", "other"):
        share = groups[group] / total * 100
        assert abs(share - published[f"table3.{group}"]) <= TOLERANCE, (group, share)


def test_lines_use_design_columns_and_valid_values() -> None:
    for lines in generate_partnership().values():
        for line in lines:
            assert all(name in DESIGN_COLUMNS or name.startswith("x_") for name in line)
            assert all(isinstance(value, str) for value in line.values())
            assert re.fullmatch(r"\d+\.\d{2}", line["amount"])
            assert re.fullmatch(r"\d{2}\.\d", line["cofog"])
            assert line["spender_type"] in BODY_TYPES and line["flow"] in {"spend", "transfer"}
            assert line["x_synthetic"] == "yes" and "SYNTHETIC" in line["notes"]
            if line.get("place_share"):
                assert 0 < Decimal(line["place_share"]) <= 1 and line["apportionment"]
            if line["flow"] == "transfer":
                assert line["recipient"].strip() and line["recipient_type"] in BODY_TYPES


def test_transfers_unreported_eliminated_and_a_cycle() -> None:
    returns = generate_partnership()
    counted = simple_count(returns, PLACE, PERIOD)
    assert len(counted["unreported"]) >= 2
    assert len(counted["eliminated"]) >= 1
    pairs = set(_transfers(returns))
    assert any((b, a) in pairs for a, b in pairs), "no two bodies fund each other"
    assert ("dcsf", "lbl") in pairs and ("lbl", "lewisham-schools-federation") in pairs  # a chain


def test_no_intermediary_is_counted_twice() -> None:
    returns = generate_partnership()
    counted = simple_count(returns, PLACE, PERIOD)
    passing_on = {spender for spender, _ in _transfers(returns)}
    for line in counted["unreported"]:
        assert _id(line["recipient"]) not in passing_on, f"{line['recipient']} passes money on, reports none"


def test_csvs_round_trip(tmp_path: Path) -> None:
    returns = generate_partnership()
    paths = write_partnership_csvs(tmp_path / "returns")
    assert [p.stem for p in paths] == list(returns)
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            assert list(csv.DictReader(handle)) == returns[path.stem]
