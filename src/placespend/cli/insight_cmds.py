"""`placespend insight`: customer insight for areas (segments, hotspots, profiles, surveys, access points)
and for people (pseudonymise, link, overlap under a sharing agreement), DESIGN.md §7."""

from __future__ import annotations

import typer

from placespend.cli import insight_area_cmds, insight_people_cmds, insight_sharing_cmds, insight_spatial_cmds

app = typer.Typer(help="Customer insight: areas (segments, hotspots, profiles, surveys, access points) and "
                  "people (pseudonymised matching between partners, with disclosure control).",
                  no_args_is_help=True)
insight_area_cmds.register(app)
insight_spatial_cmds.register(app)
insight_people_cmds.register(app)
insight_sharing_cmds.register(app)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="insight")
