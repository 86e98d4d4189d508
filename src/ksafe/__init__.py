"""ksafe: build culture-grounded multimodal safety benchmarks and evaluate models on them.

Nothing is imported or computed at import time beyond the version string, so ``ksafe --help``
stays fast.
"""

__version__ = "0.1.0"
SCHEMA_VERSION = "1.0"
