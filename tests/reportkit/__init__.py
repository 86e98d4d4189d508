"""Helpers for the report tests: a fixture run writer (``fixture_run.write_fixture_run``)."""
