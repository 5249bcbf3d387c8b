"""Transaction spend files ("spend over GBP 500", GLA, central government over GBP 25k) into the ledger.

`reader.READERS` are the readers `placespend import` tries last (`placespend.ingest.registry`); the reader
recognises each file's publisher and layout from its header through the profiles in `profiles/`.
Modules: profiles (layout files), header (recognition), rows (repairs), values
(amounts, dates), classify (COFOG, income, transfers), transactions (rows to FlowLines), tally (the load
report's figures), reader (the entry point).
"""
