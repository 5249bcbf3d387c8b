"""The bodies and suppliers register: the many ids and spellings of one body resolved to one canonical id.

A service-level package (like `placespend.app.ingest_files`): it validates what a user asks and has the engine
store it. `register` holds the operations, `names` the pure matching rules.
"""
