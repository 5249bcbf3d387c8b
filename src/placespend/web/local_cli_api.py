"""The address through which the command line on the server's own machine runs its commands in the server.

Nobody signs in here: the caller proves it can read the file `placespend serve` wrote beside the workspace,
readable by the workspace's owner only, by sending back the secret in it (cli.beside_server says why this
exists). Every other caller, whatever its role, is refused; the route is not part of the public API.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from placespend.web.local_access import LOCAL_HEADER, LOCAL_PATH, LocalCli


class CommandLine(BaseModel):
    args: list[str] = Field(max_length=10_000)
    width: int = Field(100, ge=20, le=1000)


router = APIRouter(include_in_schema=False)


@router.post(LOCAL_PATH)
def run_command_line(request: Request, command: CommandLine) -> dict[str, object]:
    local: LocalCli | None = request.app.state.local_cli
    sent = request.headers.get(LOCAL_HEADER, "")
    if local is None or not hmac.compare_digest(sent.encode(), local.token.encode()) or not _loopback(request):
        raise HTTPException(403, "this address is for the placespend command line on the server's own machine")
    return local.run(command.args, command.width)


def _loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False
