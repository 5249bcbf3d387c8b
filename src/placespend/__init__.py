"""placespend: count and explain all public money spent in a place (the Total Place method)."""

__version__ = "0.1.0"
