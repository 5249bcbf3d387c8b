"""Data files shipped with the demo (read with importlib.resources); see README.md here."""
