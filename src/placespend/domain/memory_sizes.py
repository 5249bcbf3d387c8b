"""DuckDB's memory limits as numbers: two DuckDB databases open in one process must share one budget
(PLACESPEND_MEMORY), and DuckDB reports its limit as text ('953.6 MiB')."""

from __future__ import annotations

import re

UNITS = {"bytes": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4,
         "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4}


def duckdb_bytes(text: str) -> int:
    """Bytes in a size as DuckDB writes it ('953.6 MiB', '4GiB', '1GB', '0 bytes')."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", text)
    if match is None or (match.group(2) or "bytes") not in UNITS:
        raise ValueError(f"not a DuckDB memory size: {text!r}")
    return int(float(match.group(1)) * UNITS[match.group(2) or "bytes"])
