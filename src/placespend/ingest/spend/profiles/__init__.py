"""Layout profiles of spend publishers (*.profile.json) and the shared rule files; data, not code."""
