"""Pretending strategies (Liu et al. 2023): change the conversation's context while keeping the request.

Input: none. Output: ``Strategy`` records. No side effects.
"""

from __future__ import annotations

from ksafe.jailbreaks.base import LIU_2023, Strategy

FAMILY = "pretending"

CHARACTER_ROLE_PLAY = Strategy(
    name="CharacterRolePlay",
    family=FAMILY,
    description=(
        "Asks the model to play a fictional character who would answer the request. Framing the answer "
        "as the character's lines moves it into fiction, where refusal training generalises less well."
    ),
    reference=LIU_2023,
)

ASSUMED_RESPONSIBILITY = Strategy(
    name="AssumedResponsibility",
    family=FAMILY,
    description=(
        "Tells the model that the user takes full responsibility for the answer and that the usual rules "
        "have been waived. Shifting accountability away from the model exploits its drive to be helpful."
    ),
    reference=LIU_2023,
)

RESEARCH_EXPERIMENT = Strategy(
    name="ResearchExperiment",
    family=FAMILY,
    description=(
        "Presents the request as part of a scientific study or controlled experiment. The academic "
        "framing makes the request look legitimate, so harm detectors keyed to intent can miss it."
    ),
    reference=LIU_2023,
)

STRATEGIES: tuple[Strategy, ...] = (CHARACTER_ROLE_PLAY, ASSUMED_RESPONSIBILITY, RESEARCH_EXPERIMENT)
"""The family's strategies in Liu et al.'s order."""
