"""Fingerprints of input files, for the audit of linkage runs (issue "Customer insight II", point 4).

A run is audited with the SHA-256 of each pseudonymised input, so that what was linked can be proved
later without the hub keeping the files themselves.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_fingerprint(path: Path) -> str:
    """SHA-256 of the file's bytes, read in blocks so a large file needs little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
