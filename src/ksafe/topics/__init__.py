"""Step 1: locally sensitive topics (curated from the pack, or mined from community text)."""
