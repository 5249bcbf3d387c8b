"""Everything a place page or its API shows, computed once and cached until what it depends on changes.

Pages must answer fast for many councillors at once; the figures only change when a submission is accepted or
data is imported. A place's own figures are cached against `place_stamp` (its live returns and the reference
data), so accepting a return for one place leaves every other place's page warm; lists of all places are
cached against what every place's figures rest on (`results_stamp`), so a write that changes no figure (a return
uploaded and waiting for acceptance) keeps them all. On a server, each write recomputes the pages being read before
its new version is shown (`refresh_after_write`), and readers meanwhile are shown the whole pages of the version
before it: no visitor waits for a write or for the recomputation after it.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from placespend.analysis.composition import composition
from placespend.analysis.concentration import concentration, place_concentration
from placespend.analysis.funding_routes import funding_routes, place_routes
from placespend.analysis.local_control import local_control, place_local_control
from placespend.analysis.per_head import per_head
from placespend.app import figures
from placespend.app.selection import Selection, check
from placespend.count.consolidate import count_of, scoped
from placespend.count.every_place_count import count_all_places
from placespend.count.overlaps import COUNTED_STATUSES
from placespend.count.reconcile import reconciliation_of
from placespend.domain import classifications as cls
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.domain.regions import canonical_region
from placespend.engine import area_figures_store, page_store, places_store, workflow_store
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace
from placespend.estimate.backcast import backcast_population
from placespend.estimate.centre_out import estimate_place
from placespend.estimate.criteria import shipped_criteria
from placespend.estimate.indicators import all_place_areas, indicator_for_areas, indicator_for_groups, place_areas
from placespend.report.estimate_output import comparison_dict

log = logging.getLogger(__name__)
_cache: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()
_computing: dict[tuple[Any, ...], threading.Lock] = {}
# How to recompute each value kept fresh (`refresh`), by (workspace, key), the most recently asked for last.
_recipes: OrderedDict[tuple[str, tuple[Any, ...]], tuple[Callable[[], Any], tuple[str, str] | None, bool]] = (
    OrderedDict())
CACHED = 512      # values kept
RECIPES = 256     # values remembered for recomputation
REFRESHED = 120   # recomputed after each write, the most recently asked for first
_refreshed: dict[str, list[Any]] = {}  # by workspace, the results stamps of its last two refreshes, newest last
# The longest a write spends recomputing pages before it ends. Every other write waits for it (uploads, the next
# acceptance), and on a busy machine at 10M lines the 120 pages took minutes; past this bound the rest are
# computed when a reader asks for them, as before there was any recomputation in the write.
REFRESH_SECONDS = 10.0


def cached(ws: Workspace, key: tuple[Any, ...], compute: Callable[[], Any], place: tuple[str, str] | None = None,
           refresh: bool = False, stamp: Any = None, results: bool = False) -> Any:
    """The value for `key`, for the version of the workspace this thread reads; concurrent askers wait for one
    computation.

    `place` (a place and period): kept with the place's stamp (`place_stamp`), so a write that does not touch
    the place keeps it; `results`: kept with `results_stamp`, for what rests on the figures of every place only,
    so a write that changes no figure keeps it; otherwise with `stamp` if given, else the workspace's version.
    `refresh`: recomputed after each write on a server, before readers are shown the new version
    (`refresh_after_write`); only for a `compute` that reads all it needs from the workspace (nothing captured
    from one request)."""
    if ws.is_shared:
        # A server shares one connection and counts its writes; otherwise ask the database what changed.
        if ws.version is None:   # a writer reading its own write half done: nothing kept
            return compute()
        stamp = results_stamp(ws) if results else ws.version if stamp is None else stamp
    elif stamp is None:
        stamp = workflow_store.ledger_version(ws)
    if place is not None:
        stamp = place_stamp(ws, *place)
    version = (str(ws.path), stamp, *key)
    with _lock:
        if refresh:
            _recipes[(str(ws.path), key)] = (compute, place, results)
            _recipes.move_to_end((str(ws.path), key))
            while len(_recipes) > RECIPES:
                _recipes.popitem(last=False)
        if version in _cache:
            return _cache[version]
        # Inside a read of the snapshot from before a write, computed here: the computing thread may be waiting
        # for its turn on that snapshot, held by this one.
        flight = _computing.setdefault(version, threading.Lock()) if not ws.reading_snapshot else nullcontext()
    with flight:
        with _lock:
            if version in _cache:
                return _cache[version]
        value = compute()
        with _lock:
            _keep(version, value)
            _computing.pop(version, None)
    return value


def _keep(version: tuple[Any, ...], value: Any) -> None:
    """Put a value in the cache (under `_lock`), the oldest out first: never the pages just recomputed."""
    while len(_cache) >= CACHED:
        del _cache[next(iter(_cache))]
    _cache[version] = value


def refresh_after_write(ws: Workspace) -> None:
    """Recompute, for the version a write makes, the values kept fresh that readers asked for most recently
    (the pages they are reading), while the write still holds the workspace and readers read the snapshot
    from before it (`Workspace.refresh_results_with`, which a server sets up). So the first reader of the new
    version finds its page ready, and a reader meanwhile gets the whole page of the previous version.

    Values keyed on a place's stamp are recomputed only where the write changed the place: the places and
    periods an accepted return touches; the lists of every place are recomputed from their parts.

    The places' own values go first, then the lists of every place, each the most recently asked for first:
    the pages of a place an acceptance changed are what its partner and analyst open next, and each costs a
    second or two to compute at 10M lines, so when the time bound stops the work (the lists of every place move
    with each write and can fill it), what is left is lists, not the place the write was about (BENCHMARKS.md,
    "First view after an acceptance"). Recomputing a value does not count as asking for it: it would turn the
    order of recency round at every write.

    A write that leaves `results_stamp` as the last refresh found it (a return uploaded and waiting for
    acceptance) changed no value kept fresh, so it recomputes nothing: pages an earlier write's time bound left
    are computed when asked for, as they would have been, and not at the cost of the partner uploading."""
    path = str(ws.path)
    stamp = results_stamp(ws)
    with _lock:
        seen = _refreshed.setdefault(path, [])
        if seen and seen[-1] == stamp:
            return
        seen.append(stamp)
        if len(seen) > 2:
            _forget(path, seen.pop(0), keep=seen)
    with _lock:
        recent = [(key, recipe) for (where, key), recipe in reversed(_recipes.items()) if where == path]
    chosen = sorted(recent[:REFRESHED], key=lambda item: item[1][1] is None)  # a stable sort: recency kept
    deadline = time.monotonic() + REFRESH_SECONDS
    _keep_stamps(ws, [place for _, (_, place, _) in chosen if place is not None])
    for done, (key, (compute, place, results)) in enumerate(chosen):
        if time.monotonic() >= deadline:
            log.info("a write recomputed %d pages in its %.0f s; the other %d are computed when asked for", done,
                     REFRESH_SECONDS, min(len(recent), REFRESHED) - done)
            break
        try:
            cached(ws, key, compute, place=place, results=results)  # not `refresh=True`: that marks it as asked
        except Exception as exc:  # no longer valid (a code merged away): its readers are told why when they ask
            if not isinstance(exc, PlacespendError):
                log.warning("recomputing %s after a write stopped", key[0], exc_info=True)
            with _lock:
                _recipes.pop((path, key), None)


def _keep_stamps(ws: Workspace, places: list[tuple[str, str]]) -> None:
    """The stamps of the places whose values a write is about to check, read in one query instead of one each
    (`page_store.place_stamps`): 40-odd at 10M lines took about 3 s of the write's time bound one by one."""
    if not places:
        return
    with ws.read() as con:
        stamps = page_store.place_stamps(con, places)
    path, results = str(ws.path), results_stamp(ws)
    with _lock:
        for (place, period), stamp in stamps.items():
            if (path, results, "stamp", place, period) not in _cache:
                _keep((path, results, "stamp", place, period), stamp)


