"""`python -m placespend`: the `placespend` program (cli.program), as the installed command runs it."""

from placespend.cli.program import run

run()
