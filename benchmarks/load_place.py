"""Load test: 20 concurrent signed-in users on the demo workspace's place page and its API answer.

Bounded and loopback only: it starts the app on 127.0.0.1, makes a fixed number of requests, and stops.
Run: .venv/bin/python benchmarks/load_place.py [--users 20] [--requests 25]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from serving import percentile, start_server

from placespend.app.demo.build import DEMO_PASSWORD, build_demo
from placespend.app.workspace import open_workspace

URLS = ("/places/E09000023?year=2008-09", "/api/places/E09000023?year=2008-09")


def user_session(base: str, requests: int, url: str) -> list[float]:
    timings = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/login", data={"username": "councillor", "password": DEMO_PASSWORD})
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(Path(folder) / "demo.duckdb")
        build_demo(ws)
        server, base = start_server(ws.path)
        user_session(base, 1, URLS[0])  # warm the cache once, as the first visitor after an acceptance does
        for url in URLS:
            with ThreadPoolExecutor(args.users) as pool:
                runs = list(pool.map(lambda _, url=url: user_session(base, args.requests, url),
                                     range(args.users)))
            timings = [t for run in runs for t in run]
            print(f"{url}: {len(timings)} requests by {args.users} concurrent users; "
                  f"median {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
                  f"max {max(timings):.1f} ms")
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
