"""Council revenue returns published by MHCLG: RS and RSX outturn, RA budgets, one submission per authority.

Each reader module lists its readers in `READERS`; `placespend.ingest.registry` tries them in order.
"""
