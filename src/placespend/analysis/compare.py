"""Centre-out (A) beside locally-led (B), as seed 000 Table 1, with a bridge explaining each gap."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from placespend.count.consolidate import CountResult, count_place
from placespend.count.every_place_count import PlaceCount, count_all_places
from placespend.domain import classifications as cls
from placespend.domain.criteria import CriteriaSet
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.estimate.centre_out import Estimate, estimate_place
from placespend.estimate.every_place_estimate import AllPlaces

BILLION = Decimal(10) ** 9


@dataclass
class Comparison:
    place: str
    name: str
    period: str
    centre_out: Decimal | None                # A, with the first criteria set
    locally_led: Decimal | None               # B, the count (None where nothing was counted)
    difference: Decimal | None                # 1 - B/A
    a_range: dict[str, Decimal] = field(default_factory=dict)   # A under each criteria set
    published: dict[str, Decimal] = field(default_factory=dict)  # seed 000 Table 1 A and B, GBP
    bridge: list[dict[str, object]] = field(default_factory=list)
    by_cofog: list[dict[str, object]] = field(default_factory=list)
    estimate: Estimate | None = None
    problem: str | None = None


def difference(a: Decimal, b: Decimal) -> Decimal:
    return 1 - b / a


def compare_places(ledger: Ledger, places: list[str], period: str, criteria: list[CriteriaSet],
                   vintage: str | None = None) -> tuple[list[Comparison], Decimal | None]:
    """Every place's comparison, and the aggregate difference 1 - sum B / sum A over places with both.

    Estimates, counts, names and published figures are each read for all the places at once (a few grouped
    queries and one pass over the ledger), not place by place; each row is the one `compare_place` gives."""
    inputs = AllPlaces(ledger, period, vintage, places)
    estimates = [inputs.estimates(chosen) for chosen in criteria]
    counts = count_all_places(ledger, period, places, bridge=True)
    names, published = _names(ledger), _published_all(ledger)
    rows = [_comparison(place, names.get(place, place), period, criteria, [e[place] for e in estimates],
                        counts.get(place) or PlaceCount(place, period), published.get(place, {}))
            for place in places]
    both = [r for r in rows if r.centre_out and r.locally_led is not None]
    total_a = sum((r.centre_out for r in both), Decimal(0))  # type: ignore[misc]
    total_b = sum((r.locally_led for r in both), Decimal(0))  # type: ignore[misc]
    return rows, (difference(total_a, total_b) if total_a else None)


def compare_place(ledger: Ledger, place: str, period: str, criteria: list[CriteriaSet],
                  vintage: str | None = None) -> Comparison:
    def attempt(chosen: CriteriaSet) -> Estimate | PlacespendError:
        try:
            return estimate_place(ledger, place, period, chosen, vintage)
        except PlacespendError as exc:
            return exc

    estimates = (attempt(chosen) for chosen in criteria)  # lazily: none after A itself fails
    return _comparison(place, _names(ledger, place).get(place, place), period, criteria, estimates,
                       count_place(ledger, place, period), _published_all(ledger, place).get(place, {}))


def _comparison(place: str, name: str, period: str, criteria: list[CriteriaSet],
                results: Iterable[Estimate | PlacespendError], count: CountResult | PlaceCount,
                published: dict[str, Decimal]) -> Comparison:
    """A and B side by side from each criteria set's estimate (or why it failed) and the count: the one
    definition behind `compare_place` and `compare_places`."""
    comparison = Comparison(place, name, period, None, None, None, published=published)
    estimates, skipped = [], []
    for index, (chosen, result) in enumerate(zip(criteria, results, strict=False)):
        if isinstance(result, PlacespendError):
            if index == 0:  # A itself cannot be computed
                comparison.problem = str(result)
                break
            skipped.append(f"{chosen.name}: {result}")
        else:
            estimates.append(result)
    if count.lines:
        comparison.locally_led = count.total
    if estimates:
        comparison.estimate = estimates[0]
        comparison.centre_out = estimates[0].total
        comparison.a_range = {e.criteria: e.total for e in estimates}
    if comparison.centre_out and comparison.locally_led is not None:
        comparison.difference = difference(comparison.centre_out, comparison.locally_led)
        comparison.by_cofog = [
            {"cofog": d, "centre_out": estimates[0].by_cofog.get(d, Decimal(0)),
             "locally_led": count.by_cofog.get(d, Decimal(0)),
             "gap": estimates[0].by_cofog.get(d, Decimal(0)) - count.by_cofog.get(d, Decimal(0))}
            for d in sorted(cls.cofog_divisions())]
        comparison.bridge = _bridge(count, estimates)
        if skipped:
            comparison.bridge.append({"reason": "criteria not computed", "amount": None,
                                      "explanation": "; ".join(skipped)})
    return comparison


def _bridge(count: CountResult | PlaceCount, estimates: list[Estimate]) -> list[dict[str, object]]:
    """Reasons A and B differ, each with the amount involved (seed 000 §3 and §4.3)."""
    types = cls.body_types()
    out_of_scope = sum((a for t, a in count.by_spender_type.items() if not types[t].pesa_scope), Decimal(0))
    items = [
        {"reason": "bodies out of PESA scope", "amount": out_of_scope,
         "explanation": "counted locally (lottery, third sector, private, EU) but not in HM Treasury's figures"},
        {"reason": "budget instead of outturn", "amount": count.by_basis.get("budget", Decimal(0)),
         "explanation": "PESA is outturn; these partners gave budgets"},
        {"reason": "allocation proxy in the count", "amount": count.by_method.get("proxied", Decimal(0)),
         "explanation": "partners apportioned these lines to the place by a population or other proxy"},
        {"reason": "estimated by partners", "amount": count.by_method.get("estimated", Decimal(0)),
         "explanation": "partners estimated the place's share of these lines"},
    ]
    estimate = estimates[0]
    if estimate.notes:
        items.append({"reason": "period and vintage", "amount": None, "explanation": "; ".join(estimate.notes)})
    if len(estimates) > 1:
        low, high = min(e.total for e in estimates), max(e.total for e in estimates)
        items.append({"reason": "allocation criteria", "amount": high - low,
                      "explanation": f"A ranges over {len(estimates)} criteria sets: "
                                     + ", ".join(f"{e.criteria} {e.total / BILLION:.2f}bn" for e in estimates)})
    items.append({"reason": "classification", "amount": None,
                  "explanation": "compare A and B by COFOG division below: a gap in one division and the opposite "
                                 "in another points at spending classified differently"})
    return items


def _names(ledger: Ledger, place: str | None = None) -> dict[str, str]:
    """Places' names (of one place, or of all); a code with no name is shown as itself."""
    places = ledger.table("places")
    if place is not None:
        places = places.filter(places.place == place)
    return {r["place"]: r["name"] for r in places.select("place", "name").to_pyarrow().to_pylist()}


def _published_all(ledger: Ledger, place: str | None = None) -> dict[str, dict[str, Decimal]]:
    """Seed 000 Table 1's A and B by place (of one place, or of all), in pounds."""
    figures = ledger.table("published_figures")
    rows = figures.filter(figures.table_name == "table1", figures.measure.isin(["centre_out", "locally_led"]))
    if place is not None:
        rows = rows.filter(rows.subject == place)
    published: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for r in rows.to_pyarrow().to_pylist():
        published[r["subject"]][r["measure"]] = r["value"] * BILLION if r["unit"] == "GBP bn" else r["value"]
    return published
