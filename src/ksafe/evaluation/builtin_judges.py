"""ksafe's own named judges, registered through the ``ksafe.judges`` entry point like a plugin's.

Input: none. Output: ``JudgePlugin`` records. No side effects (the scorer modules load when a judge is made).
LLM judges are not named here: a model string given to ``--judge`` makes one (see ``judge_registry``).
"""

from __future__ import annotations

from inspect_ai.scorer import Scorer

from ksafe.evaluation.judge_registry import JudgeOptions, JudgePlugin


def _heuristic(options: JudgeOptions) -> Scorer:
    from ksafe.evaluation.judges import heuristic_judge

    return heuristic_judge(pack=options.pack)


JUDGES: tuple[JudgePlugin, ...] = (
    JudgePlugin(
        name="heuristic",
        description="The offline judge: no model call, works without a network (reports mark it heuristic).",
        make=_heuristic,
        is_heuristic=True,
    ),
)
"""The built-in named judges."""
