"""Inspect entry point (``[project.entry-points.inspect_ai] ksafe``): makes ``ksafe/ksafe_mm`` resolvable.

Input: none. Output: registers the ``ksafe_mm`` task and the ksafe judges with Inspect's registry.
Side effects: importing this module imports Inspect.
"""

from ksafe.evaluation.judges import heuristic_judge, llm_judge
from ksafe.evaluation.task import ksafe_mm

__all__ = ["heuristic_judge", "ksafe_mm", "llm_judge"]
