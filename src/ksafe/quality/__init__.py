"""Quality gate and review kit for built benchmarks."""
