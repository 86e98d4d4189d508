"""Inspect entry point (``[project.entry-points.inspect_ai] ksafe``): makes ``ksafe/ksafe_mm`` resolvable.

Input: none. Output: registers the ``ksafe_mm`` task, the ksafe judges and the ``ksafe/dry-run`` model (an
offline fixed answer) with Inspect's registry. Side effects: importing this module imports Inspect.
"""

from typing import Any

from inspect_ai.model import modelapi

from ksafe.evaluation.judges import heuristic_judge, llm_judge
from ksafe.evaluation.task import ksafe_mm


@modelapi(name="ksafe")
def ksafe_models() -> Any:
    """The ``ksafe/...`` model provider: ``ksafe/dry-run`` (see ``ksafe.evaluation.dry_run``)."""
    from ksafe.evaluation.dry_run import dry_run_model_api

    return dry_run_model_api()


__all__ = ["heuristic_judge", "ksafe_mm", "ksafe_models", "llm_judge"]
