"""Helpers shared by the web benchmarks: a real `placespend serve` process on loopback, signed-in users timing
requests, and percentiles."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from placespend.app.demo.build import DEMO_PASSWORD, build_demo
from placespend.app.workspace import open_workspace


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    """The app in its own process, as `placespend serve` runs it, so the load generator's threads do not
    share its interpreter; returns once it answers."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "placespend.cli.main", "--db", str(db), "serve",
                               "--port", str(port)], env={**os.environ, "PYTHONUNBUFFERED": "1"},
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if httpx.get(base + "/api/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, base


def user_session(base: str, requests: int, url: str) -> list[float]:
    """One demo councillor signed in, making `requests` back-to-back requests of `url`: each one's time in ms."""
    timings = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/login", data={"username": "councillor", "password": DEMO_PASSWORD})
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    return timings


def concurrent_users(base: str, url: str, users: int, requests: int) -> str:
    """`users` sessions at once, each making `requests` requests of `url`: the line that reports their times."""
    with ThreadPoolExecutor(users) as pool:
        runs = list(pool.map(lambda _: user_session(base, requests, url), range(users)))
    timings = [t for run in runs for t in run]
    return (f"{url}: {len(timings)} requests by {users} concurrent users; median {statistics.median(timings):.1f} ms, "
            f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms")


@contextmanager
def demo_served() -> Iterator[str]:
    """The demo built in a temporary folder and served on loopback (`start_server`); stopped on leaving."""
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(Path(folder) / "demo.duckdb")
        build_demo(ws)
        server, base = start_server(ws.path)
        try:
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)