def _forget(path: str, old: Any, keep: list[Any]) -> None:
    """Drop the values kept with a results stamp two writes old (under `_lock`): while a write is under way
    readers are shown the version of the write before it, whose stamp is kept, so nothing asks for these
    again; left in the cache they pushed out the pages of places no write had changed, which the next write
    then spent its time bound computing again (BENCHMARKS.md, "An upload recomputes nothing")."""
    if old in keep:
        return
    for key in [key for key in _cache if key[0] == path and key[1] == old]:
        del _cache[key]


_kept_fresh: weakref.WeakSet[Workspace] = weakref.WeakSet()


def keep_fresh(ws: Workspace) -> None:
    """A server's workspace recomputes the pages being read as each write ends (`refresh_after_write`)."""
    if ws not in _kept_fresh:
        _kept_fresh.add(ws)
        ws.refresh_results_with(lambda: refresh_after_write(ws))


@contextmanager
def one_version(ws: Workspace) -> Iterator[None]:
    """Everything computed or read from the cache inside is of one version of the workspace: a page is never a
    mix of figures from before and after a write that ends while it is being made."""
    with ws.one_version():
        yield


def being_updated(ws: Workspace) -> bool:
    """Inside `one_version`: whether this page is of the version before a write still under way (its figures
    are being updated)."""
    return ws.reading_snapshot


