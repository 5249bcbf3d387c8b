"""Use cases: the only entry for the CLI and the web app (DESIGN.md §2).

Each use case reads inputs (ingest), reads and writes the workspace (engine) and hands tables to the method
layers, then returns plain results for the CLI and the web app to render. Only the assets use cases live here
so far; the others will move in.
"""
