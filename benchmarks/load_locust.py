"""Many readers while a return is accepted: locust with 20 and then 100 signed-in viewers on a national ledger.

Run: .venv/bin/python benchmarks/load_locust.py [--lines 10000000] [--data bench-data] [--users 20,100]
     [--seconds 90]
It reuses (or generates) the synthetic national workspace of benchmarks/national.py through web_place.setup
(a copy with accounts), starts `placespend serve` in its own process on 127.0.0.1, warms the sampled places,
then for each number of users runs locust (as a library, headless) for a fixed time: each viewer signs in
and, with 1 to 3 seconds between requests, opens a sampled place's page, its JSON, its other-places table or
the list of places. A third of the way through, a partner uploads a one-line return through the API and an
analyst accepts it. Recorded: requests, errors, median, p95 and max per request kind; the upload and the
acceptance; and the slowest read that was in flight while the acceptance ran, against how long the write
took. Bounded and loopback only; results printed as Markdown and written to <data>/load-<lines>.json.
"""

from __future__ import annotations

# Locust first: it patches the standard library for gevent before anything opens a socket.
# isort: off
from locust import HttpUser, between, events, task
from locust.env import Environment
# isort: on

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import gevent
import requests
from serving import percentile, start_server
from web_place import PASSWORD, YEAR, setup

from placespend.app import accounts
from placespend.app.workspace import open_workspace

SAMPLE: list[str] = []


class Viewer(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.post("/login", data={"username": "viewer", "password": PASSWORD}, name="sign in")

    def _place(self) -> str:
        return random.choice(SAMPLE)

    @task(4)
    def place_page(self) -> None:
        self.client.get(f"/places/{self._place()}?year={YEAR}", name="place page (HTML)")

    @task(2)
    def place_json(self) -> None:
        self.client.get(f"/api/places/{self._place()}?year={YEAR}", name="place API (JSON)")

    @task(1)
    def others(self) -> None:
        self.client.get(f"/places/{self._place()}/others?year={YEAR}", name="other-places table (htmx)")

    @task(1)
    def places(self) -> None:
        self.client.get("/places", name="list of places")


def _accept(base: str, tokens: dict[str, str], partner: str, place: str, log: dict) -> None:
    """A partner's one-line return uploaded and accepted through the API, each step timed."""
    def call(token: str, path: str, **kwargs) -> requests.Response:
        response = requests.post(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=600, **kwargs)
        response.raise_for_status()
        return response

    csv = (f"period,place,spender,spender_type,flow,amount,cofog\n"
           f"{YEAR},{place},{partner},third_sector,spend,1234567.89,10.4\n")
    log["upload_start"] = time.time()
    sid = call(tokens[partner], "/api/submissions", files={"file": ("new.csv", csv.encode())}).json()["submission_id"]
    log["accept_start"] = time.time()
    call(tokens["analyst"], f"/api/submissions/{sid}/accept")
    log["accept_end"] = time.time()


def run(base: str, users: int, seconds: float, tokens: dict[str, str], partner: str, place: str) -> dict:
    seen: list[tuple[str, float, float, bool]] = []  # (name, start, milliseconds, failed)

    def record(request_type, name, response_time, response_length, exception=None, start_time=None, **_):
        start = start_time if start_time is not None else time.time() - response_time / 1000
        seen.append((name, start, response_time, exception is not None))

    env = Environment(user_classes=[Viewer], events=events, host=base)
    env.events.request.add_listener(record)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users / 10, 1))
    accepted: dict[str, float] = {}
    writer = gevent.spawn_later(seconds / 3, _accept, base, tokens, partner, place, accepted)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    writer.join()
    env.events.request.remove_listener(record)

    kinds = {}
    for name in sorted({name for name, *_ in seen}):
        times = [ms for n, _, ms, _ in seen if n == name]
        kinds[name] = {"n": len(times), "errors": sum(f for n, _, _, f in seen if n == name),
                       "median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
                       "max_ms": round(max(times), 1)}
    start, end = accepted["accept_start"], accepted["accept_end"]
    during = [ms for name, began, ms, _ in seen if name != "sign in" and began < end and began + ms / 1000 > start]
    return {"users": users, "seconds": seconds, "kinds": kinds,
            "upload_ms": round((start - accepted["upload_start"]) * 1000, 1),
            "accept_ms": round((end - start) * 1000, 1), "reads_during_accept": len(during),
            "slowest_read_during_accept_ms": round(max(during), 1) if during else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--users", default="20,100")
    parser.add_argument("--seconds", type=float, default=90)
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    db, tokens, sample, partner_place = setup(args.data, args.lines)
    counts = [int(n) for n in args.users.split(",")]
    ws = open_workspace(db)
    for index in range(len(counts)):  # one new partner per run: each run's return is a first return
        body = f"bench-load-{index}"
        user = accounts.add_user(ws, body, PASSWORD, "partner", body)
        tokens[body] = accounts.new_api_token(ws, user, "benchmark")
    ws.close()
    SAMPLE.extend(sample)
    server, base = start_server(db)
    try:
        viewer = requests.Session()
        viewer.post(base + "/login", data={"username": "viewer", "password": PASSWORD})
        for place in sample:  # computed once, as after any acceptance; the runs measure what follows
            viewer.get(f"{base}/places/{place}?year={YEAR}", timeout=600)
            viewer.get(f"{base}/places/{place}/others?year={YEAR}", timeout=600)
        runs = [run(base, users, args.seconds, tokens, f"bench-load-{index}", partner_place)
                for index, users in enumerate(counts)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    results = {"lines": args.lines, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}", "sample": sample,
               "accepted_for": partner_place, "runs": runs}
    (args.data / f"load-{args.lines}.json").write_text(json.dumps(results, indent=1))
    report(results)


def report(results: dict) -> None:
    print(f"\n{results['lines']:,} lines, {results['date']}, {results['machine']}\n")
    print("| users | request | n | errors | median | p95 | max |\n|---:|---|---:|---:|---:|---:|---:|")
    for run_ in results["runs"]:
        for name, s in run_["kinds"].items():
            print(f"| {run_['users']} | {name} | {s['n']} | {s['errors']} | {s['median_ms']} ms | {s['p95_ms']} ms "
                  f"| {s['max_ms']} ms |")
    print()
    for run_ in results["runs"]:
        print(f"- {run_['users']} users: upload {run_['upload_ms']} ms, acceptance {run_['accept_ms']} ms; "
              f"{run_['reads_during_accept']} reads in flight during the acceptance, the slowest "
              f"{run_['slowest_read_during_accept_ms']} ms")


if __name__ == "__main__":
    main()