def checked(ws: Workspace, **given: Any) -> Selection:
    """`selection.check` of what a page or API call asks for, cached with `results_stamp`: every request checks
    its codes. Refusals are not cached, and a code once known stays known (no write deletes the slices of a
    return, the only thing besides the stamped tables that makes a code known), so an accepted answer stands."""
    key = tuple(sorted((name, tuple(value) if isinstance(value, list) else value) for name, value in given.items()))

    def compute() -> Selection:
        with ws.read() as con:
            return check(con, **given)

    return cached(ws, ("checked", *key), compute, refresh=True, results=True)


def lines_page(ws: Workspace, asked: Selection, only_spender: str | None, page: int | None) -> figures.LinesPage:
    """One page of the lines behind a figure (`figures.lines_page`), cached with the place's stamp like the
    figures they explain: compiling the query costs more than running it on a place's lines."""
    key = ("lines", asked.place, asked.period, asked.cofog, asked.body_type, asked.status, only_spender, page or 1)
    return cached(ws, key, lambda: figures.lines_page(
        ws, asked.place, asked.period, cofog=asked.cofog, body_type=asked.body_type,  # type: ignore[arg-type]
        status=asked.status, only_spender=only_spender, page=page),
        place=(asked.place, asked.period), refresh=True)  # type: ignore[arg-type]


def place_stamp(ws: Workspace, place: str, period: str) -> tuple[Any, ...]:
    """Changes whenever anything a place's page shows for the period may change: the returns live in its
    scope (accepted, superseded, rejected), and the bodies, places, merges, reference imports, ward figures and
    published figures of the workspace. Returns for other places do not change it."""
    return cached(ws, ("stamp", place, period), lambda: _stamp(ws, place, period), results=True)


def results_stamp(ws: Workspace) -> Any:
    """On a server, what the figures of every place rest on (`page_store.results_stamp`), read once per version
    of the workspace: the values kept with it (every place's stamp, the lists of every place) survive any write
    that leaves it as it was. Outside a server, None: values are then kept with the ledger's version."""
    if not ws.is_shared:
        return None
    return cached(ws, ("results",), lambda: _results(ws))


def _results(ws: Workspace) -> tuple[Any, ...]:
    with ws.read() as con:
        return page_store.results_stamp(con)


def _stamp(ws: Workspace, place: str, period: str) -> tuple[Any, ...]:
    with ws.read() as con:
        return page_store.place_stamp(con, place, period)


def places(ws: Workspace) -> list[dict[str, Any]]:
    def compute() -> list[dict[str, Any]]:
        with ws.read() as con:
            rows = con.table("places").order_by("place").to_pyarrow().to_pylist()
            # A live slice is a (return, place, period) with lines: the places and periods with counted lines.
            used = page_store.live_place_periods(con)
            members = con.table("place_areas").to_pyarrow().to_pylist()
            districts = places_store.district_names(con, sorted({place for place, _ in used}))
        periods: dict[str, set[str]] = {}
        for place, period in used:
            periods.setdefault(place, set()).add(period)
        # A place's years are those of the lines in its scope (DESIGN.md §4: its code or a member area), as
        # its page counts them; an area inside a listed place is not listed again on its own.
        scope = {r["place"]: {r["place"]} for r in rows}
        for member in members:
            scope.setdefault(member["place"], {member["place"]}).add(member["area"])
        covered = {code for codes in scope.values() for code in codes}
        # a code with lines but no place definition: its name and region from the LAD -> region lookup
        extra = [{"place": p, "name": districts.get(p, (None, None))[0] or p,
                  "region": canonical_region(districts.get(p, (None, None))[1])}
                 for p in sorted(periods) if p not in covered]
        def years(place: str) -> list[str]:
            return sorted(set().union(*(periods.get(code, set()) for code in scope.get(place, {place}))))

        return [{**r, "periods": years(r["place"])} for r in rows + extra]

    return cached(ws, ("places",), compute, refresh=True, results=True)


