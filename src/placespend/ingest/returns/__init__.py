"""Council revenue returns published by MHCLG: RS and RSX outturn, RA budgets, one submission per authority.

Importing this package registers its readers with `placespend.ingest.reference.registry`.
"""

from placespend.ingest.returns import budget, outturn  # noqa: F401  (each registers its readers)
