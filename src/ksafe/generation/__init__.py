"""Models in the loop: a generator writes step 2's C queries and a critic scores them (docs/design/generation.md)."""
