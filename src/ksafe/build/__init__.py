"""Run steps 1-4 into a benchmark directory (resumable, deterministic). See ``ksafe.build.pipeline``."""

from ksafe.build.options import BuildOptions
from ksafe.build.pipeline import build_benchmark

__all__ = ["BuildOptions", "build_benchmark"]
