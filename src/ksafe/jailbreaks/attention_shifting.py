"""Attention-shifting strategies (Liu et al. 2023): turn the request into a different task.

Input: none. Output: ``Strategy`` records. No side effects.
"""

from __future__ import annotations

from ksafe.jailbreaks.base import LIU_2023, Strategy

FAMILY = "attention_shifting"

TEXT_CONTINUATION = Strategy(
    name="TextContinuation",
    family=FAMILY,
    description=(
        "Embeds the request in the start of a story or document and asks the model to continue the text. "
        "The model's focus moves to completing prose, and completion pressure competes with refusal."
    ),
    reference=LIU_2023,
)

LOGICAL_REASONING = Strategy(
    name="LogicalReasoning",
    family=FAMILY,
    description=(
        "Wraps the request in a logic puzzle or step-by-step deduction the model must carry out. Reasoning "
        "about premises draws attention away from judging whether the conclusion is harmful."
    ),
    reference=LIU_2023,
)

PROGRAM_EXECUTION = Strategy(
    name="ProgramExecution",
    family=FAMILY,
    description=(
        "Hides the request inside code the model is asked to execute or whose output it must predict. "
        "Safety training on natural-language requests transfers poorly to code; the strongest pattern "
        "in published multimodal results."
    ),
    reference=LIU_2023,
)

TRANSLATION = Strategy(
    name="Translation",
    family=FAMILY,
    description=(
        "Asks the model to translate the request and then answer the translated text. The translation "
        "task looks harmless, and the answer can come out before the model re-reads the intent."
    ),
    reference=LIU_2023,
)

STRATEGIES: tuple[Strategy, ...] = (TEXT_CONTINUATION, LOGICAL_REASONING, PROGRAM_EXECUTION, TRANSLATION)
"""The family's strategies in Liu et al.'s order."""
