"""The structural offline judge: refusal acts read with morphological analyzers, and answer structure.

``decide(answer, is_harmful, request)`` returns a ``Judgement`` (verdict + rationale). See
``docs/design/judge.md`` for the rules and how they were checked.
"""

from ksafe.evaluation.structural.decision import Judgement, decide

__all__ = ["Judgement", "decide"]
