"""The command line beside a running `placespend serve`: the command is run by the server.

Why: DuckDB lets one process open a database file for writing, and while it does no other process may open
the file at all, not even to read. The server keeps the workspace open (a page must not wait for the file to
open and its caches to warm), so a command beside it cannot open the file. Rather than making the server
let go between requests, the command goes through it: `serve` writes, beside the workspace, a file that only
its owner can read, with the server's address and a secret; a command that finds the workspace held by that
very process sends its command line there, the server runs it on its own connection (reads side by side with
the web app's, writes taking their turn as the web app's do) and sends back the output and the exit code.
Files named on the command line are made absolute first, since the server runs in its own folder. A command
that cannot run inside the server (`serve` itself, `restore`, which replaces the file) says so in a sentence.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
import threading
import traceback
import urllib.error
import urllib.request

import typer
from rich.markup import escape
from typer.testing import CliRunner

from placespend.app.workspace import Workspace, WorkspaceBusy, open_workspace
from placespend.cli.context import errors
from placespend.web.local_access import LOCAL_HEADER, LOCAL_PATH, LocalCli

log = logging.getLogger("placespend.serve")
NOT_THROUGH_SERVER = {
    "serve": "placespend serve (PID {pid}) is already serving {path} at {url}.",
    "restore": "The workspace {path} is served by placespend serve (PID {pid}): stop it, then restore.",
}


def local_cli(ws: Workspace, root: typer.Typer) -> LocalCli:
    """What the server needs to run the CLI's commands: a new secret, and `root` run on the server's workspace.

    One command at a time: Click captures a command's output by swapping the process's standard streams."""
    turn = threading.Lock()

    def run(args: list[str], width: int) -> dict[str, object]:
        with turn:
            result = CliRunner().invoke(root, args, obj={"workspace": ws}, env={"COLUMNS": str(width)})
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            log.error("command line %s failed:\n%s", args[:1], "".join(traceback.format_exception(result.exception)))
            stderr += f"Error: the server could not run this command ({type(result.exception).__name__}); " \
                      "its log says why.\n"
        return {"exit_code": result.exit_code, "stdout": result.stdout, "stderr": stderr}

    return LocalCli(secrets.token_urlsafe(32), run)


def announce(ws: Workspace, host: str, port: int, local: LocalCli) -> None:
    """Say where the server is, for as long as it serves (`local.stop` withdraws it), in a file only its owner
    may read: the secret in it lets whoever reads it run commands as the server, as the owner of the
    workspace file can anyway."""
    address = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    url = f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"
    text = json.dumps({"pid": os.getpid(), "url": url, "token": local.token})
    ws.server_file.unlink(missing_ok=True)
    descriptor = os.open(ws.server_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)

    def withdraw() -> None:
        with contextlib.suppress(OSError):
            if ws.server_file.read_text(encoding="utf-8") == text:  # not a newer server's
                ws.server_file.unlink()

    local.stop = withdraw


def through_server(busy: WorkspaceBusy) -> int:
    """Run the busy command by the server that holds the workspace, printing what it prints; or, where that
    cannot be, say in a sentence what to do. Returns the exit code."""
    server = _server(busy)
    command = busy.command_line
    if server is not None and command and command[0] in NOT_THROUGH_SERVER:
        return _say(NOT_THROUGH_SERVER[command[0]].format(pid=busy.pid, path=busy.path, url=server["url"]))
    if server is None or command is None:
        return _say(str(busy))
    request = urllib.request.Request(
        server["url"] + LOCAL_PATH, method="POST",
        data=json.dumps({"args": command, "width": shutil.get_terminal_size().columns}).encode(),
        headers={"Content-Type": "application/json", LOCAL_HEADER: server["token"]})
    try:
        with urllib.request.urlopen(request, timeout=24 * 3600) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return _say(str(busy))
    sys.stdout.write(_plain(answer["stdout"], sys.stdout))
    sys.stderr.write(_plain(answer["stderr"], sys.stderr))
    return int(answer["exit_code"])


def _server(busy: WorkspaceBusy) -> dict[str, str] | None:
    """The announcement of the server that holds the workspace: only if it is that process (a file left by a
    server that was killed could name an address something else listens on now)."""
    try:
        found = json.loads(open_workspace(busy.path).server_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or busy.pid is None or found.get("pid") != busy.pid:
        return None
    return found


def _say(sentence: str) -> int:
    errors.print(f"[bold red]Error:[/] {escape(sentence)}")
    return 2


def _plain(text: str, stream) -> str:
    """The server's console colours its output for a terminal; without one here, the colours go."""
    return text if stream.isatty() else re.sub(r"\x1b\[[0-9;]*m", "", text)


__all__ = ["NOT_THROUGH_SERVER", "announce", "local_cli", "through_server"]
