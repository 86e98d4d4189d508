"""Script-aware text utilities (no culture names: scripts only)."""
