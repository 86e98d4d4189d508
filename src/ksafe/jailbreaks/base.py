"""The ``Strategy`` record describing one jailbreak strategy, and the ``none`` baseline.

Input: none. Output: frozen metadata records. No side effects.
"""

from __future__ import annotations

from dataclasses import dataclass

from ksafe.cultures.pack_model import STRATEGY_NONE

LIU_2023 = "Liu et al. 2023, Jailbreaking ChatGPT via Prompt Engineering: An Empirical Study"


@dataclass(frozen=True)
class Strategy:
    """Metadata of a jailbreak strategy; the wording of its wrapper lives in the culture packs."""

    name: str
    """CamelCase name used in ``jailbreaks.yaml`` and in benchmark records (``ProgramExecution``)."""
    family: str
    """Family: ``baseline``, ``pretending``, ``attention_shifting``, ``privilege_escalation``,
    ``script_register``."""
    description: str
    """What the wrapper does and why it can get past safety training (2-3 sentences)."""
    reference: str
    """Where the strategy comes from (``Liu et al. 2023``)."""
    requires_transform: str | None = None
    """Name of the script-aware transform the pack entry must declare, if any."""
    languages: tuple[str, ...] | None = None
    """BCP 47 language tags the strategy makes sense for; ``None`` means any language."""
    english_template: str | None = None
    """Wrapper (with ``{prompt}``) for the English source version of G items, for a strategy that ksafe's shared
    ``jailbreaks_en.yaml`` lacks (a plugin's); without one, the strategy is used for subset C only."""

    def applies_to(self, language: str) -> bool:
        """Is the strategy meaningful for ``language`` (a BCP 47 tag such as ``ko`` or ``ja-JP``)?"""
        if self.languages is None:
            return True
        primary = language.split("-")[0].lower()
        return primary in self.languages


NONE = Strategy(
    name=STRATEGY_NONE,
    family="baseline",
    description=(
        "The standard query, sent as written with no wrapper. It is the baseline every other strategy's "
        "attack success rate is compared against."
    ),
    reference=LIU_2023,
)
