"""Load test: 20 concurrent signed-in users on the demo workspace's place page and its API answer.

Bounded and loopback only: it starts the app on 127.0.0.1, makes a fixed number of requests, and stops.
Run: .venv/bin/python benchmarks/load_place.py [--users 20] [--requests 25]
"""

from __future__ import annotations

import argparse

from serving import concurrent_users, demo_served, user_session

URLS = ("/places/E09000023?year=2008-09", "/api/places/E09000023?year=2008-09")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args()
    with demo_served() as base:
        user_session(base, 1, URLS[0])  # warm the cache once, as the first visitor after an acceptance does
        for url in URLS:
            print(concurrent_users(base, url, args.users, args.requests))


if __name__ == "__main__":
    main()
