"""Write a pyproject.toml whose [tool.mutmut] table is replaced by another (`make mutation-estimate`).

mutmut 3.8.1 takes the code to mutate and the tests to run only from ./pyproject.toml, which holds the count's
configuration; a second configuration therefore runs in a copy of the checkout with its own pyproject.toml.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path


def replaced(pyproject: str, block: str) -> str:
    """`pyproject` with its [tool.mutmut] table (up to the next table or the end) replaced by `block`."""
    table = re.compile(r"^\[tool\.mutmut\]\n(?:(?!\[).*\n?)*", re.MULTILINE)
    if not table.search(pyproject):
        raise SystemExit("pyproject.toml has no [tool.mutmut] table to replace")
    body = block[block.index("[tool.mutmut]"):]
    text = table.sub(lambda _: body if body.endswith("\n") else body + "\n", pyproject, count=1)
    tomllib.loads(text)  # refuse to write a file mutmut could not read
    return text


if __name__ == "__main__":
    source, block, target = (Path(arg) for arg in sys.argv[1:4])
    target.write_text(replaced(source.read_text("utf-8"), block.read_text("utf-8")), "utf-8")
