"""The real CLI (with `cba` and `deepdive`) run in process, and the shipped example inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from placespend.cli.main import app as main_app
from placespend.deepdive.examples import example_path


class DeepdiveCli:
    """Runs `placespend --db DB ...` in process, with the deep-dive commands."""

    def __init__(self, db: Path) -> None:
        self.db, self.app, self.runner = db, main_app, CliRunner()

    def __call__(self, *args: Any, expect: int | None = 0) -> Any:
        result = self.runner.invoke(self.app, ["--db", str(self.db), *map(str, args)])
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return result

    def json(self, *args: Any) -> Any:
        return json.loads(self(*args, "--format", "json").stdout)


def example(name: str) -> Path:
    return example_path(name)
