"""Reference data shipped with placespend (read with importlib.resources); see README.md."""
