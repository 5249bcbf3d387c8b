"""Rendering results for people and machines; no computation of figures happens here."""
