"""Developer and operator scripts (importable so tests can reuse them)."""
