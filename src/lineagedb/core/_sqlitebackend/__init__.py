"""Django's SQLite backend, plus ``PRAGMA optimize`` when a connection closes (current planner statistics)."""
