"""Shared fixtures: small builds are made once per session and reused by read-only tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ksafe.build import BuildOptions, build_benchmark


@pytest.fixture(scope="session")
def small_build_ko(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~150-item Korean build (do not modify it in tests)."""
    out = tmp_path_factory.mktemp("ko") / "ksafe-mm-ko"
    build_benchmark(BuildOptions(culture="ko", out=out, limit=150, seed=7))
    return out


@pytest.fixture(scope="session")
def small_build_ja(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~120-item Japanese build (do not modify it in tests)."""
    out = tmp_path_factory.mktemp("ja") / "jsafe-mm-ja"
    build_benchmark(BuildOptions(culture="ja", out=out, limit=120, seed=7))
    return out
