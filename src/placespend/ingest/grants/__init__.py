"""Grants published to the 360Giving Standard, and the org-id lookup that places them.

Each reader module lists its readers in `READERS`; `placespend.ingest.registry` tries them in order.
"""
