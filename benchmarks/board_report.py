"""The board report on the demo: its first build, then warm requests by concurrent signed-in viewers.

Bounded and loopback only: it builds the demo in a temporary folder, starts the app on 127.0.0.1, times the first
request of each report URL (the build), then `--users` viewers each make `--requests` back-to-back requests.
Run: .venv/bin/python benchmarks/board_report.py [--users 10] [--requests 20]
"""

from __future__ import annotations

import argparse

from serving import concurrent_users, demo_served, user_session

URLS = ("/reports?place=tp-lewisham&year=2008-09", "/places/tp-lewisham/report.pdf?year=2008-09",
        "/places/tp-lewisham/report.xlsx?year=2008-09", "/reports")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with demo_served() as base:
        for url in URLS:
            print(f"{url}: first request {user_session(base, 1, url)[0]:.0f} ms")
        for url in URLS:
            print(concurrent_users(base, url, args.users, args.requests))


if __name__ == "__main__":
    main()
