"""Place pages on a national ledger: are they under 200 ms at 10M lines, and right after an acceptance?

Run: .venv/bin/python benchmarks/web_place.py [--lines 10000000] [--data bench-data] [--users 10]
It reuses (or generates) the synthetic national workspace of benchmarks/national.py, copies it, adds accounts,
starts `placespend serve` in its own process on 127.0.0.1, and measures with real HTTP requests:
1. each sampled place page (HTML and its JSON) the first time it is asked for (computed) and then warm;
2. concurrent viewers on warm pages;
3. a partner's return uploaded and accepted through the API: the accept request, the touched place's page
   just after (it must show the new total, checked to the penny), an untouched place's page, and the first
   view after it of the touched place's pages and of the lists of every place (read once before it);
4. with `--acceptances K`, K more returns uploaded and accepted in turn for the sampled places (each read
   before, as visitors had been reading them), each followed by the first view of that place's page and its
   JSON: the p95 of those first views over the K acceptances, each total checked to the penny;
5. the bare DuckDB sum of the touched place's lines, before serving, for a ratio.
Results are printed as Markdown and written to <data>/web-<lines>.json. Bounded and loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
from serving import percentile, start_server

from placespend.app import accounts
from placespend.app.workspace import open_workspace

PASSWORD = "benchmark-password"
YEAR = "2008-09"
NEW_AMOUNT = Decimal("1234567.89")


def timed(client: httpx.Client, method: str, url: str, **kwargs) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = client.request(method, url, **kwargs)
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    return elapsed, response


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    client.post("/login", data={"username": username, "password": PASSWORD})
    return client


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1), "max_ms": round(max(values), 1)}


def print_page_timings(db: Path, pages: dict[str, str], repeat: int, username: str = "bench",
                       settle: float = 0) -> None:
    """Serve `db` in its own process, sign in, and print a Markdown table of each page's warm timings: one
    first view, then `repeat` timed requests (median, p95, max). `settle`: seconds to wait after the server
    answers before the first view, as a user arrives some time after `placespend serve` starts."""
    server, base = start_server(db)
    try:
        client = signed_in(base, username)
        time.sleep(settle)
        print("| page | first view ms | warm median ms | warm p95 ms | warm max ms |\n|---|---:|---:|---:|---:|")
        for url, label in pages.items():
            first, _ = timed(client, "GET", url)
            s = summary([timed(client, "GET", url)[0] for _ in range(repeat)])
            print(f"| {label} | {first:.1f} | {s['median_ms']} | {s['p95_ms']} | {s['max_ms']} |", flush=True)
    except httpx.HTTPError as exc:
        print(f"request failed: {exc}")
    finally:
        stop(server)


def stop(server) -> None:
    """SIGTERM, and SIGKILL if a request still being computed keeps the server from stopping in 30 s."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def setup(data: Path, lines: int) -> tuple[Path, dict[str, str], list[str], str]:
    """A copy of the national workspace with accounts; the sampled places; the partner's body and place."""
    from placespend.app.bench.generate import generate_workspace

    source, copy = data / f"ledger-{lines}.duckdb", data / f"web-{lines}.duckdb"
    if not source.exists():  # the same file as benchmarks/national.py's
        generate_workspace(source, lines, 1)
    copy.unlink(missing_ok=True)
    Path(f"{copy}.wal").unlink(missing_ok=True)  # a previous run's log would be replayed onto the new copy
    shutil.rmtree(copy.with_name(copy.stem + ".submissions"), ignore_errors=True)
    shutil.copyfile(source, copy)
    ws = open_workspace(copy)
    with ws.read() as con:
        by_size = con.con.execute("""
            SELECT scope_place, count(*) AS n FROM place_lines WHERE period = ? GROUP BY 1 ORDER BY n DESC, 1
        """, [YEAR]).fetchall()
        district = next(p for p, _ in by_size if p.startswith("E0"))
    rng = random.Random(1)
    sample = [by_size[0][0], district, by_size[len(by_size) // 2][0], *rng.sample([p for p, _ in by_size], 5)]
    partner_place = sample[2]
    tokens = {}
    for name, role, org in (("analyst", "analyst", None), ("viewer", "viewer", None),
                            ("partner", "partner", "bench-new-partner")):
        user = accounts.add_user(ws, name, PASSWORD, role, org)
        tokens[name] = accounts.new_api_token(ws, user, "benchmark")
    return copy, tokens, list(dict.fromkeys(sample)), partner_place


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--acceptances", type=int, default=0, help="more acceptances, for a p95 of first views")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    db, tokens, sample, partner_place = setup(args.data, args.lines)
    bare = bare_total_ms(db, partner_place)
    server, base = start_server(db)
    try:
        results = measure(base, tokens, sample, partner_place, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
    results |= {"bare_ms": bare, "lines": args.lines, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"}
    (args.data / f"web-{args.lines}.json").write_text(json.dumps(results, indent=1, default=str))
    report(results)


def bare_total_ms(db: Path, place: str) -> float:
    """The bare DuckDB operation a place page's figures rest on: the sum of its ledger lines for the year, on a
    fresh read-only connection (the median of five, so compiled once and cached by the OS like the server's)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            con.execute("SELECT sum(counted_amount) FROM flows WHERE place = ? AND period = ?",
                        [place, YEAR]).fetchone()
            times.append((time.perf_counter() - start) * 1000)
    finally:
        con.close()
    return round(statistics.median(times), 1)


def measure(base: str, tokens: dict[str, str], sample: list[str], partner_place: str, args) -> dict:
    viewer = signed_in(base, "viewer")
    first, warm_html, warm_json, others = {}, [], [], []
    timed(viewer, "GET", "/places")                                     # the list of places
    for place in sample:
        html_ms, _ = timed(viewer, "GET", f"/places/{place}?year={YEAR}")
        json_ms, _ = timed(viewer, "GET", f"/api/places/{place}?year={YEAR}")
        others_ms, _ = timed(viewer, "GET", f"/places/{place}/others?year={YEAR}")
        first[place] = {"html_ms": round(html_ms, 1), "json_ms": round(json_ms, 1), "others_ms": round(others_ms, 1)}
        for _ in range(args.requests):
            warm_html.append(timed(viewer, "GET", f"/places/{place}?year={YEAR}")[0])
            warm_json.append(timed(viewer, "GET", f"/api/places/{place}?year={YEAR}")[0])
            others.append(timed(viewer, "GET", f"/places/{place}/others?year={YEAR}")[0])

    def user_run(index: int) -> list[float]:
        client, rng = signed_in(base, "viewer"), random.Random(index)
        return [timed(client, "GET", f"/places/{rng.choice(sample)}?year={YEAR}")[0] for _ in range(args.requests)]

    with ThreadPoolExecutor(args.users) as pool:
        concurrent = [t for run in pool.map(user_run, range(args.users)) for t in run]

    # A partner's return for one place, accepted through the API; then the pages just after. The lists of every
    # place (analyses, compare, places) are read once before, as visitors had been reading them.
    untouched = next(p for p in sample if p != partner_place and not p.startswith("tp-"))
    lists = {"analyses, default places": f"/analyses?year={YEAR}", "compare": f"/compare?year={YEAR}",
             "places": "/places"}
    lists_first = {label: round(timed(viewer, "GET", url)[0], 1) for label, url in lists.items()}
    api = {name: httpx.Client(base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"})
           for name, token in tokens.items()}
    before = Decimal(str(api["viewer"].get(f"/api/places/{partner_place}/count?year={YEAR}").json()["total"]))
    csv = ("period,place,spender,spender_type,flow,amount,cofog\n"
           f"{YEAR},{partner_place},bench-new-partner,third_sector,spend,{NEW_AMOUNT},10.4\n")
    upload_ms, response = timed(api["partner"], "POST", "/api/submissions", files={"file": ("new.csv", csv.encode())})
    sid = response.json()["submission_id"]
    accept_ms, _ = timed(api["analyst"], "POST", f"/api/submissions/{sid}/accept")
    touched_ms, _ = timed(viewer, "GET", f"/places/{partner_place}?year={YEAR}")
    after_ms, response = timed(viewer, "GET", f"/api/places/{partner_place}/count?year={YEAR}")
    after = Decimal(str(response.json()["total"]))
    after_views = {label: timed(viewer, "GET", url) for label, url in (
        ("place page (HTML)", f"/places/{partner_place}?year={YEAR}"),
        ("place API (JSON)", f"/api/places/{partner_place}?year={YEAR}"),
        ("other-places table", f"/places/{partner_place}/others?year={YEAR}"), *lists.items())}
    untouched_ms, _ = timed(viewer, "GET", f"/places/{untouched}?year={YEAR}")
    others_after_ms, _ = timed(viewer, "GET", f"/places/{untouched}/others?year={YEAR}")
    touched_again = [timed(viewer, "GET", f"/places/{partner_place}?year={YEAR}")[0] for _ in range(args.requests)]
    places = [p for p in sample if not p.startswith("tp-")]
    more = [accepted_then_viewed(api, viewer, places[k % len(places)], k) for k in range(args.acceptances)]
    last = {partner_place: NEW_AMOUNT}  # the partner's return for a place supersedes its earlier one there
    for k, row in enumerate(more):
        row["moved_by_the_line"] = row.pop("moved") == amount_of(k) - last.get(row["place"], Decimal(0))
        last[row["place"]] = amount_of(k)
    return {
        "more_acceptances": more,
        "sample": sample, "first_request": first,
        "warm_html": summary(warm_html), "warm_json": summary(warm_json), "warm_others": summary(others),
        "concurrent_html": summary(concurrent) | {"users": args.users},
        "acceptance": {"place": partner_place, "upload_ms": round(upload_ms, 1), "accept_ms": round(accept_ms, 1),
                       "touched_page_first_ms": round(touched_ms, 1), "touched_page_then": summary(touched_again),
                       "untouched_place": untouched, "untouched_page_ms": round(untouched_ms, 1),
                       "others_after_ms": round(others_after_ms, 1), "count_api_ms": round(after_ms, 1),
                       "total_before": before, "total_after": after, "lists_first_ms": lists_first,
                       "first_after_ms": {label: round(ms, 1) for label, (ms, _) in after_views.items()},
                       "said_being_updated": [label for label, (_, r) in after_views.items()
                                              if "being-updated" in r.text or "X-Placespend-Updating" in r.headers],
                       "total_moved_by_the_new_line": after - before == NEW_AMOUNT},
    }


def amount_of(k: int) -> Decimal:
    """The amount of the k-th extra return: a penny more each time, so that each one moves its place's total."""
    return NEW_AMOUNT + Decimal(k) / 100


def accepted_then_viewed(api: dict[str, httpx.Client], viewer: httpx.Client, place: str, k: int) -> dict:
    """A one-line return for `place` uploaded by the partner and accepted by the analyst, then the first view of
    the place's page and of its JSON (in that order, nothing read between), then its count, which must have
    moved by the new line (less the partner's earlier return for the place, which it supersedes)."""
    before = Decimal(str(api["viewer"].get(f"/api/places/{place}/count?year={YEAR}").json()["total"]))
    csv = ("period,place,spender,spender_type,flow,amount,cofog\n"
           f"{YEAR},{place},bench-new-partner,third_sector,spend,{amount_of(k)},10.4\n")
    upload_ms, response = timed(api["partner"], "POST", "/api/submissions",
                                files={"file": (f"new-{k}.csv", csv.encode())})
    accept_ms, _ = timed(api["analyst"], "POST", f"/api/submissions/{response.json()['submission_id']}/accept")
    html_ms, html = timed(viewer, "GET", f"/places/{place}?year={YEAR}")
    json_ms, page = timed(viewer, "GET", f"/api/places/{place}?year={YEAR}")
    after = Decimal(str(api["viewer"].get(f"/api/places/{place}/count?year={YEAR}").json()["total"]))
    return {"place": place, "upload_ms": round(upload_ms, 1), "accept_ms": round(accept_ms, 1),
            "html_ms": round(html_ms, 1), "json_ms": round(json_ms, 1),
            "moved": after - before,
            "said_being_updated": "being-updated" in html.text or "X-Placespend-Updating" in page.headers}


def report(results: dict) -> None:
    print(f"\n{results['lines']:,} lines, {results['date']}, {results['machine']}\n")
    print("| request | n | median | p95 | max |\n|---|---:|---:|---:|---:|")
    for key, label in (("warm_html", "place page (HTML), warm"), ("warm_json", "place API (JSON), warm"),
                       ("warm_others", "other-places table (htmx), warm"),
                       ("concurrent_html", f"place page, {results['concurrent_html']['users']} concurrent users")):
        s = results[key]
        print(f"| {label} | {s['n']} | {s['median_ms']} ms | {s['p95_ms']} ms | {s['max_ms']} ms |")
    print("\nFirst request for each sampled place (computed then cached):")
    for place, row in results["first_request"].items():
        print(f"- {place}: page {row['html_ms']} ms, JSON {row['json_ms']} ms, other places {row['others_ms']} ms")
    acc = results["acceptance"]
    print(f"\nAcceptance of a return for {acc['place']}: upload {acc['upload_ms']} ms, accept {acc['accept_ms']} ms; "
          f"that place's page next {acc['touched_page_first_ms']} ms, then median "
          f"{acc['touched_page_then']['median_ms']} ms; untouched {acc['untouched_place']} "
          f"{acc['untouched_page_ms']} ms; "
          f"other-places table {acc['others_after_ms']} ms; total {acc['total_before']} -> {acc['total_after']} "
          f"(moved by exactly the new line: {acc['total_moved_by_the_new_line']})")
    print("\nFirst views after the acceptance (the touched place's pages are its first request above, ms):")
    print("| page | first view before ms | first view after the acceptance ms |\n|---|---:|---:|")
    for label, ms in acc["first_after_ms"].items():
        print(f"| {label} | {acc['lists_first_ms'].get(label, '')} | {ms} |")
    more = results.get("more_acceptances", [])
    if more:
        print(f"\n{len(more)} more acceptances, each then the first view of the touched place's page and JSON:")
        print("| after an acceptance | n | median | p95 | max |\n|---|---:|---:|---:|---:|")
        for key, label in (("html_ms", "first view, place page (HTML)"), ("json_ms", "first view, place API (JSON)"),
                           ("accept_ms", "the acceptance"), ("upload_ms", "the upload")):
            s = summary([row[key] for row in more])
            print(f"| {label} | {s['n']} | {s['median_ms']} ms | {s['p95_ms']} ms | {s['max_ms']} ms |")
        both = summary([row[key] for row in more for key in ("html_ms", "json_ms")])
        print(f"Both pages together: p95 {both['p95_ms']} ms over {both['n']}. Every total moved by exactly its new "
              f"line: {all(row['moved_by_the_line'] for row in more)}; a first view still 'being updated': "
              f"{sum(row['said_being_updated'] for row in more)}")
    print(f"Bare DuckDB, the place's ledger total (sum over flows, read-only connection before serving): "
          f"{results['bare_ms']} ms. Said 'being updated' after the acceptance had answered: "
          f"{acc['said_being_updated'] or 'none'}")


if __name__ == "__main__":
    main()
