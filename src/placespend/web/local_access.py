"""How the command line reaches a running server (cli.beside_server, web.local_cli_api): the address, the header
carrying the secret, and what the server is given to run commands. Kept apart from the route, without the
web framework, so that the CLI does not load FastAPI each time it starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LOCAL_PATH = "/api/local/cli"
LOCAL_HEADER = "x-placespend-local"


@dataclass
class LocalCli:
    token: str
    run: Callable[[list[str], int], dict[str, object]]  # (command line, terminal width) -> exit code and output
    stop: Callable[[], None] = lambda: None  # called as the server stops: it withdraws its announcement