def display_name(ws: Workspace, place: str) -> str:
    """The place's name for titles ("Kent (tp-kent)", "Lewisham (E09000023)"), or its code when it has none."""
    def compute() -> str:
        with ws.read() as con:
            return _name(con, place)

    name = cached(ws, ("name", place), compute, refresh=True, results=True)
    return f"{name} ({place})" if name != place else place


def periods_of(ws: Workspace, place: str) -> list[str]:
    def compute() -> list[str]:
        with ws.read() as con:
            return page_store.live_periods_in_scope(con, place)

    return cached(ws, ("periods", place), compute, refresh=True, results=True)


def overview(ws: Workspace, place: str, period: str) -> dict[str, Any]:
    return cached(ws, ("overview", place, period), lambda: _overview(ws, place, period), place=(place, period),
                  refresh=True)


def _overview(ws: Workspace, place: str, period: str) -> dict[str, Any]:
    with ws.read() as con:
        ledger = ledger_of(con)
        scope = scoped(ledger, place, period)  # the place's classified lines, handed to every figure below
        count = count_of(scope)
        rec = reconciliation_of(scope).to_pyarrow().to_pylist()
        links = _sankey_links(scope.lines)
        population = _population(ledger, place, period)
        estimate = _estimate(ledger, place, period)
        control = place_local_control(scope).to_dict()
        concentration = place_concentration(scope).to_dict()
        routes = place_routes(scope).to_dict()
        name = _name(con, place)
    total = count.total
    names = cls.cofog_divisions()
    return {
        "place": place, "period": period, "count": asdict(count), "reconciliation": rec,
        "population": population,
        "per_head": _per_head(total, population),
        "backcast_per_head": _per_head(total, {"value": population["backcast"]["population"]}
                                       if population and population["backcast"] else None),
        "cofog": [{"cofog": k, "name": names.get(k, k), "amount": a} for k, a in
                  sorted(count.by_cofog.items(), key=lambda kv: -kv[1])],
        "sankey": links,
        "estimate": estimate,
        "name": name,
        "local_control": {k: control[k] for k in ("bands", "under_local_control", "under_local_control_share",
                                                  "blank_flags_amount", "rule")},
        "concentration": {k: concentration[k] for k in ("bodies", "top3_share", "top10_share", "hhi", "hhi_band",
                                                        "small_bodies")} | {"ranking": concentration["ranking"][:10]},
        "routes": {k: routes[k] for k in ("admin_cost", "admin_cost_share", "by_hand_overs", "method", "cycles")},
        "wards": area_figures_store.ward_figures(ws, place, period),
    }


def _per_head(total: Decimal, population: dict[str, Any] | None) -> Decimal | None:
    return (total / population["value"]).quantize(Decimal("0.01")) if population and total else None


def _name(con, place: str) -> str:
    """The place's name, or a district's from the LAD -> region lookup, or else its code."""
    places = con.table("places")
    found = places.filter(places.place == place).name.to_pyarrow().to_pylist()
    return found[0] if found else places_store.district_names(con, [place]).get(place, (None, None))[0] or place


def without_lines(ws: Workspace, place: str, period: str | None) -> dict[str, Any]:
    """What the page of a place with no counted lines still shows: its centre-out estimate (for the year asked,
    or the latest year of regional spending) and what was published about it (seed 000 Tables 1-3)."""
    def compute() -> dict[str, Any]:
        with ws.read() as con:
            year = period or places_store.latest_regional_period(con)
            estimate = _estimate(ledger_of(con), place, year) if year else None
            published = places_store.published_for(con, place)
            name = _name(con, place)
        names = cls.cofog_divisions()
        by_cofog = estimate.get("by_cofog", {}) if estimate else {}
        return {"place": place, "period": year, "name": name, "estimate": estimate, "published": published,
                "cofog": [{"cofog": k, "name": names.get(k, k), "amount": a} for k, a in
                          sorted(by_cofog.items(), key=lambda kv: -kv[1]) if a]}

    return cached(ws, ("without-lines", place, period), compute, refresh=True, results=True)


