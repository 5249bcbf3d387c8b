"""Grants published to the 360Giving Standard, and the org-id lookup that places them.

Importing this package registers its readers with `placespend.ingest.reference.registry`.
"""

from placespend.ingest.grants import orgids, threesixty  # noqa: F401  (each registers its readers)
