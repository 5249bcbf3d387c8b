"""Collaborative procurement (seed 001 §3.2 and chapter 4, "Commissioning and procurement around citizen
needs"; seed 000 §5.4.4): which suppliers several partners pay, for what, at what concentration, and what
buying together might save. Pure computations over payments handed to them; the app layer reads and
stores. Modules: resolution (payees into suppliers, with evidence and users' overrides), name_model (the
Splink comparison of names), shared (shared suppliers and concentration), savings (the joint-procurement
range and its savings-register rows).
"""