def others(ws: Workspace, period: str) -> list[dict[str, Any]]:
    """Every place counted for the period with its total and per head: the comparison between places.

    From the all-places count and one grouped population query, not a place page per place: at national
    scale (400 places, 10M lines) that is seconds instead of minutes. Totals and per head are those of each
    place's own page (tests/web check it)."""
    def compute() -> list[dict[str, Any]]:
        listed = [entry for entry in places(ws) if period in entry["periods"]]
        with ws.read() as con:
            ledger = ledger_of(con)
            counts = count_all_places(ledger, period)
            ids = [entry["place"] for entry in listed]
            try:
                population = indicator_for_groups(ledger, all_place_areas(ledger, ids), "population", period)
            except PlacespendError:
                population = {}
        rows = []
        for entry in listed:
            place = entry["place"]
            # a code with lines but no place definition is counted on its own
            total = counts[place].total if place in counts else overview(ws, place, period)["count"]["total"]
            people = population.get(place)
            rows.append({"place": place, "name": entry["name"], "total": total,
                         "per_head": _per_head(total, {"value": people.value} if people and people.value else None),
                         "vintage": people.period if people and people.value and people.nearest else None})
        return rows

    return cached(ws, ("others", period), compute, refresh=True, results=True)


def warm_after_acceptance(ws: Workspace, submission_id: int) -> threading.Thread | None:
    """Prepare, in the background, the pages of the places an accepted return touched (and of the composite
    places holding them) and the lists of all places for its periods, after its write: the pages being read
    were recomputed by the write itself (`refresh_after_write`); these are those nobody was reading."""
    if not ws.is_shared:
        return None
    with ws.read() as con:
        slices = page_store.places_touched_by(con, submission_id)

    def work() -> None:
        for place, period in slices[:WARM_LIMIT]:
            overview(ws, place, period)
        for period in sorted({period for _, period in slices}):
            others(ws, period)

    thread = threading.Thread(target=work, name=f"warm-{submission_id}", daemon=True)
    thread.start()
    return thread


WARM_LIMIT = 50  # place pages recomputed after one acceptance; a national return's other places wait for a visit


def _population(ledger: Ledger, place: str, period: str) -> dict[str, Any] | None:
    """The population per-head figures divide by, with its vintage, and a back-cast where the vintage is not
    the figure's own year (estimate.backcast), both shown beside the figure."""
    areas = place_areas(ledger, place)
    try:
        value = indicator_for_areas(ledger, areas, "population", period)
    except PlacespendError:
        return None
    if not value.value:
        return None
    backcast = backcast_population(ledger, areas, period, value)
    return {"value": value.value, "vintage": value.period, "nearest": value.nearest,
            "backcast": backcast.to_dict() if backcast else None}


def _estimate(ledger: Ledger, place: str, period: str) -> dict[str, Any] | None:
    try:
        estimate = estimate_place(ledger, place, period, shipped_criteria("population"))
    except PlacespendError as exc:
        return {"problem": str(exc)}
    return {"total": estimate.total, "by_cofog": estimate.by_cofog, "region": estimate.region,
            "vintage": estimate.vintage, "notes": estimate.notes}


def _sankey_links(lines) -> list[dict[str, Any]]:
    """Origin of funds -> spender -> COFOG division, for counted lines; layered so cycles cannot occur.

    A body that both passes money on and spends appears once as a funder ("... funds") and once as a
    spender, so pooled budgets (A -> B -> A) draw as two links instead of breaking the chart.
    """
    counted = lines.filter(lines.status.isin(COUNTED_STATUSES))
    body = (counted.status == "unreported").ifelse(counted.recipient, counted.spender)
    origin = counted.funder.fill_null("own income / local taxation")
    first = counted.group_by(source=origin, target=body).agg(amount=counted.counted_amount.sum())
    second = counted.group_by(source=body, target=counted.cofog_division).agg(amount=counted.counted_amount.sum())
    # In a stated order: a grouping comes back in whatever order the threads finished, and the API's answer for
    # the same ledger must be the same bytes every time (a refactoring is proved by comparing them).
    out = [{"stage": "funding", **r} for r in first.order_by(["source", "target"]).to_pyarrow().to_pylist()]
    out += [{"stage": "function", **r} for r in second.order_by(["source", "target"]).to_pyarrow().to_pylist()]
    return out


def ward_boundaries(ws: Workspace, codes: list[str]) -> list[dict[str, object]]:
    """The imported boundaries of the wards a place's page maps (engine.area_figures_store)."""
    return area_figures_store.boundaries(ws, codes)


COMPARE_CRITERIA = ("population", "needs")  # the first gives A; both give its range (seed 000 Table 1)


