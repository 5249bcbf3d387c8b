"""Keys of the root context's object, shared by the entry point and the commands.

Why a module of their own: the entry point must not import the commands' plumbing (`cli.context` opens
workspaces, so it brings in the engine and its libraries), or every command, even `--help`, would wait for it.
"""

from __future__ import annotations

# Set in the root context's object by `placespend` run as a program: a command that finds the workspace held by
# `placespend serve` hands its command line back up, to be run by that server (cli.beside_server).
BESIDE_SERVER = "beside_server"
ROOT_APP = "app"  # the root Typer app, in the root context's object: `serve` runs commands with it
