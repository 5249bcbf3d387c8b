"""Data files of the report layer (the licences and credits of the sources a report names)."""
