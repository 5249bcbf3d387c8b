"""Transaction spend files ("spend over GBP 500", GLA, central government over GBP 25k) into the ledger.

Importing this package registers the `spend` reader with the reference registry (`placespend import`),
which recognises each file's publisher and layout from its header through the profiles in `profiles/`.
Modules: decoding (bytes to text), profiles (layout files), header (recognition), rows (repairs), values
(amounts, dates), classify (COFOG, income, transfers), transactions (rows to FlowLines), tally (the load
report's figures), reader (the entry point).
"""

from placespend.ingest.spend import reader  # noqa: F401  (registers the readers)
