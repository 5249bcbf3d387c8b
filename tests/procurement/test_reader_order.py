"""Reading suppliers imports the spend reader when a `suppliers` command starts (the CLI imports a command's module
only to run it), before anything imports the registry: the spend reader must still be tried last, or it would
claim reference files that look like spend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import placespend

PROGRAM = """
import placespend.cli.suppliers_cmds
from placespend.ingest import registry
order = [r.name for r in registry.READERS]
others = [i for i, r in enumerate(registry.READERS) if r.kind != "flows" or r.name.startswith("360giving")]
print(order.index("spend") > max(others), order.index("spend"), len(order))
"""


def test_the_spend_reader_stays_last_whatever_imports_it_first():
    env = {**os.environ, "PYTHONPATH": str(Path(placespend.__file__).parents[1])}
    found = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=env, check=True)
    assert found.stdout.split()[0] == "True", found.stdout