def comparison(ws: Workspace, period: str) -> dict[str, Any]:
    """Seed 000 Table 1 for every place in a year: A, B, 1 - B/A and the bridge, as `placespend compare` gives
    them. The compare page, its downloads and the API all read this one computation, cached per workspace
    version. The places are those defined (DESIGN.md §6 places file), as the CLI compares by default: a code
    with a stray line and no definition is not a place of Table 1, and would pull the aggregate with it."""
    def compute() -> dict[str, Any]:
        rows, aggregate = figures.compare_all(ws, period, figures.defined_places(ws),
                                              [shipped_criteria(c) for c in COMPARE_CRITERIA])
        return comparison_dict(rows, aggregate)

    return cached(ws, ("compare", period), compute, refresh=True, results=True)


def comparison_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per place of `comparison`, for CSV and XLSX: the published Table 1 figures beside ours."""
    return [{"place": p["place"], "name": p["name"], "period": p["period"], "centre_out_a": p["centre_out"],
             "published_a": p["published"].get("centre_out"), "locally_led_b": p["locally_led"],
             "published_b": p["published"].get("locally_led"), "difference_1_minus_b_over_a": p["difference"],
             "a_lowest": min(p["a_range"].values(), default=None),
             "a_highest": max(p["a_range"].values(), default=None), "problem": p["problem"]} for p in table["places"]]


DEFAULT_ANALYSED_PLACES = 12
"""The places the analyses show when none is chosen. Each analysis costs about a tenth of a second per place, so
every place of a national ledger (400 and more) would keep the page waiting for minutes, and a chart of 400
bars is read by no one; a partnership compares itself with a handful of places."""


def analyses(ws: Workspace, period: str, ids: list[str] | None = None) -> dict[str, Any]:
    """The five analyses of seed 000 §4 for several places at once, as `placespend analyse NAME --format json`
    gives each for the same places and year (the same functions, their defaults): what the analyses page
    draws and tables. By default, the first `DEFAULT_ANALYSED_PLACES` places with lines in the year. An
    analysis the workspace cannot make yet (per head without population statistics) gives `{"problem": why}`,
    and the others still show.

    Four of the analyses are one result per place side by side: each place's is kept with the place's stamp,
    so after a write only the places it touched are analysed again (seconds each at 10M lines). Per head
    compares the places with each other (a benchmark of the set), so it is kept with the stamps of them all."""
    def compute() -> dict[str, Any]:
        with_lines = [p["place"] for p in places(ws) if period in p["periods"]]
        chosen = ids if ids else with_lines[:DEFAULT_ANALYSED_PLACES]
        if not chosen:
            return {"places": [], "period": period, "note": None}
        note = None if ids or len(chosen) == len(with_lines) else (
            f"The first {len(chosen)} of the {len(with_lines):,} places with lines in {period}; choose the places "
            "to compare above.")
        return {"places": chosen, "period": period, "note": note,
                **{name: _side_by_side(ws, name, chosen, period) if name in PER_PLACE
                   else _of_the_set(ws, chosen, period) for name in ANALYSES}}

    return cached(ws, ("analyses", period, tuple(ids or ()), DEFAULT_ANALYSED_PLACES), compute, refresh=True,
                  results=True)


ANALYSES = ("composition", "concentration", "local-control", "per-head", "routes")  # in the order pages show them
PER_PLACE: dict[str, Any] = {"composition": composition, "concentration": concentration,
                             "local-control": local_control, "routes": funding_routes}


def _side_by_side(ws: Workspace, name: str, chosen: list[str], period: str) -> dict[str, Any]:
    """The report of `PER_PLACE[name]` for the chosen places, from each place's own (as the method makes it for
    several places: the same heading, then each place's result in order); the first place it cannot analyse
    makes the whole report a problem, as the method would raise it."""
    def one(place: str) -> dict[str, Any]:
        with ws.read() as con:
            return PER_PLACE[name](ledger_of(con), [place], period).to_dict()

    try:
        each = [cached(ws, ("analysis", name, place, period), lambda place=place: one(place), place=(place, period))
                for place in chosen]
    except PlacespendError as exc:
        return {"problem": str(exc)}
    return {**each[0], "places": [report["places"][0] for report in each]}


def _of_the_set(ws: Workspace, chosen: list[str], period: str) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        try:
            with ws.read() as con:
                return per_head(ledger_of(con), chosen, period).to_dict()
        except PlacespendError as exc:
            return {"problem": str(exc)}

    stamps = tuple(place_stamp(ws, place, period) for place in chosen)
    return cached(ws, ("analysis", "per-head", tuple(chosen), period), compute, stamp=stamps)
