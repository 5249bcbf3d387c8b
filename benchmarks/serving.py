"""Helpers shared by the web benchmarks: a real `placespend serve` process on loopback, and percentiles."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


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
